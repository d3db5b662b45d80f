// How customers moved between two snapshots: a Sankey per segmentation (left: snapshot
// A's segments, right: B's) and the size drift with customers gained and lost.
import { api } from '../api';
import { colourOf, drawChart } from '../charts';
import { escapeHtml, h, routeHref } from '../dom';
import { fmtDate, fmtInt, fmtMoney, t } from '../i18n';
import type { Comparison, Migration, SizeDrift, Snapshot } from '../types';
import {
  chartBox,
  chartPage,
  dataTable,
  message,
  numberCell,
  pageTitle,
  rowHeader,
  segmentHref,
  suppressedText,
  type PageContext,
} from '../ui';

export async function migrationPage(ctx: PageContext): Promise<void> {
  await chartPage(ctx, pageTitle(t('migration.title')), async (draws) => {
    const { snapshots } = await api.snapshots(ctx.signal);
    if (snapshots.length < 2) return message('migration.need_two', 'migration-need-two');
    const [a, b] = chosenPair(ctx.query, snapshots);
    const picker = snapshotPicker(snapshots, a, b);
    const comparison = await api.compare(a, b, ctx.signal);
    return [
      picker,
      summary(comparison),
      ...comparison.segmentations.map((item) => segmentationSection(item, draws)),
    ];
  });
}

// ?a=&b= from the address, else the two latest snapshots.
function chosenPair(query: URLSearchParams, snapshots: Snapshot[]): [number, number] {
  const ids = new Set(snapshots.map((snapshot) => snapshot.snapshot_id));
  const latest = snapshots[snapshots.length - 1].snapshot_id;
  const previous = snapshots[snapshots.length - 2].snapshot_id;
  const a = Number(query.get('a'));
  const b = Number(query.get('b'));
  return [ids.has(a) ? a : previous, ids.has(b) ? b : latest];
}

function snapshotPicker(snapshots: Snapshot[], a: number, b: number): HTMLElement {
  const select = (id: string, testid: string, selected: number) =>
    h(
      'select',
      { id, 'data-testid': testid },
      snapshots.map((snapshot) =>
        h(
          'option',
          { value: snapshot.snapshot_id, selected: snapshot.snapshot_id === selected },
          t('migration.snapshot_option', { id: snapshot.snapshot_id, date: fmtDate(snapshot.as_of) }),
        ),
      ),
    );
  const selectA = select('snapshot-a', 'snapshot-a', a);
  const selectB = select('snapshot-b', 'snapshot-b', b);
  const go = () => {
    location.hash = `${routeHref('migration')}?a=${selectA.value}&b=${selectB.value}`;
  };
  selectA.addEventListener('change', go);
  selectB.addEventListener('change', go);
  return h(
    'form',
    {
      class: 'card inline-form',
      'data-testid': 'snapshot-picker',
      onsubmit: (event: Event) => event.preventDefault(),
    },
    h('label', { for: 'snapshot-a' }, t('migration.from')),
    selectA,
    h('label', { for: 'snapshot-b' }, t('migration.to')),
    selectB,
  );
}

function summary(comparison: Comparison): HTMLElement {
  return h(
    'p',
    { class: 'muted', 'data-testid': 'migration-summary' },
    t('migration.summary', {
      a: comparison.a.snapshot_id,
      a_date: fmtDate(comparison.a.as_of),
      b: comparison.b.snapshot_id,
      b_date: fmtDate(comparison.b.as_of),
    }),
  );
}

function segmentationSection(
  item: Comparison['segmentations'][number],
  draws: Array<() => void>,
): HTMLElement {
  const links = item.migrations.filter((move) => !move.suppressed && (move.customers ?? 0) > 0);
  const nodeCount = new Set(links.flatMap((move) => ['A' + move.from, 'B' + move.to])).size;
  let chart: HTMLElement;
  if (links.length) {
    chart = chartBox(
      `chart-sankey-${item.segmentation}`,
      Math.max(260, nodeCount * 18),
      t('migration.chart_label', { name: item.segmentation }),
    );
    draws.push(() => sankey(chart, links));
  } else {
    chart = message('migration.no_moves', 'no-moves');
  }
  return h(
    'section',
    { class: 'card', 'data-testid': 'migration-card', 'data-name': item.segmentation },
    h('h2', null, item.segmentation),
    chart,
    h('h3', null, t('migration.drift')),
    driftTable(item.segmentation, item.sizes),
  );
}

function sankey(el: HTMLElement, links: Migration[]): void {
  const left = (segment: string) => t('migration.node_a', { segment: segment || t('migration.not_member') });
  const right = (segment: string) => t('migration.node_b', { segment: segment || t('migration.not_member') });
  const nodes = new Map<string, string>(); // node name → segment
  for (const move of links) {
    nodes.set(left(move.from), move.from);
    nodes.set(right(move.to), move.to);
  }
  drawChart(el, {
    tooltip: {
      trigger: 'item',
      formatter: (params: {
        dataType: string;
        name: string;
        data: { source?: string; target?: string; value?: number; revenue?: number };
      }) => {
        if (params.dataType !== 'edge') return escapeHtml(params.name);
        const { source = '', target = '', value, revenue } = params.data;
        const money =
          revenue === undefined ? '' : `<br>${escapeHtml(t('table.revenue'))}: ${fmtMoney(revenue)}`;
        return `${escapeHtml(source)} → ${escapeHtml(target)}<br>${escapeHtml(t('table.customers'))}: ${fmtInt(value)}${money}`;
      },
    },
    series: [
      {
        type: 'sankey',
        left: 8,
        right: 160,
        top: 8,
        bottom: 8,
        nodeGap: 6,
        layoutIterations: 32,
        emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'source', opacity: 0.3 },
        label: { fontSize: 11 },
        data: [...nodes].map(([name, segment]) => ({ name, itemStyle: { color: colourOf(segment) } })),
        links: links.map((move) => ({
          source: left(move.from),
          target: right(move.to),
          value: move.customers,
          revenue: move.revenue,
        })),
      },
    ],
  });
}

function driftTable(segmentation: string, sizes: SizeDrift[]): HTMLElement {
  const count = (value: number | undefined) => numberCell(fmtInt(value), value);
  // gained / lost are null when under the minimum group size: said so, never 0.
  const flow = (value: number | null | undefined) =>
    value === null || value === undefined
      ? h(
          'td',
          { class: 'num suppressed', title: t('common.suppressed'), 'data-testid': 'suppressed-flow' },
          t('common.suppressed_short'),
        )
      : numberCell(fmtInt(value), value);
  return dataTable(
    [
      { label: t('table.segment') },
      { label: t('migration.size_a'), numeric: true },
      { label: t('migration.size_b'), numeric: true },
      { label: t('migration.gained'), numeric: true },
      { label: t('migration.lost'), numeric: true },
    ],
    sizes.map((size) => ({
      attrs: { 'data-testid': 'drift-row' },
      cells: [
        rowHeader(h('a', { href: segmentHref(segmentation, size.segment) }, size.segment)),
        size.suppressed
          ? h('td', { colspan: 4 }, suppressedText())
          : [count(size.a), count(size.b), flow(size.gained), flow(size.lost)],
      ],
    })),
    { 'data-testid': `drift-table-${segmentation}` },
  );
}
