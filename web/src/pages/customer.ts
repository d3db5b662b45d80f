// One customer: features, and per segmentation the segments and the reasons.
import { api, ApiError } from '../api';
import { h, routeHref } from '../dom';
import { fmtDate, fmtFeature, t } from '../i18n';
import type { Customer } from '../types';
import {
  dataTable,
  errorBox,
  fill,
  pageTitle,
  rowHeader,
  segmentHref,
  segmentationHref,
  type PageContext,
} from '../ui';

export async function customerPage(ctx: PageContext): Promise<void> {
  const id = ctx.params[0] ?? '';
  const input = h('input', {
    id: 'customer-id',
    name: 'customer-id',
    type: 'search',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    value: id,
    'data-testid': 'customer-input',
  });
  const form = h(
    'form',
    { class: 'card inline-form', role: 'search', 'data-testid': 'customer-form' },
    h('label', { for: 'customer-id' }, t('customer.id_label')),
    input,
    h('button', { type: 'submit', 'data-testid': 'customer-submit' }, t('customer.look_up')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const wanted = input.value.trim();
    if (wanted) location.hash = routeHref('customer', wanted);
  });
  const result = h('div', { 'data-testid': 'customer-result', 'aria-live': 'polite' });
  ctx.root.append(pageTitle(t('customer.title')), form, result);
  if (!id) {
    input.focus();
    return;
  }
  await fill(result, async () => {
    try {
      return customerView(await api.customer(id, ctx.signal));
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) {
        return h(
          'p',
          { class: 'notice', role: 'alert', 'data-testid': 'customer-forbidden' },
          t('customer.forbidden'),
        );
      }
      const box = errorBox(error, 'customer-error');
      if (box) return box;
      throw error;
    }
  });
}

function customerView(customer: Customer): HTMLElement {
  return h(
    'div',
    { 'data-testid': 'customer' },
    h(
      'section',
      { class: 'card' },
      h('h2', { 'data-testid': 'customer-id' }, customer.customer_id),
      h(
        'p',
        { class: 'muted' },
        t('customer.as_of', { date: fmtDate(customer.as_of), snapshot: customer.snapshot_id }),
      ),
    ),
    h(
      'div',
      { class: 'split wide-right' },
      h(
        'section',
        { class: 'card' },
        h('h2', null, t('customer.features')),
        featuresTable(customer.features),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', null, t('customer.segmentations')),
        customer.segmentations.map((item) =>
          h(
            'div',
            { class: 'explanation', 'data-testid': 'customer-segmentation', 'data-name': item.segmentation },
            h(
              'h3',
              null,
              h('a', { href: segmentationHref(item.segmentation) }, item.segmentation),
              ' ',
              h('span', { class: 'badge' }, item.method),
            ),
            h(
              'p',
              { 'data-testid': 'customer-segments' },
              item.segments.length
                ? item.segments.map((segment, index) => [
                    index ? ', ' : '',
                    h('a', { href: segmentHref(item.segmentation, segment), class: 'pill' }, segment),
                  ])
                : h('span', { class: 'muted' }, t('customer.no_segment')),
            ),
            item.reasons.length
              ? h(
                  'ul',
                  { class: 'reasons', 'data-testid': 'reasons' },
                  item.reasons.map((reason) => h('li', null, reason)),
                )
              : null,
          ),
        ),
      ),
    ),
  );
}

function featuresTable(features: Record<string, string>): HTMLElement {
  return dataTable(
    [{ label: t('table.feature') }, { label: t('table.value'), numeric: true }],
    Object.entries(features).map(([name, value]) => [
      rowHeader(h('code', null, name)),
      h('td', { class: 'num', 'data-value': value }, fmtFeature(value)),
    ]),
    { 'data-testid': 'features-table' },
  );
}
