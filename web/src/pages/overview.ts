// The latest snapshot: its figures, health warnings and every segmentation's sizes.
import { api } from '../api';
import { h } from '../dom';
import { DASH, fmtDate, fmtDateTime, fmtInt, fmtSeconds, t } from '../i18n';
import type { Overview, SegmentationSizes, Warning } from '../types';
import {
  chartBox,
  chartPage,
  figure,
  pageTitle,
  segmentHref,
  segmentationHref,
  sizesChart,
  sizesTable,
  type PageContext,
} from '../ui';

export async function overviewPage(ctx: PageContext): Promise<void> {
  await chartPage(ctx, pageTitle(t('overview.title')), async (draws) => {
    const overview = await api.overview(ctx.signal);
    const cards = overview.segmentations.map((segmentation) => segmentationCard(segmentation, draws));
    return [snapshotCard(overview), healthSection(overview.health), ...cards];
  });
}

function snapshotCard(overview: Overview): HTMLElement {
  const snapshot = overview.snapshot;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'snapshot-heading' },
    h('h2', { id: 'snapshot-heading' }, t('overview.snapshot')),
    h(
      'dl',
      { class: 'figures' },
      figure(t('overview.snapshot_id'), `#${snapshot.snapshot_id}`, 'snapshot-id', snapshot.snapshot_id),
      figure(t('overview.as_of'), fmtDate(snapshot.as_of), 'snapshot-as-of', snapshot.as_of),
      figure(
        t('overview.created'),
        fmtDateTime(snapshot.created_at),
        'snapshot-created',
        snapshot.created_at,
      ),
      // A stored snapshot may carry no run time (absent, or 0): shown as unknown.
      figure(
        t('overview.run_seconds'),
        overview.seconds ? fmtSeconds(overview.seconds) : DASH,
        'snapshot-seconds',
        overview.seconds,
      ),
      figure(t('overview.customers'), fmtInt(overview.customers), 'overview-customers', overview.customers),
    ),
  );
}

function healthSection(health: Warning[]): HTMLElement {
  const items = health.map((warning) =>
    h(
      'li',
      { 'data-testid': 'health-warning' },
      h(
        'a',
        { href: segmentHref(warning.segmentation, warning.segment) },
        `${warning.segmentation} / ${warning.segment}`,
      ),
      ': ',
      warning.message,
      ' ',
      h('span', { class: 'badge' }, warning.check),
    ),
  );
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'health-heading', 'data-testid': 'health' },
    h(
      'h2',
      { id: 'health-heading' },
      t('overview.health'),
      ' ',
      h('span', { class: 'count' }, fmtInt(health.length)),
    ),
    items.length
      ? h('ul', { class: 'warnings', 'data-testid': 'health-list' }, items)
      : h('p', { class: 'muted', 'data-testid': 'health-none' }, t('overview.health_none')),
  );
}

function segmentationCard(segmentation: SegmentationSizes, draws: Array<() => void>): HTMLElement {
  const height = Math.max(120, 28 * segmentation.segments.length + 30);
  const box = chartBox(
    `chart-sizes-${segmentation.name}`,
    height,
    t('overview.chart_label', { name: segmentation.name }),
  );
  draws.push(() => sizesChart(box, segmentation.segments));
  return h(
    'section',
    { class: 'card', 'data-testid': 'segmentation-card', 'data-name': segmentation.name },
    h(
      'h2',
      null,
      h(
        'a',
        { href: segmentationHref(segmentation.name), 'data-testid': 'segmentation-link' },
        segmentation.name,
      ),
      ' ',
      h('span', { class: 'badge' }, segmentation.method),
    ),
    h('div', { class: 'split' }, box, sizesTable(segmentation.name, segmentation.segments)),
  );
}
