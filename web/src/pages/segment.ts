// One segment: its profile card and, for analysts and admins, its members and the
// audience export.
import { api, isAbort, ApiError } from '../api';
import { h, routeHref } from '../dom';
import { DASH, fmtFixed, fmtInt, fmtMoney, fmtNum, fmtPct, fmtSigned, t } from '../i18n';
import type { Members, NumberSummary, Profile } from '../types';
import { exportForm } from './export-form';
import {
  canSeeCustomers,
  customerHref,
  dataTable,
  figure,
  fill,
  numberCell,
  pageTitle,
  rowHeader,
  segmentationHref,
  suppressedText,
  type PageContext,
} from '../ui';

const PAGE_SIZE = 50;

export async function segmentPage(ctx: PageContext): Promise<void> {
  const [segmentation, segment] = ctx.params;
  const breadcrumb = h(
    'p',
    { class: 'breadcrumb' },
    h('a', { href: routeHref() }, t('nav.overview')),
    ' › ',
    h('a', { href: segmentationHref(segmentation), 'data-testid': 'breadcrumb-segmentation' }, segmentation),
  );
  const profileSlot = h('div');
  ctx.root.append(pageTitle(segment, breadcrumb), profileSlot);
  if (canSeeCustomers(ctx.me)) ctx.root.append(membersSection(ctx, segmentation, segment));
  else ctx.root.append(h('p', { class: 'notice', 'data-testid': 'members-hidden' }, t('members.forbidden')));
  await fill(profileSlot, async () => {
    const answer = await api.segment(segmentation, segment, ctx.signal);
    if (answer.suppressed || !answer.profile) {
      return h('section', { class: 'card', 'data-testid': 'profile-suppressed' }, suppressedText());
    }
    return profileCard(answer.profile);
  });
}

// ---- profile ---------------------------------------------------------------------

function profileCard(profile: Profile): HTMLElement {
  return h(
    'div',
    { class: 'profile', 'data-testid': 'profile' },
    h(
      'section',
      { class: 'card persona' },
      h('h2', { 'data-testid': 'profile-name' }, profile.name ?? profile.segment ?? ''),
      profile.description ? h('p', { 'data-testid': 'profile-description' }, profile.description) : null,
      playBlock(profile.play),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', null, t('profile.size')),
      h(
        'dl',
        { class: 'figures' },
        figure(t('profile.customers'), fmtInt(profile.customers), 'profile-size', profile.customers),
        figure(t('profile.share'), fmtPct(profile.share), 'profile-share', profile.share),
        figure(t('profile.revenue'), fmtMoney(profile.revenue), 'profile-revenue', profile.revenue),
        figure(
          t('profile.revenue_share'),
          fmtPct(profile.revenue_share),
          'profile-revenue-share',
          profile.revenue_share,
        ),
        figure(t('profile.base'), fmtInt(profile.base_customers), 'profile-base', profile.base_customers),
      ),
    ),
    distinguishingSection(profile),
    categoriesSection(profile),
    numbersSection(profile),
  );
}

function playBlock(play: Profile['play']): HTMLElement | null {
  if (!play) return null;
  const name = typeof play === 'string' ? play : play.name;
  const why = typeof play === 'string' ? undefined : play.why;
  return h(
    'div',
    { class: 'play', 'data-testid': 'profile-play' },
    h('h3', null, t('profile.play')),
    h('p', null, h('strong', null, name ?? ''), why ? ` — ${why}` : ''),
  );
}

function distinguishingSection(profile: Profile): HTMLElement | null {
  const features = profile.distinguishing ?? [];
  if (!features.length) return null;
  const widest = Math.max(...features.map((item) => Math.abs(item.difference)), 1e-9);
  const rows = features.map((item) => {
    const bar = h('span', { class: item.difference < 0 ? 'bar negative' : 'bar' });
    bar.style.width = `${(Math.abs(item.difference) / widest) * 100}%`;
    return [
      rowHeader(h('code', null, item.feature)),
      numberCell(t('profile.sd', { value: fmtSigned(item.difference) }), item.difference),
      h('td', { class: 'bar-cell', 'aria-hidden': 'true' }, bar),
    ];
  });
  return h(
    'section',
    { class: 'card', 'data-testid': 'profile-distinguishing' },
    h('h2', null, t('profile.distinguishing')),
    h('p', { class: 'muted' }, t('profile.distinguishing_help')),
    dataTable([{ label: t('table.feature') }, { label: t('profile.difference'), numeric: true }, {}], rows),
  );
}

function categoriesSection(profile: Profile): HTMLElement | null {
  const categories = profile.top_categories ?? [];
  if (!categories.length) return null;
  return h(
    'section',
    { class: 'card', 'data-testid': 'profile-categories' },
    h('h2', null, t('profile.categories')),
    dataTable(
      [
        { label: t('profile.category') },
        { label: t('profile.category_share'), numeric: true },
        { label: t('profile.lift'), numeric: true },
      ],
      categories.map((item) => [
        rowHeader(item.category),
        numberCell(fmtPct(item.share), item.share),
        numberCell(fmtFixed(item.lift, 2), item.lift),
      ]),
    ),
  );
}

function numbersSection(profile: Profile): HTMLElement | null {
  const numbers = Object.entries(profile.numbers ?? {});
  if (!numbers.length) return null;
  const cell = (summary: NumberSummary, key: keyof NumberSummary) => {
    const value = summary[key];
    return numberCell(value === null || value === undefined ? DASH : fmtNum(value, 2), value);
  };
  const columns: Array<[keyof NumberSummary, string]> = [
    ['mean', t('profile.mean')],
    ['base_mean', t('profile.base_mean')],
    ['median', t('profile.median')],
    ['base_median', t('profile.base_median')],
    ['p10', t('profile.p10')],
    ['p90', t('profile.p90')],
  ];
  return h(
    'section',
    { class: 'card', 'data-testid': 'profile-numbers' },
    h('h2', null, t('profile.numbers')),
    h(
      'div',
      { class: 'scroll' },
      dataTable(
        [{ label: t('table.feature') }, ...columns.map(([, label]) => ({ label, numeric: true }))],
        numbers.map(([feature, summary]) => [
          rowHeader(h('code', null, feature)),
          columns.map(([key]) => cell(summary, key)),
        ]),
      ),
    ),
  );
}

// ---- members -----------------------------------------------------------------------

function membersSection(ctx: PageContext, segmentation: string, segment: string): HTMLElement {
  const table = h('div', { 'data-testid': 'members' });
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'members-heading' },
    h('h2', { id: 'members-heading' }, t('members.title')),
    exportForm(() => ({ segmentation, segment })),
    table,
  );
  void showMembers(ctx, table, segmentation, segment, 0);
  return section;
}

async function showMembers(
  ctx: PageContext,
  slot: HTMLElement,
  segmentation: string,
  segment: string,
  offset: number,
): Promise<void> {
  await fill(slot, async () => {
    try {
      const page = await api.members(segmentation, segment, offset, PAGE_SIZE, ctx.signal);
      return membersTable(ctx, slot, page);
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) {
        return h('p', { class: 'notice', 'data-testid': 'members-forbidden' }, t('members.forbidden'));
      }
      if (error instanceof ApiError && error.code === 'suppressed') {
        return h('p', { class: 'notice' }, suppressedText());
      }
      if (isAbort(error)) return null;
      throw error;
    }
  });
}

function membersTable(ctx: PageContext, slot: HTMLElement, page: Members): HTMLElement {
  const from = page.total === 0 ? 0 : page.offset + 1;
  const to = page.offset + page.customers.length;
  const go = (offset: number) => () => void showMembers(ctx, slot, page.segmentation, page.segment, offset);
  const previous = h(
    'button',
    {
      type: 'button',
      'data-testid': 'members-prev',
      disabled: page.offset <= 0,
      onclick: go(Math.max(0, page.offset - page.limit)),
    },
    t('members.previous'),
  );
  const next = h(
    'button',
    {
      type: 'button',
      'data-testid': 'members-next',
      disabled: to >= page.total,
      onclick: go(page.offset + page.limit),
    },
    t('members.next'),
  );
  return h(
    'div',
    null,
    h(
      'div',
      { class: 'pager' },
      previous,
      h(
        'span',
        { 'data-testid': 'members-range', 'data-total': page.total },
        t('members.range', { from: fmtInt(from), to: fmtInt(to), total: fmtInt(page.total) }),
      ),
      next,
    ),
    dataTable(
      [{ label: t('table.customer_id') }],
      page.customers.map((id) => [
        h('td', null, h('a', { href: customerHref(id), 'data-testid': 'member-id' }, id)),
      ]),
      { class: 'data members', 'data-testid': 'members-table' },
    ),
  );
}
