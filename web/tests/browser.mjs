// Browser test of the dashboard (run by tests/run.sh, which starts the server).
//
// Environment: SEGMENTA_URL (http://127.0.0.1:PORT/), SEGMENTA_TOKEN_ADMIN,
// SEGMENTA_TOKEN_VIEWER, optionally SEGMENTA_TOKEN_ANALYST, SEGMENTA_ARTIFACTS (the
// screenshot folder), CHROMIUM (default /usr/bin/chromium), and what activation.mjs
// reads (the experiment and spend run.sh made). The harness is harness.mjs; the export,
// experiment and KPI flows are in activation.mjs.
//
// In each of the six languages, signed in as admin: every page opens, every chart has
// drawn (coloured pixels on its canvas), numbers and dates are formatted for the
// language, the rule editor counts as a rule is typed and shows a parse error, a member
// of a segment is looked up and exported (and a too-small export refused), the
// experiment's arms and interval chart show, the KPI chart changes with the KPI. As an
// analyst: an experiment is created through the form (and a duplicate name is refused at
// its field). As a viewer: no members, no export, no experiment form, and customer
// lookup says the role may not. Any console error, page error, failed request or HTTP
// error other than the ones a step expects fails the run.
import { chromium } from 'playwright-core';
import { createExperiment, EXPERIMENT, experiments, exportAudience, kpis } from './activation.mjs';
import {
  at,
  BASE,
  chartDrawn,
  checkInteger,
  equal,
  expecting,
  fail,
  finish,
  go,
  LANGUAGES,
  MESSAGES,
  ok,
  settled,
  shot,
  text,
  TIMEOUT,
  waitTitle,
  watch,
} from './harness.mjs';

const ADMIN = process.env.SEGMENTA_TOKEN_ADMIN;
const ANALYST = process.env.SEGMENTA_TOKEN_ANALYST;
const VIEWER = process.env.SEGMENTA_TOKEN_VIEWER;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!BASE || !ADMIN || !VIEWER) {
  console.error('set SEGMENTA_URL, SEGMENTA_TOKEN_ADMIN and SEGMENTA_TOKEN_VIEWER (tests/run.sh does)');
  process.exit(2);
}
const CLUSTER_METHODS = new Set(['kmeans', 'kprototypes', 'gmm']);

// ---- the flows ------------------------------------------------------------------------

async function signIn(page, token, role) {
  await page.getByTestId('token-input').waitFor({ timeout: TIMEOUT });
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('role').waitFor({ timeout: TIMEOUT });
  equal(await page.getByTestId('role').getAttribute('data-role'), role, 'role after sign-in');
  await page.getByTestId('segmentation-card').first().waitFor({ timeout: TIMEOUT }); // the overview
}

async function switchLanguage(page, code) {
  const before = await page.getByTestId('language-select').inputValue();
  await page.getByTestId('language-select').selectOption(code);
  const label = MESSAGES[code]['nav.overview'];
  await page.getByTestId('nav-overview').filter({ hasText: label }).waitFor({ timeout: TIMEOUT });
  // The page on screen is drawn again in the new language: let its requests finish.
  await settled(page);
  if (before !== code) {
    equal(
      await page.evaluate(() => localStorage.getItem('segmenta.lang')),
      code,
      'language kept in localStorage',
    );
  }
  equal(await page.evaluate(() => document.documentElement.lang), code, '<html lang>');
  for (const [testid, key] of [
    ['nav-migration', 'nav.migration'],
    ['nav-customer', 'nav.customer'],
    ['nav-rules', 'nav.rules'],
    ['nav-experiments', 'nav.experiments'],
    ['nav-kpis', 'nav.kpis'],
  ]) {
    equal(await text(page, testid), MESSAGES[code][key], `${testid} translated`);
  }
}

async function overview(page, code, intl) {
  at(`${code} overview`);
  const m = MESSAGES[code];
  await go(page, '#/');
  await waitTitle(page, m['overview.title']);
  await page.getByTestId('segmentation-card').first().waitFor({ timeout: TIMEOUT });
  await checkInteger(page, 'overview-customers', intl, 'customers');
  const asOf = await page.getByTestId('snapshot-as-of').getAttribute('data-value');
  const [year, month, day] = asOf.split('-').map(Number);
  const wantDate = new Intl.DateTimeFormat(intl, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
  equal(await text(page, 'snapshot-as-of'), wantDate, `as-of date formatted for ${intl}`);
  const share = await text(page, 'segment-share');
  ok(
    code === 'en' ? /^\d+\.\d%$/.test(share) : /^\d+,\d\s?%$/.test(share),
    `share "${share}" uses the ${code} decimal separator`,
  );
  ok((await page.getByTestId('health-warning').count()) > 0, 'health warnings listed');
  const cards = await page.getByTestId('segmentation-card').evaluateAll((elements) =>
    elements.map((element) => ({
      name: element.dataset.name,
      method: element.querySelector('.badge')?.textContent ?? '',
    })),
  );
  ok(cards.length >= 5, `${cards.length} segmentations on the overview`);
  for (const card of cards) await chartDrawn(page, `chart-sizes-${card.name}`);
  // The suppressed segment (run.sh adds it) says so and never shows a number.
  const tiny = page.locator(
    '[data-testid="segmentation-card"][data-name="tiny"] [data-testid="segment-row"][data-segment="Very frequent"]',
  );
  equal(await tiny.count(), 1, 'the tiny segmentation is listed');
  equal(
    (await tiny.getByTestId('suppressed').textContent())?.trim(),
    m['common.suppressed'],
    'suppressed segment text',
  );
  equal(await tiny.getByTestId('segment-customers').count(), 0, 'no count for a suppressed segment');
  await shot(page, `${code}-1-overview`);
  return cards;
}

async function segment(page, code, intl) {
  at(`${code} segment`);
  const m = MESSAGES[code];
  await page
    .locator('[data-testid="segmentation-card"][data-name="rfm"] [data-testid="segment-link"]', {
      hasText: 'Champions',
    })
    .click();
  await waitTitle(page, 'Champions');
  await page.getByTestId('profile-name').waitFor({ timeout: TIMEOUT });
  ok((await text(page, 'profile-name')).length > 0, 'generated name shown');
  ok((await text(page, 'profile-description')).length > 20, 'description shown');
  ok((await text(page, 'profile-play')).startsWith(m['profile.play']), 'recommended play shown');
  await checkInteger(page, 'profile-size', intl, 'segment size');
  ok(
    (await page.locator('[data-testid="profile-numbers"] tbody tr').count()) > 3,
    'numeric summaries vs base',
  );
  ok(
    (await page.locator('[data-testid="profile-categories"] tbody tr').count()) > 0,
    'top categories with lift',
  );
  ok(
    (await page.locator('[data-testid="profile-distinguishing"] tbody tr').count()) > 0,
    'distinguishing features',
  );

  await page.getByTestId('member-id').first().waitFor({ timeout: TIMEOUT });
  const firstPage = await page.getByTestId('member-id').allTextContents();
  ok(firstPage.length > 0 && firstPage.length <= 50, `members page of ${firstPage.length}`);
  const total = Number(await page.getByTestId('members-range').getAttribute('data-total'));
  ok(total > 0, 'members total');
  equal(
    await text(page, 'members-range'),
    m['members.range']
      .replace('{from}', new Intl.NumberFormat(intl).format(1))
      .replace('{to}', new Intl.NumberFormat(intl).format(firstPage.length))
      .replace('{total}', new Intl.NumberFormat(intl).format(total)),
    'members range',
  );
  if (total > firstPage.length) {
    await page.getByTestId('members-next').click();
    await page.waitForFunction(
      (first) => {
        const shown = document.querySelector('[data-testid="member-id"]')?.textContent;
        return shown !== undefined && shown !== first;
      },
      firstPage[0],
      { timeout: TIMEOUT },
    );
    const secondPage = await page.getByTestId('member-id').allTextContents();
    ok(secondPage[0] > firstPage[firstPage.length - 1], 'next page continues the sorted ids');
    await page.getByTestId('members-prev').click();
    await page.waitForFunction(
      (first) => document.querySelector('[data-testid="member-id"]')?.textContent === first,
      firstPage[0],
      { timeout: TIMEOUT },
    );
  }

  await exportAudience(page, code, intl, total);
  await shot(page, `${code}-2-segment`);

  // A segment under the minimum group size: no profile, and the export is refused (422).
  at(`${code} suppressed segment`);
  await go(page, '#/segment/tiny/Very%20frequent');
  await page.getByTestId('profile-suppressed').waitFor({ timeout: TIMEOUT });
  equal(await text(page, 'profile-suppressed'), m['common.suppressed'], 'suppressed profile text');
  equal(await page.getByTestId('profile-size').count(), 0, 'no size for a suppressed segment');
  expecting([[422, /\/v1\/exports$/]]);
  await page.getByTestId('export-button').click();
  await page.getByTestId('export-error').waitFor({ timeout: TIMEOUT });
  equal(await page.getByTestId('export-error').getAttribute('data-code'), 'too_small', 'refusal code');
  const refusal = await text(page, 'export-error');
  ok(refusal.startsWith(m['export.too_small']), `the refused export says why: "${refusal}"`);
  expecting([]);
  await shot(page, `${code}-2-segment-refused`);
  return firstPage[0];
}

async function segmentations(page, code, cards) {
  at(`${code} segmentation rfm`);
  const m = MESSAGES[code];
  await go(page, '#/segmentation/rfm');
  await waitTitle(page, 'rfm');
  await chartDrawn(page, 'chart-sizes');
  await chartDrawn(page, 'chart-rfm-grid');
  ok((await page.getByTestId('thresholds').count()) === 1, 'RFM thresholds shown');
  ok((await page.getByTestId('chart-projection').count()) === 0, 'no projection for rfm');
  await shot(page, `${code}-3-segmentation-rfm`);

  const clustered = cards.filter((card) => CLUSTER_METHODS.has(card.method));
  ok(clustered.length > 0, 'the demo has cluster segmentations');
  for (const card of clustered) {
    at(`${code} segmentation ${card.name}`);
    await go(page, `#/segmentation/${encodeURIComponent(card.name)}`);
    await waitTitle(page, card.name);
    await chartDrawn(page, 'chart-projection');
    ok((await page.getByTestId('k-search').count()) === 1, 'k search table');
    ok((await page.getByTestId('chart-rfm-grid').count()) === 0, 'no RFM grid for clusters');
    const legend = m['segmentation.projection'];
    ok((await page.getByText(legend).count()) > 0, 'projection heading translated');
    await shot(page, `${code}-4-segmentation-${card.name}`);
  }
}

async function migration(page, code) {
  at(`${code} migration`);
  const m = MESSAGES[code];
  await page.getByTestId('nav-migration').click();
  await waitTitle(page, m['migration.title']);
  await page.getByTestId('migration-card').first().waitFor({ timeout: TIMEOUT });
  const snapshots = await page.evaluate(async () => {
    const response = await fetch('/v1/snapshots', {
      headers: { Authorization: `Bearer ${sessionStorage.getItem('segmenta.token')}` },
    });
    return (await response.json()).snapshots.map((snapshot) => String(snapshot.snapshot_id));
  });
  equal(
    await page.getByTestId('snapshot-a').inputValue(),
    snapshots[snapshots.length - 2],
    'A defaults to the second latest',
  );
  equal(
    await page.getByTestId('snapshot-b').inputValue(),
    snapshots[snapshots.length - 1],
    'B defaults to the latest',
  );
  const names = await page
    .getByTestId('migration-card')
    .evaluateAll((elements) => elements.map((element) => element.dataset.name));
  ok(names.includes('rfm'), 'rfm migration shown');
  for (const name of names) {
    if (await page.getByTestId(`chart-sankey-${name}`).count())
      await chartDrawn(page, `chart-sankey-${name}`);
    ok(
      (await page.locator(`[data-testid="drift-table-${name}"] tbody tr`).count()) > 0,
      `size drift rows of ${name}`,
    );
  }
  await shot(page, `${code}-5-migration`);
}

async function customer(page, code, id) {
  at(`${code} customer`);
  const m = MESSAGES[code];
  await page.getByTestId('nav-customer').click();
  await waitTitle(page, m['customer.title']);
  await page.getByLabel(m['customer.id_label']).fill(id);
  await page.getByTestId('customer-submit').click();
  await page.getByTestId('features-table').waitFor({ timeout: TIMEOUT });
  equal(await text(page, 'customer-id'), id, 'customer shown');
  ok((await page.locator('[data-testid="features-table"] tbody tr').count()) > 10, 'features listed');
  ok((await page.getByTestId('customer-segmentation').count()) >= 5, 'segmentations listed');
  ok((await page.locator('[data-testid="reasons"] li').count()) > 5, 'reasons listed');
  await shot(page, `${code}-6-customer`);

  // An unknown id: the server's message, which names the id asked for.
  expecting([[404, /\/v1\/customers\//]]);
  const unknown = id.replace(/^(\D*)0+/, '$1');
  await page.getByTestId('customer-input').fill(unknown);
  await page.getByTestId('customer-submit').click();
  await page.getByTestId('customer-error').waitFor({ timeout: TIMEOUT });
  const error = await text(page, 'customer-error');
  ok(error.includes(unknown), `404 message names the unknown id: "${error}"`);
  expecting([]);
}

async function typeRule(page, rule) {
  await page.getByTestId('rule-input').type(rule, { delay: 25 });
}

async function waitCount(page, previous) {
  const handle = await page.waitForFunction(
    (before) => {
      const element = document.querySelector('[data-testid="rule-count"]');
      const value = element?.getAttribute('data-value');
      if (value === null || value === undefined || value === before) return null;
      return value;
    },
    previous,
    { timeout: TIMEOUT, polling: 50 },
  );
  return Number(await handle.jsonValue());
}

async function rules(page, code, intl, role) {
  at(`${code} rules`);
  const m = MESSAGES[code];
  await page.getByTestId('nav-rules').click();
  await waitTitle(page, m['rules.title']);
  const input = page.getByLabel(m['rules.label'], { exact: true });
  await input.fill('');
  expecting([
    [400, /\/v1\/preview$/],
    ['abort', /\/v1\/preview$/],
  ]);
  await input.click();
  await typeRule(page, 'frequency >= 1');
  const atLeastOne = await waitCount(page, null);
  ok(atLeastOne > 0, `frequency >= 1 selects ${atLeastOne}`);
  await checkInteger(page, 'rule-count', intl, 'rule count');
  ok(/\d/.test(await text(page, 'rule-ms')), 'milliseconds shown');
  const base = Number(await page.getByTestId('rule-base').getAttribute('data-value'));
  const share = new Intl.NumberFormat(intl, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(atLeastOne / base);
  equal(await text(page, 'rule-share'), share, 'share of the base');
  const sample = await page.locator('[data-testid="rule-sample"] li').count();
  if (role === 'viewer') ok(sample === 0, 'no sample ids for a viewer');
  else ok(sample > 0, 'sample ids shown');

  await page.keyboard.press('Backspace');
  await typeRule(page, '5');
  const atLeastFive = await waitCount(page, String(atLeastOne));
  ok(atLeastFive < atLeastOne, `count changed as typed: ${atLeastOne} → ${atLeastFive}`);
  await shot(page, `${code}-7-rules${role === 'viewer' ? '-viewer' : ''}`);

  // Fewer than the minimum group size: "suppressed", no count.
  await input.fill('');
  await typeRule(page, 'frequency >= 25');
  await page.locator('[data-testid="rule-count"][data-suppressed="true"]').waitFor({ timeout: TIMEOUT });
  equal(await text(page, 'rule-count'), m['common.suppressed'], 'a suppressed count says so');

  await input.fill('');
  await typeRule(page, 'frequncy >= 5');
  await page.getByTestId('rule-error').waitFor({ timeout: TIMEOUT });
  const error = await text(page, 'rule-error');
  ok(
    error.includes('frequency') && error.includes('^'),
    `parse error with its caret: ${JSON.stringify(error)}`,
  );
  equal(
    await page.getByTestId('rule-error').evaluate((element) => element.tagName),
    'PRE',
    'error in a <pre>',
  );
  await page.waitForTimeout(300); // let a stray debounced request settle inside this step
  expecting([]);
  await input.fill('');
}

async function viewer(page, code, id) {
  at(`${code} viewer`);
  const m = MESSAGES[code];
  await go(page, '#/segment/rfm/Champions');
  await page.getByTestId('profile-name').waitFor({ timeout: TIMEOUT });
  await switchLanguage(page, code);
  await page.getByTestId('profile-name').waitFor({ timeout: TIMEOUT });
  await page.waitForTimeout(200);
  equal(await page.getByTestId('members-table').count(), 0, 'no members table for a viewer');
  equal(await page.getByTestId('export-button').count(), 0, 'no export for a viewer');
  equal(await text(page, 'members-hidden'), m['members.forbidden'], 'viewer told why there are no members');
  await shot(page, `${code}-8-viewer-segment`);

  expecting([[403, /\/v1\/customers\//]]);
  await go(page, `#/customer/${encodeURIComponent(id)}`);
  await page.getByTestId('customer-forbidden').waitFor({ timeout: TIMEOUT });
  equal(await text(page, 'customer-forbidden'), m['customer.forbidden'], 'role message');
  expecting([]);
  await shot(page, `${code}-9-viewer-customer`);
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    // ---- admin, every page in every language
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
      locale: 'en-GB',
    });
    const page = await context.newPage();
    watch(page, 'admin');

    at('sign-in');
    await page.goto(BASE);
    await page.getByTestId('token-input').waitFor({ timeout: TIMEOUT });
    equal(await page.getByLabel(MESSAGES.en['signin.token']).count(), 1, 'token field has a label');
    expecting([[401, /\/v1\/me$/]]);
    await page.getByTestId('token-input').fill('sgm_not_a_real_token');
    await page.getByTestId('sign-in').click();
    await page
      .getByTestId('signin-message')
      .filter({ hasText: MESSAGES.en['signin.rejected'] })
      .waitFor({ timeout: TIMEOUT });
    expecting([]);
    await signIn(page, ADMIN, 'admin');
    equal(
      await page.evaluate(() => sessionStorage.getItem('segmenta.token')),
      ADMIN,
      'token kept in sessionStorage',
    );

    let memberId = null;
    for (const [code, intl] of LANGUAGES) {
      const languageStarted = Date.now();
      at(`${code} switch`);
      console.log(`== ${code}`);
      await switchLanguage(page, code);
      const cards = await overview(page, code, intl);
      memberId = await segment(page, code, intl);
      await segmentations(page, code, cards);
      await migration(page, code);
      await customer(page, code, memberId);
      await rules(page, code, intl, 'admin');
      if (EXPERIMENT) await experiments(page, code, intl, 'admin');
      await kpis(page, code, intl);
      console.log(`   ${((Date.now() - languageStarted) / 1000).toFixed(1)} s`);
    }

    // ---- a stale token anywhere: back to sign-in with a message
    at('401');
    expecting([[401, /\/v1\//]]);
    await page.evaluate(() => sessionStorage.setItem('segmenta.token', 'sgm_revoked'));
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('token-input').waitFor({ timeout: TIMEOUT });
    const lang = LANGUAGES[LANGUAGES.length - 1][0];
    await page
      .getByTestId('signin-message')
      .filter({ hasText: MESSAGES[lang]['signin.expired'] })
      .waitFor({ timeout: TIMEOUT });
    expecting([]);
    await context.close();

    // ---- analyst: members and customers, like admin
    if (ANALYST) {
      at('analyst');
      const analystContext = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        locale: 'en-GB',
      });
      const analystPage = await analystContext.newPage();
      watch(analystPage, 'analyst');
      await analystPage.goto(BASE);
      await signIn(analystPage, ANALYST, 'analyst');
      await go(analystPage, '#/segment/rfm/Champions');
      await analystPage.getByTestId('member-id').first().waitFor({ timeout: TIMEOUT });
      ok((await analystPage.getByTestId('export-button').count()) === 1, 'analyst can export');
      if (EXPERIMENT) await createExperiment(analystPage);
      await analystContext.close();
    }

    // ---- viewer, in every language
    console.log('== viewer');
    const viewerContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'en-GB',
    });
    const viewerPage = await viewerContext.newPage();
    watch(viewerPage, 'viewer');
    at('viewer sign-in');
    await viewerPage.goto(BASE);
    await signIn(viewerPage, VIEWER, 'viewer');
    for (const [code, intl] of LANGUAGES) {
      await viewer(viewerPage, code, memberId);
      if (code === 'en' || code === 'bg') await rules(viewerPage, code, intl, 'viewer');
      if (EXPERIMENT) await experiments(viewerPage, code, intl, 'viewer');
    }
    at('viewer sign-out');
    await viewerPage.getByTestId('sign-out').click();
    await viewerPage.getByTestId('token-input').waitFor({ timeout: TIMEOUT });
    equal(
      await viewerPage.evaluate(() => sessionStorage.getItem('segmenta.token')),
      null,
      'sign out forgets the token',
    );
    // The sign-in page in every language.
    for (const [code] of LANGUAGES) {
      at(`${code} sign-in page`);
      await viewerPage.getByTestId('language-select').selectOption(code);
      await waitTitle(viewerPage, MESSAGES[code]['signin.title']);
      equal(await viewerPage.getByLabel(MESSAGES[code]['signin.token']).count(), 1, 'token field labelled');
      equal(await text(viewerPage, 'sign-in'), MESSAGES[code]['signin.submit'], 'sign-in button translated');
      await shot(viewerPage, `${code}-0-signin`);
    }
    await viewerContext.close();
  } catch (error) {
    fail(error);
  } finally {
    await browser.close();
  }
  finish();
}

await main();
