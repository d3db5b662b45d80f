// The browser test's flows for acting on segments (issue 7): the audience export of a
// segment page (CSV, JSON lines with hashed emails, a refused too-small export), the
// experiments list and results with the interval chart, the create form (an analyst;
// a duplicate name refused at its field), and the KPI page (the chart follows the KPI;
// a suppressed segment; spend and ROI when the demo has spend).
//
// Environment (set by run.sh): SEGMENTA_EXPERIMENT, an experiment whose outcome window
// has passed, and SEGMENTA_EXPERIMENT_START, its start; SEGMENTA_DEMO_SPEND=1 when the
// workspace has a spend source.
import { readFileSync } from 'node:fs';
import {
  apiGet,
  at,
  chartDrawn,
  checkInteger,
  equal,
  expecting,
  formatPercent,
  go,
  MESSAGES,
  ok,
  shot,
  text,
  TIMEOUT,
  waitTitle,
} from './harness.mjs';

export const EXPERIMENT = process.env.SEGMENTA_EXPERIMENT ?? '';
const EXPERIMENT_START = process.env.SEGMENTA_EXPERIMENT_START ?? '';
const DEMO_SPEND = process.env.SEGMENTA_DEMO_SPEND === '1';

// ---- audience export ----------------------------------------------------------------------

// Every member of a segment, through the API with the page's token.
async function allMembers(page, segmentation, segment) {
  return page.evaluate(
    async ([seg, name]) => {
      const path = `/v1/segmentations/${encodeURIComponent(seg)}/segments/${encodeURIComponent(name)}/members?limit=1000`;
      const response = await fetch(path, {
        headers: { Authorization: `Bearer ${sessionStorage.getItem('segmenta.token')}` },
      });
      return (await response.json()).customers;
    },
    [segmentation, segment],
  );
}

async function exportOnce(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: TIMEOUT }),
    page.getByTestId('export-button').click(),
  ]);
  const body = readFileSync(await download.path(), 'utf8');
  const done = page.getByTestId('export-done');
  await done.waitFor({ timeout: TIMEOUT });
  const customers = Number(await done.getAttribute('data-customers'));
  const leftOut = Number((await done.getAttribute('data-left-out')) ?? 0);
  return { download, body, customers, leftOut, status: (await done.textContent())?.trim() ?? '' };
}

// The audience export (POST /v1/exports) of rfm/Champions: a CSV of the members with
// consent (the rest left out and counted), and in English also JSON lines with hashed
// emails.
export async function exportAudience(page, code, intl, total) {
  const m = MESSAGES[code];
  const members = new Set(await allMembers(page, 'rfm', 'Champions'));
  equal(members.size, total, 'all members fetched');
  const csv = await exportOnce(page);
  const lines = csv.body.trim().split(/\r?\n/);
  ok(lines[0].startsWith('customer_id'), `export header "${lines[0]}"`);
  equal(lines.length - 1, csv.customers, 'export rows = X-Segmenta-Customers');
  equal(csv.customers + csv.leftOut, total, 'exported + left out without consent = members');
  ok(csv.leftOut > 0, `customers without consent left out (${csv.leftOut})`);
  const ids = lines.slice(1).map((line) => line.split(',')[0].replace(/^"|"$/g, ''));
  ok(
    ids.every((id) => members.has(id)),
    'every exported id is a member',
  );
  equal(csv.download.suggestedFilename(), 'rfm-Champions.csv', 'export file name');
  ok(csv.status.startsWith(m['members.exported'].split('{file}')[0].trim()), `export status "${csv.status}"`);
  const leftOut = new Intl.NumberFormat(intl, { maximumFractionDigits: 0 }).format(csv.leftOut);
  ok(csv.status.includes(m['export.left_out'].replace('{count}', leftOut)), 'left-out count said');
  if (code !== 'en') return;

  await page.getByTestId('export-format').selectOption('jsonl');
  await page.getByTestId('export-hash-pii').check();
  await page.getByTestId('export-no-consent').check();
  const jsonl = await exportOnce(page);
  equal(jsonl.download.suggestedFilename(), 'rfm-Champions.jsonl', 'JSON lines file name');
  const records = jsonl.body
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  equal(records.length, total, 'with customers without consent: every member');
  equal(jsonl.customers, total, 'X-Segmenta-Customers with customers without consent');
  ok(
    typeof records[0].customer_id === 'string' && members.has(records[0].customer_id),
    'first record is a member',
  );
  // The customer-match layout: every contact attribute as <name>_sha256.
  const emails = records.map((record) => record.email_sha256).filter((value) => value);
  ok(emails.length > 0, `hashed emails in the file (${emails.length})`);
  ok(
    emails.every((email) => /^[0-9a-f]{64}$/.test(email)),
    `emails hashed (SHA-256 hex): ${JSON.stringify(emails[0])}`,
  );
  ok(
    records.every((record) => !('email' in record)),
    'no plain email',
  );
  await page.getByTestId('export-format').selectOption('csv');
  await page.getByTestId('export-hash-pii').uncheck();
  await page.getByTestId('export-no-consent').uncheck();
}

// ---- experiments and KPIs ---------------------------------------------------------------

// The experiment run.sh created: in the list, then its arms (numbers formatted for the
// language), the verdicts in the language, and the interval chart drawn.
export async function experiments(page, code, intl, role) {
  at(`${code} experiments`);
  const m = MESSAGES[code];
  await page.getByTestId('nav-experiments').click();
  await waitTitle(page, m['experiments.title']);
  const row = page.locator(`[data-testid="experiment-row"][data-name="${EXPERIMENT}"]`);
  await row.waitFor({ timeout: TIMEOUT });
  await checkInteger(page, 'experiment-customers', intl, 'experiment customers');
  equal(
    await page.getByTestId('experiment-create').count(),
    role === 'viewer' ? 0 : 1,
    `create form for ${role}`,
  );
  await shot(page, `${code}-10-experiments${role === 'viewer' ? '-viewer' : ''}`);

  await row.getByTestId('experiment-link').click();
  await waitTitle(page, EXPERIMENT);
  await page.getByTestId('arms-table').waitFor({ timeout: TIMEOUT });
  const results = await apiGet(page, `/v1/experiments/${encodeURIComponent(EXPERIMENT)}`);
  const arms = page.locator('[data-testid="arms-table"] [data-testid="arm-row"]');
  equal(await arms.count(), results.arms.length, 'a row per arm');
  ok(results.arms.length >= 3, `${results.arms.length} arms (two variants and the hold-out)`);
  equal(
    await page.locator('[data-testid="arms-table"] [data-testid="arm-row"][data-holdout="true"]').count(),
    1,
    'one hold-out row',
  );
  for (const arm of results.arms) {
    const armRow = page.locator(
      `[data-testid="arms-table"] [data-testid="arm-row"][data-variant="${arm.variant}"]`,
    );
    if (arm.suppressed) {
      equal(await armRow.getByTestId('suppressed').count(), 1, `arm ${arm.variant} suppressed`);
      continue;
    }
    const customers = new Intl.NumberFormat(intl, { maximumFractionDigits: 0 }).format(arm.customers);
    equal(
      (await armRow.getByTestId('arm-customers').textContent())?.trim(),
      customers,
      `arm ${arm.variant} customers`,
    );
    equal(
      (await armRow.getByTestId('arm-rate').textContent())?.trim(),
      formatPercent(intl, arm.conversion_rate),
      `arm ${arm.variant} conversion rate`,
    );
    if (arm.vs_holdout) {
      const verdict = (await armRow.getByTestId('arm-verdict').textContent())?.trim();
      equal(verdict, m[`experiments.verdict_${arm.vs_holdout.verdict}`], `arm ${arm.variant} verdict`);
      const difference = (await armRow.getByTestId('arm-difference').textContent())?.trim() ?? '';
      const unit = m['format.pp'].replace('{value}', '').trim();
      ok(difference.endsWith(unit) && /[+\-−]?\d/.test(difference), `difference "${difference}" in ${unit}`);
      const interval = (await armRow.getByTestId('arm-interval').textContent())?.trim() ?? '';
      ok((interval.match(/\d/g) ?? []).length >= 4, `interval "${interval}"`);
    }
  }
  ok(
    results.arms.some((arm) => arm.vs_holdout && !arm.suppressed),
    'a variant is compared with the hold-out',
  );
  ok(
    results.arms.some((arm) => (arm.conversions ?? 0) > 0),
    'outcomes counted (purchases since the start)',
  );
  equal(results.provisional, false, 'window passed: not provisional');
  equal(
    await page.getByTestId('variant-export').count(),
    role === 'viewer' ? 0 : 1,
    `variant export for ${role}`,
  );
  await chartDrawn(page, 'chart-intervals');
  await shot(page, `${code}-11-experiment${role === 'viewer' ? '-viewer' : ''}`);

  if (code === 'en' && role === 'admin') {
    at(`${code} experiment variant export`);
    await page.getByTestId('export-variant').selectOption('A');
    const file = await exportOnce(page);
    equal(file.download.suggestedFilename(), `experiment-${EXPERIMENT}-A.csv`, 'variant file name');
    const rows = file.body.trim().split(/\r?\n/);
    ok(rows[0].startsWith('customer_id'), `variant export header "${rows[0]}"`);
    equal(rows.length - 1, file.customers, 'variant rows = X-Segmenta-Customers');
    ok(file.customers > 0, `variant A exported (${file.customers})`);

    at(`${code} experiment by segment`);
    await page.getByTestId('experiment-by').selectOption('churn');
    await page.getByTestId('by-group').first().waitFor({ timeout: TIMEOUT });
    ok((await page.getByTestId('by-group').count()) >= 2, 'results per churn segment');
    ok((await page.getByTestId('by-arms-table').count()) >= 1, 'arms per churn segment');
    ok(page.url().endsWith('?by=churn'), `address keeps ?by=: ${page.url()}`);
    await shot(page, `${code}-12-experiment-by`);
  }
}

// A canvas's pixels as a data URL, to tell two drawings apart.
async function canvasImage(page, testid) {
  return page.evaluate(
    (id) => document.querySelector(`[data-testid="${CSS.escape(id)}"] canvas`)?.toDataURL() ?? '',
    testid,
  );
}

// KPIs: revenue per segment over the snapshots; another KPI redraws the chart; every
// KPI of the latest snapshot in the table, "—" where there is no value; a segment under
// the minimum group size says so.
export async function kpis(page, code, intl) {
  at(`${code} kpis`);
  const m = MESSAGES[code];
  await page.getByTestId('nav-kpis').click();
  await waitTitle(page, m['kpis.title']);
  await page.getByTestId('kpi-table').waitFor({ timeout: TIMEOUT });
  equal(await page.getByTestId('kpi-segmentation').inputValue(), 'rfm', 'rfm first');
  equal(await text(page, 'kpi-heading'), m['kpis.revenue'], 'revenue first');
  await chartDrawn(page, 'chart-kpi');
  ok((await page.getByTestId('kpi-row').count()) >= 5, 'a row per rfm segment');
  await checkInteger(page, 'kpi-customers', intl, 'KPI customers');
  const dashes = await page
    .locator('[data-testid="kpi-table"] td.num')
    .evaluateAll((cells) =>
      cells.filter((cell) => !cell.hasAttribute('data-value')).map((cell) => cell.textContent),
    );
  ok(
    dashes.every((value) => value === '—'),
    `values that are null show "—" (${dashes.length} of them)`,
  );
  const rate =
    (await page.locator('[data-testid="kpi-repeat_rate"][data-value]').first().textContent())?.trim() ?? '';
  ok(
    code === 'en' ? /^\d+\.\d%$/.test(rate) : /^\d+,\d\s?%$/.test(rate),
    `repeat rate "${rate}" as a percentage`,
  );

  const before = await canvasImage(page, 'chart-kpi');
  await page.getByTestId('kpi-select').selectOption('repeat_rate');
  await page.locator('[data-testid="chart-kpi"][data-kpi="repeat_rate"]').waitFor({ timeout: TIMEOUT });
  await chartDrawn(page, 'chart-kpi');
  equal(await text(page, 'kpi-heading'), m['kpis.repeat_rate'], 'heading follows the KPI');
  ok((await canvasImage(page, 'chart-kpi')) !== before, 'the chart changed with the KPI');
  ok(page.url().includes('kpi=repeat_rate'), `address keeps the KPI: ${page.url()}`);
  await shot(page, `${code}-13-kpis`);

  if (code === 'en') {
    at(`${code} kpis suppressed`);
    await page.getByTestId('kpi-segmentation').selectOption('tiny');
    const tiny = page.locator('[data-testid="kpi-row"][data-segment="Very frequent"]');
    await tiny.waitFor({ timeout: TIMEOUT });
    equal(await tiny.getAttribute('data-suppressed'), 'true', 'tiny segment suppressed');
    equal(await tiny.getByTestId('suppressed').count(), 1, 'suppressed segment says so');
    equal(await tiny.getByTestId('kpi-customers').count(), 0, 'no KPI for a suppressed segment');
    await chartDrawn(page, 'chart-kpi');
  }
  if (DEMO_SPEND && code === 'en') {
    at(`${code} kpis spend`);
    const all = await apiGet(page, '/v1/kpis');
    // The segmentation with the most spend figures: segments without spend have none
    // (null, not 0), and a chart of one point is too small to check by its pixels.
    const spendPoints = (item) =>
      item.snapshots
        .flatMap((snapshot) => snapshot.segments)
        .filter((segment) => typeof segment.spend === 'number' && segment.spend > 0).length;
    const withSpend = [...all.segmentations]
      .filter((item) => spendPoints(item) > 0)
      .sort((a, b) => spendPoints(b) - spendPoints(a))[0];
    ok(withSpend !== undefined, 'some segmentation has spend');
    if (withSpend) {
      await go(page, `#/kpis?segmentation=${encodeURIComponent(withSpend.segmentation)}&kpi=spend`);
      await page.locator('[data-testid="chart-kpi"][data-kpi="spend"]').waitFor({ timeout: TIMEOUT });
      await chartDrawn(page, 'chart-kpi');
      const spent = await page.locator('[data-testid="kpi-spend"][data-value]').count();
      ok(spent > 0, `spend shown for ${spent} segments of ${withSpend.segmentation}`);
      const roi = await page.locator('[data-testid="kpi-roi"][data-value]').count();
      ok(roi > 0, `ROI shown for ${roi} segments`);
      await shot(page, `${code}-14-kpis-spend`);
    }
  }
}

// An analyst creates an experiment through the form; a duplicate name is refused at the
// name field.
export async function createExperiment(page) {
  at('analyst experiment form');
  await go(page, '#/experiments');
  await page.getByTestId('experiment-form').waitFor({ timeout: TIMEOUT });
  const name = 'form-made';
  await page.getByTestId('experiment-name').fill(name);
  await page.getByTestId('experiment-segmentation').selectOption('journey');
  await page.getByTestId('experiment-segment').selectOption('repeat');
  await page.getByTestId('variant-add').click();
  const weights = page.getByTestId('variant-weight');
  equal(await weights.count(), 3, 'a third variant added');
  await weights.nth(0).fill('30');
  await weights.nth(1).fill('30');
  await weights.nth(2).fill('30');
  await page.getByTestId('experiment-start-input').fill(EXPERIMENT_START);
  await page.getByTestId('experiment-submit').click();
  await waitTitle(page, name);
  await page.getByTestId('arms-table').waitFor({ timeout: TIMEOUT });
  equal(
    await page.locator('[data-testid="arms-table"] [data-testid="arm-row"]').count(),
    4,
    'three variants and the hold-out',
  );
  equal(
    await page.getByTestId('experiment-segment').getAttribute('data-value'),
    'journey/repeat',
    'its segment',
  );
  await chartDrawn(page, 'chart-intervals');
  await shot(page, 'en-15-experiment-created');

  at('analyst duplicate experiment');
  await go(page, '#/experiments');
  await page.locator('[data-testid="experiment-row"][data-name="form-made"]').waitFor({ timeout: TIMEOUT });
  expecting([[409, /\/v1\/experiments$/]]);
  await page.getByTestId('experiment-name').fill(EXPERIMENT);
  await page.getByTestId('experiment-submit').click();
  const error = page.getByTestId('field-error-name');
  await error.waitFor({ state: 'visible', timeout: TIMEOUT });
  ok(
    ((await error.textContent()) ?? '').length > 5,
    `duplicate name refused at its field: "${await error.textContent()}"`,
  );
  equal(
    await page.getByTestId('experiment-name').getAttribute('aria-invalid'),
    'true',
    'name field marked invalid',
  );
  expecting([]);
  await shot(page, 'en-16-experiment-duplicate');
}
