// One segmentation: sizes, the RFM grid (rfm) or the clusters on two principal
// components (cluster methods), and the stored model's main figures.
import { api } from '../api';
import { drawChart, PALETTE } from '../charts';
import { escapeHtml, h, routeHref, type Child } from '../dom';
import { fmtInt, fmtNum, t } from '../i18n';
import type { Grid, Projection, SegmentationDetail } from '../types';
import {
  chartBox,
  chartPage,
  dataTable,
  fill,
  message,
  pageTitle,
  rowHeader,
  sizesChart,
  sizesTable,
  type PageContext,
} from '../ui';

export async function segmentationPage(ctx: PageContext): Promise<void> {
  const [name] = ctx.params;
  const breadcrumb = h('p', { class: 'breadcrumb' }, h('a', { href: routeHref() }, t('nav.overview')));
  let detail: SegmentationDetail | null = null;
  await chartPage(ctx, pageTitle(name, breadcrumb), async (draws) => {
    detail = await api.segmentation(name, ctx.signal);
    return sections(detail, draws);
  });
  if (ctx.signal.aborted || !detail) return;
  const shown: SegmentationDetail = detail;
  if (shown.method === 'rfm') await drawGrid(ctx, shown);
  if (hasClusters(shown)) await drawProjection(ctx, shown);
}

function hasClusters(detail: SegmentationDetail): boolean {
  const clusters = detail.model?.clusters;
  return Array.isArray(clusters) && clusters.length > 0;
}

function sections(detail: SegmentationDetail, draws: Array<() => void>): HTMLElement[] {
  const sizes = chartBox(
    'chart-sizes',
    Math.max(120, 28 * detail.segments.length + 30),
    t('overview.chart_label', { name: detail.name }),
  );
  draws.push(() => sizesChart(sizes, detail.segments));
  const out = [
    h(
      'section',
      { class: 'card' },
      h(
        'h2',
        null,
        t('segmentation.segments'),
        ' ',
        h('span', { class: 'badge', 'data-testid': 'method' }, detail.method),
      ),
      h('div', { class: 'split' }, sizes, sizesTable(detail.name, detail.segments)),
    ),
  ];
  if (detail.method === 'rfm') {
    out.push(
      h(
        'section',
        { class: 'card' },
        h('h2', null, t('segmentation.grid')),
        h('p', { class: 'muted' }, t('segmentation.grid_help')),
        h('div', { 'data-testid': 'grid-slot' }, chartBox('chart-rfm-grid', 420, t('segmentation.grid'))),
      ),
    );
  }
  if (hasClusters(detail)) {
    out.push(
      h(
        'section',
        { class: 'card' },
        h('h2', null, t('segmentation.projection')),
        h('p', { class: 'muted' }, t('segmentation.projection_help')),
        h(
          'div',
          { 'data-testid': 'projection-slot' },
          chartBox('chart-projection', 460, t('segmentation.projection')),
        ),
      ),
    );
  }
  const model = modelSection(detail);
  if (model) out.push(model);
  return out;
}

// The slot a section left for a chart (data-testid), its chart box and the chart's data;
// null when there is no such slot, the request failed (the error then fills the slot) or
// the page was left.
async function chartData<T>(
  ctx: PageContext,
  slotTestid: string,
  load: () => Promise<T>,
): Promise<{ slot: HTMLElement; box: HTMLElement; data: T } | null> {
  const slot = ctx.root.querySelector<HTMLElement>(`[data-testid="${slotTestid}"]`);
  const box = slot?.querySelector<HTMLElement>('.chart');
  if (!slot || !box) return null;
  let data: T;
  try {
    data = await load();
  } catch (error) {
    await fill(slot, () => Promise.reject(error));
    return null;
  }
  if (ctx.signal.aborted) return null;
  return { slot, box, data };
}

// ---- RFM grid ------------------------------------------------------------------------

async function drawGrid(ctx: PageContext, detail: SegmentationDetail): Promise<void> {
  const loaded = await chartData<Grid>(ctx, 'grid-slot', () => api.grid(detail.name, ctx.signal));
  if (!loaded) return;
  const { box, data: grid } = loaded;
  const bins = grid.bins;
  const scores = Array.from({ length: bins }, (_, index) => index + 1);
  const cells = grid.cells.map((cell) => ({
    value: [cell.f - 1, cell.r - 1, cell.suppressed || cell.customers === undefined ? '-' : cell.customers],
    segment: cell.segment,
    suppressed: cell.suppressed,
  }));
  const counts = grid.cells.filter((cell) => !cell.suppressed).map((cell) => cell.customers ?? 0);
  const suppressedLabel = t('common.suppressed_short');
  drawChart(box, {
    grid: { left: 56, right: 16, top: 8, bottom: 84 },
    tooltip: {
      formatter: (params: { data: (typeof cells)[number] }) => {
        const [f, r, value] = params.data.value;
        const count = typeof value === 'number' ? fmtInt(value) : suppressedLabel;
        return `R${Number(r) + 1} F${Number(f) + 1} · ${escapeHtml(params.data.segment)}<br>${count}`;
      },
    },
    xAxis: {
      type: 'category',
      name: t('segmentation.frequency'),
      nameLocation: 'middle',
      nameGap: 26,
      data: scores.map((score) => `F${score}`),
      axisLine: { show: false },
      axisTick: { show: false },
    },
    yAxis: {
      type: 'category',
      name: t('segmentation.recency'),
      nameLocation: 'middle',
      nameGap: 32,
      nameRotate: 90,
      data: scores.map((score) => `R${score}`),
      axisLine: { show: false },
      axisTick: { show: false },
    },
    visualMap: {
      min: 0,
      max: Math.max(1, ...counts),
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 160,
      inRange: { color: ['#e8f0fe', '#2f6fdf'] },
      formatter: (value: number) => fmtInt(value),
    },
    series: [
      {
        type: 'heatmap',
        data: cells,
        label: {
          show: true,
          formatter: (params: { data: (typeof cells)[number] }) => {
            const value = params.data.value[2];
            return typeof value === 'number'
              ? `{count|${fmtInt(value)}}\n{name|${params.data.segment.replace(/[{}|]/g, ' ')}}`
              : '';
          },
          rich: {
            count: { fontSize: 14, fontWeight: 'bold', lineHeight: 18 },
            name: { fontSize: 10, lineHeight: 14 },
          },
        },
        itemStyle: { borderColor: '#fff', borderWidth: 2 },
      },
    ],
  });
}

// ---- cluster projection -------------------------------------------------------------

async function drawProjection(ctx: PageContext, detail: SegmentationDetail): Promise<void> {
  const loaded = await chartData<Projection>(ctx, 'projection-slot', () =>
    api.projection(detail.name, ctx.signal),
  );
  if (!loaded) return;
  const { slot, box, data: projection } = loaded;
  if (!projection.points.length) {
    slot.replaceChildren(message('segmentation.projection_empty'));
    return;
  }
  drawChart(box, projectionOption(projection));
}

function projectionOption(projection: Projection) {
  const names = new Map(projection.clusters.map((cluster) => [cluster.id, cluster.segment]));
  const ids = [...names.keys()].sort((a, b) => a - b);
  const colour = (id: number) => PALETTE[(ids.indexOf(id) + PALETTE.length) % PALETTE.length];
  const series: object[] = ids.map((id) => ({
    type: 'scatter',
    name: names.get(id),
    data: projection.points.filter((point) => point[2] === id).map((point) => [point[0], point[1]]),
    symbolSize: 4,
    itemStyle: { color: colour(id), opacity: 0.55 },
    emphasis: { disabled: true },
    large: true,
  }));
  // Centroids come as [x, y, cluster]; a bare [x, y] pairs with the cluster list's order.
  const centres = projection.centroids
    .map((centre, index) => ({
      x: centre[0],
      y: centre[1],
      id: centre.length > 2 ? centre[2] : projection.clusters[index]?.id,
    }))
    .filter((centre) => centre.id !== undefined && names.has(centre.id));
  series.push({
    type: 'scatter',
    name: t('segmentation.centroids'),
    data: centres.map((centre) => ({
      value: [centre.x, centre.y],
      name: names.get(centre.id),
      itemStyle: { color: colour(centre.id) },
    })),
    symbol: 'diamond',
    symbolSize: 18,
    itemStyle: { borderColor: '#111', borderWidth: 2 },
    label: { show: true, position: 'right', formatter: '{b}', fontWeight: 'bold', color: '#111' },
    z: 10,
  });
  return {
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 8, right: 40, top: 32, bottom: 40, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (params: { seriesName: string; name: string; value: number[] }) =>
        `${escapeHtml(params.name || params.seriesName)}<br>PC1 ${fmtNum(params.value[0], 2)} · PC2 ${fmtNum(params.value[1], 2)}`,
    },
    xAxis: {
      type: 'value',
      name: 'PC1',
      scale: true,
      axisLabel: { formatter: (value: number) => fmtNum(value, 1) },
    },
    yAxis: {
      type: 'value',
      name: 'PC2',
      scale: true,
      axisLabel: { formatter: (value: number) => fmtNum(value, 1) },
    },
    series,
  };
}

// ---- the model ------------------------------------------------------------------------

function modelSection(detail: SegmentationDetail): HTMLElement | null {
  const model = detail.model ?? {};
  const parts: Array<HTMLElement | null> = [
    thresholdsTable(model.thresholds),
    rulesList(model.rules),
    kSearchTable(model),
    parametersList(model),
  ];
  const shown = parts.filter((part): part is HTMLElement => part !== null);
  if (!shown.length) return null;
  return h(
    'section',
    { class: 'card', 'data-testid': 'model' },
    h('h2', null, t('segmentation.model')),
    shown,
  );
}

// One part of the model card: a sub-heading and what it shows.
function modelPart(title: string, ...content: Child[]): HTMLElement {
  return h('div', null, h('h3', null, title), content);
}

function thresholdsTable(thresholds: unknown): HTMLElement | null {
  if (!thresholds || typeof thresholds !== 'object') return null;
  const rows = Object.entries(thresholds as Record<string, unknown>).filter(([, values]) =>
    Array.isArray(values),
  );
  if (!rows.length) return null;
  return modelPart(
    t('segmentation.thresholds'),
    dataTable(
      null,
      rows.map(([feature, values]) => [
        rowHeader(h('code', null, feature)),
        (values as number[]).map((value) => h('td', { class: 'num' }, fmtNum(value, 2))),
      ]),
      { 'data-testid': 'thresholds' },
    ),
  );
}

function rulesList(rules: unknown): HTMLElement | null {
  if (!Array.isArray(rules) || !rules.length) return null;
  return modelPart(
    t('segmentation.rules'),
    h(
      'dl',
      { class: 'rules', 'data-testid': 'rules' },
      (rules as Array<{ segment?: string; rule?: string }>).map((rule) => [
        h('dt', null, rule.segment ?? ''),
        h('dd', null, h('code', null, rule.rule ?? '')),
      ]),
    ),
  );
}

interface KFigures {
  k: number;
  silhouette?: number;
  calinski_harabasz?: number;
  davies_bouldin?: number;
  bic?: number;
}

function kSearchTable(model: Record<string, unknown>): HTMLElement | null {
  const search = model.k_search;
  if (!Array.isArray(search) || !search.length) return null;
  const chosen = typeof model.k === 'number' ? model.k : undefined;
  const hasBic = (search as KFigures[]).some((row) => typeof row.bic === 'number');
  return modelPart(
    t('segmentation.k_search'),
    typeof model.k_chosen_by === 'string'
      ? h('p', { class: 'muted' }, t('segmentation.k_chosen', { k: fmtInt(chosen) }), ' ', model.k_chosen_by)
      : null,
    dataTable(
      [
        { label: 'k' },
        { label: t('segmentation.silhouette'), numeric: true },
        { label: 'Calinski–Harabasz', numeric: true },
        { label: 'Davies–Bouldin', numeric: true },
        hasBic && { label: 'BIC', numeric: true },
      ],
      (search as KFigures[]).map((row) => ({
        attrs: { class: row.k === chosen ? 'chosen' : undefined },
        cells: [
          rowHeader(fmtInt(row.k)),
          h('td', { class: 'num' }, fmtNum(row.silhouette, 3)),
          h('td', { class: 'num' }, fmtNum(row.calinski_harabasz, 1)),
          h('td', { class: 'num' }, fmtNum(row.davies_bouldin, 3)),
          hasBic ? h('td', { class: 'num' }, fmtNum(row.bic, 1)) : null,
        ],
      })),
      { 'data-testid': 'k-search' },
    ),
  );
}

// Plain settings (numbers, text, lists of them) of any method, e.g. the journey's days.
function parametersList(model: Record<string, unknown>): HTMLElement | null {
  const skip = new Set(['method', 'segments', 'seconds', 'k_chosen_by', 'next_id', 'k']);
  const entries = Object.entries(model).filter(([key, value]) => {
    if (skip.has(key)) return false;
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return true;
    return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item !== 'object');
  });
  if (!entries.length) return null;
  const show = (value: unknown): string => {
    if (typeof value === 'number') return fmtNum(value, 3);
    if (Array.isArray(value)) return value.map(show).join(', ');
    return String(value);
  };
  return modelPart(
    t('segmentation.parameters'),
    h(
      'dl',
      { class: 'parameters', 'data-testid': 'parameters' },
      entries.map(([key, value]) => [h('dt', null, h('code', null, key)), h('dd', null, show(value))]),
    ),
  );
}
