// The rule editor: as the rule is typed, how many customers it selects (debounced; a
// newer keystroke cancels the request in flight), or the parser's error with its caret.
import { api, ApiError, isAbort } from '../api';
import { h } from '../dom';
import { fmtInt, fmtMilliseconds, fmtPct, t } from '../i18n';
import type { Preview } from '../types';
import { customerHref, errorBox, pageTitle, suppressedText, type PageContext } from '../ui';

const DEBOUNCE_MS = 250;
let lastRule = ''; // kept across language switches and visits

export function rulesPage(ctx: PageContext): void {
  const input = h('textarea', {
    id: 'rule',
    rows: 4,
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-describedby': 'rule-help',
    'data-testid': 'rule-input',
  });
  input.value = lastRule;
  const state = h('p', { class: 'muted', 'data-testid': 'rule-state', 'aria-live': 'polite' });
  const result = h('div', { 'data-testid': 'rule-result', 'aria-live': 'polite' });
  ctx.root.append(
    pageTitle(t('rules.title')),
    h(
      'section',
      { class: 'card' },
      h('label', { for: 'rule' }, t('rules.label')),
      input,
      h(
        'p',
        { id: 'rule-help', class: 'muted' },
        t('rules.help'),
        ' ',
        h('code', null, 'recency_days > 180 and frequency >= 3'),
        ', ',
        h('code', null, "in_segment('rfm', 'Champions')"),
        ', ',
        h('code', null, 'had(purchase, within 30d)'),
      ),
      state,
      result,
    ),
  );

  let timer: number | undefined;
  let inFlight: AbortController | null = null;
  ctx.signal.addEventListener('abort', () => {
    window.clearTimeout(timer);
    inFlight?.abort();
  });

  const check = async (rule: string) => {
    inFlight?.abort();
    if (!rule.trim()) {
      inFlight = null;
      state.textContent = '';
      result.replaceChildren();
      return;
    }
    const controller = new AbortController();
    inFlight = controller;
    state.textContent = t('rules.checking');
    try {
      const preview = await api.preview(rule, controller.signal);
      if (controller.signal.aborted) return;
      state.textContent = '';
      result.replaceChildren(previewView(preview));
    } catch (error) {
      if (isAbort(error) || controller.signal.aborted) return;
      state.textContent = '';
      if (error instanceof ApiError && error.status === 400) {
        result.replaceChildren(
          h('pre', { class: 'rule-error', role: 'alert', 'data-testid': 'rule-error' }, error.message),
        );
      } else {
        result.replaceChildren(errorBox(error) ?? '');
      }
    } finally {
      if (inFlight === controller) inFlight = null;
    }
  };

  input.addEventListener('input', () => {
    lastRule = input.value;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void check(input.value), DEBOUNCE_MS);
  });
  if (lastRule) void check(lastRule);
  input.focus();
}

function previewView(preview: Preview): HTMLElement {
  const figures = h(
    'dl',
    { class: 'figures' },
    h(
      'div',
      { class: 'figure' },
      h('dt', null, t('rules.customers')),
      h(
        'dd',
        {
          'data-testid': 'rule-count',
          'data-value': preview.customers,
          'data-suppressed': preview.suppressed ? 'true' : undefined,
        },
        preview.suppressed || preview.customers === undefined ? suppressedText() : fmtInt(preview.customers),
      ),
    ),
    h(
      'div',
      { class: 'figure' },
      h('dt', null, t('rules.share')),
      h(
        'dd',
        { 'data-testid': 'rule-share' },
        preview.suppressed || preview.customers === undefined || !preview.base
          ? '—'
          : fmtPct(preview.customers / preview.base, 1),
      ),
    ),
    h(
      'div',
      { class: 'figure' },
      h('dt', null, t('rules.base')),
      h('dd', { 'data-testid': 'rule-base', 'data-value': preview.base }, fmtInt(preview.base)),
    ),
    h(
      'div',
      { class: 'figure' },
      h('dt', null, t('rules.time')),
      h(
        'dd',
        { 'data-testid': 'rule-ms', 'data-value': preview.milliseconds },
        fmtMilliseconds(preview.milliseconds),
      ),
    ),
  );
  const sample = preview.sample ?? [];
  return h(
    'div',
    null,
    figures,
    sample.length
      ? h(
          'div',
          null,
          h('h2', { class: 'sample-heading' }, t('rules.sample')),
          h(
            'ul',
            { class: 'sample', 'data-testid': 'rule-sample' },
            sample.map((id) => h('li', null, h('a', { href: customerHref(id) }, id))),
          ),
        )
      : null,
  );
}
