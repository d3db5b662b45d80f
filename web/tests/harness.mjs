// The browser test's harness: the server and languages from the environment, the
// checks and their failures, the watch on every page (console errors, failed requests,
// HTTP errors no step expects, requests to other origins), and the helpers the flows
// share. Used by browser.mjs (the flows, and main) and activation.mjs.
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const BASE = process.env.SEGMENTA_URL;
export const ARTIFACTS = process.env.SEGMENTA_ARTIFACTS ?? join(process.cwd(), 'browser-artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

// The languages, with the locale Intl formats with (as src/i18n.ts has them).
export const LANGUAGES = [
  ['en', 'en-GB'],
  ['ro', 'ro-RO'],
  ['bg', 'bg-BG'],
  ['pl', 'pl-PL'],
  ['it', 'it-IT'],
  ['pt', 'pt-PT'],
];
export const MESSAGES = Object.fromEntries(
  LANGUAGES.map(([code]) => [
    code,
    JSON.parse(readFileSync(join(HERE, '../src/locales', `${code}.json`), 'utf8')),
  ]),
);
export const TIMEOUT = 15_000;

// ---- bookkeeping -------------------------------------------------------------------

const started = Date.now();
let checks = 0;
const failures = [];
let step = 'start';

// Names the step the next checks belong to (failures are reported under it).
export function at(name) {
  step = name;
}

// A step that threw: the run fails with its stack.
export function fail(error) {
  failures.push(`${step}: ${error.stack ?? error}`);
  console.error(error);
}

// The verdict: exit status 1 with the failures listed, else the number of checks.
export function finish() {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failures.length) {
    console.error(`\nFAILED: ${failures.length} of ${checks} checks (${seconds} s)`);
    for (const failure of failures) console.error(`  - ${failure}`);
    process.exit(1);
  }
  console.log(`\nOK: ${checks} checks in ${seconds} s; screenshots in ${ARTIFACTS}`);
}

export function ok(condition, what) {
  checks += 1;
  if (!condition) {
    failures.push(`${step}: ${what}`);
    console.error(`  ✗ ${what}`);
  }
}

export function equal(actual, expected, what) {
  ok(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// HTTP errors and aborted requests a step provokes on purpose: [status, url pattern].
let expected = [];
export function expecting(list) {
  expected = list;
}
function isExpected(status, url) {
  return expected.some(([code, pattern]) => code === status && pattern.test(url));
}

export function watch(page, who) {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location()?.url ?? '';
    const status = /status of (\d{3})/.exec(message.text());
    if (status && isExpected(Number(status[1]), url)) return;
    ok(false, `console error (${who}): ${message.text()} ${url}`);
  });
  page.on('pageerror', (error) => ok(false, `page error (${who}): ${error.message}`));
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? '';
    // The rule editor cancels a preview that a newer keystroke replaced.
    if (failure.includes('ERR_ABORTED') && isExpected('abort', request.url())) return;
    ok(false, `request failed (${who}): ${request.method()} ${request.url()} ${failure}`);
  });
  page.on('response', (response) => {
    const status = response.status();
    if (status < 400 || isExpected(status, response.url())) return;
    ok(false, `HTTP ${status} (${who}): ${response.request().method()} ${response.url()}`);
  });
  page.on('request', (request) => {
    if (
      !request.url().startsWith(BASE) &&
      !request.url().startsWith('blob:') &&
      !request.url().startsWith('data:')
    ) {
      ok(false, `request to another origin (${who}): ${request.url()}`);
    }
  });
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export async function text(page, testid) {
  return (await page.getByTestId(testid).first().textContent())?.trim() ?? '';
}

// A chart has drawn when ECharts says it finished (data-rendered) and its canvas holds
// enough coloured pixels: opaque, and not the greys and blacks of axes and labels.
export async function chartDrawn(page, testid) {
  try {
    await page.waitForFunction(
      (id) => {
        const box = document.querySelector(`[data-testid="${CSS.escape(id)}"]`);
        if (!box || box.dataset.rendered !== 'true') return false; // drawn, animations done
        let opaque = 0;
        let coloured = 0;
        for (const canvas of box.querySelectorAll('canvas')) {
          if (!canvas.width || !canvas.height) continue;
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          for (let index = 0; index < data.length; index += 4 * 3) {
            if (data[index + 3] < 32) continue;
            opaque += 1;
            const high = Math.max(data[index], data[index + 1], data[index + 2]);
            const low = Math.min(data[index], data[index + 1], data[index + 2]);
            if (high - low > 40) coloured += 1;
          }
        }
        return opaque > 300 && coloured > 100;
      },
      testid,
      { timeout: TIMEOUT, polling: 100 },
    );
    ok(true, `${testid} drawn`);
  } catch {
    ok(false, `chart ${testid} did not draw (no coloured pixels on its canvas)`);
  }
}

// The page on screen has loaded what it shows (no "Loading…" left), so that leaving it
// cancels none of its requests.
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid="loading"]'), null, {
    timeout: TIMEOUT,
  });
}

// Navigate by hash once the page on screen has settled; no navigation when the page is
// already there ('' and '#/' are both the overview), so that no request is cancelled for
// nothing.
export async function go(page, hash) {
  await settled(page);
  await page.evaluate((target) => {
    const here = location.hash.replace(/^#\/?/, '');
    if (here === target.replace(/^#\/?/, '')) return;
    location.hash = target;
  }, hash);
}

export async function waitTitle(page, title) {
  await page.getByTestId('page-title').filter({ hasText: title }).first().waitFor({ timeout: TIMEOUT });
}

// The number in data-value, formatted as the language formats integers.
export async function checkInteger(page, testid, intl, what) {
  const element = page.getByTestId(testid).first();
  const shown = (await element.textContent())?.trim();
  const raw = Number(await element.getAttribute('data-value'));
  const want = new Intl.NumberFormat(intl, { maximumFractionDigits: 0 }).format(raw);
  equal(shown, want, `${what} formatted for ${intl}`);
  return raw;
}

// The token of the page, for API calls a check makes itself.
export async function apiGet(page, path) {
  return page.evaluate(async (target) => {
    const response = await fetch(target, {
      headers: { Authorization: `Bearer ${sessionStorage.getItem('segmenta.token')}` },
    });
    return response.json();
  }, path);
}

// A share as the language formats a percentage with one decimal.
export function formatPercent(intl, value) {
  return new Intl.NumberFormat(intl, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
}
