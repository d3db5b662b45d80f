// KPIs per segment: #/kpis?segmentation=S&kpi=K. A line per segment of one KPI over the
// snapshots, and every KPI of every segment at the latest snapshot. Choosing another
// KPI redraws the chart in place; another segmentation loads its KPIs.
import { api } from '../api';
import { redrawChart, type Chart } from '../charts';
import { h, routeHref } from '../dom';
import { fmtDate, fmtInt, t } from '../i18n';
import {
  fmtKpi,
  kpiChartOption,
  kpiDefinition,
  kpiLabel,
  kpiSeries,
  kpiValue,
  KPIS,
  type KpiDefinition,
} from '../kpi';
import type { KpiSnapshot, Kpis, Overview } from '../types';
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

const DEFAULT_KPI = 'revenue';

function kpisHref(segmentation: string, kpi: string): string {
  return `${routeHref('kpis')}?segmentation=${encodeURIComponent(segmentation)}&kpi=${encodeURIComponent(kpi)}`;
}

export async function kpisPage(ctx: PageContext): Promise<void> {
  await chartPage(ctx, pageTitle(t('kpis.title')), async (draws) => {
    const overview = await api.overview(ctx.signal);
    const names = overview.segmentations.map((item) => item.name);
    if (!names.length) return message('kpis.none', 'kpis-none');
    const wanted = ctx.query.get('segmentation');
    const segmentation = wanted && names.includes(wanted) ? wanted : names.includes('rfm') ? 'rfm' : names[0];
    let kpi = kpiDefinition(ctx.query.get('kpi')) ?? kpiDefinition(DEFAULT_KPI)!;
    const answer = await api.kpis(segmentation, ctx.signal);
    const snapshots =
      answer.segmentations.find((item) => item.segmentation === segmentation)?.snapshots ?? [];

    const heading = h('h2', { 'data-testid': 'kpi-heading' }, kpiLabel(kpi.key));
    const box = chartBox('chart-kpi', 360, '');
    let chart: Chart | null = null;
    const draw = () => {
      box.dataset.kpi = kpi.key;
      box.setAttribute('aria-label', t('kpis.chart_label', { kpi: kpiLabel(kpi.key), name: segmentation }));
      heading.textContent = kpiLabel(kpi.key);
      chart = redrawChart(chart, box, kpiChartOption(kpiSeries(snapshots, kpi.key), kpi));
    };
    const picker = controls(overview, segmentation, kpi, (next) => {
      kpi = next;
      history.replaceState(null, '', kpisHref(segmentation, kpi.key));
      draw();
    });
    if (!snapshots.length) return [picker, message('kpis.none', 'kpis-none')];
    draws.push(draw);
    const latest = snapshots.reduce((a, b) =>
      b.as_of > a.as_of || (b.as_of === a.as_of && b.snapshot_id > a.snapshot_id) ? b : a,
    );
    return [
      picker,
      h(
        'p',
        { class: 'muted', 'data-testid': 'kpi-period' },
        t('kpis.period', { days: fmtInt(answer.period_days) }),
      ),
      h('section', { class: 'card', 'data-testid': 'kpi-chart-card' }, heading, box),
      latestTable(segmentation, latest),
      answer.campaigns?.campaigns.length ? campaignsTable(answer.campaigns) : null,
    ].filter((item): item is HTMLElement => item !== null);
  });
}

function controls(
  overview: Overview,
  segmentation: string,
  kpi: KpiDefinition,
  onKpi: (kpi: KpiDefinition) => void,
): HTMLElement {
  const segmentationSelect = h(
    'select',
    { id: 'kpi-segmentation', 'data-testid': 'kpi-segmentation' },
    overview.segmentations.map((item) =>
      h('option', { value: item.name, selected: item.name === segmentation }, item.name),
    ),
  );
  const kpiSelect = h(
    'select',
    { id: 'kpi-select', 'data-testid': 'kpi-select' },
    KPIS.map((item) => h('option', { value: item.key, selected: item.key === kpi.key }, kpiLabel(item.key))),
  );
  segmentationSelect.addEventListener('change', () => {
    location.hash = kpisHref(segmentationSelect.value, kpiSelect.value);
  });
  kpiSelect.addEventListener('change', () => {
    const next = kpiDefinition(kpiSelect.value);
    if (next) onKpi(next);
  });
  return h(
    'form',
    {
      class: 'card inline-form',
      'data-testid': 'kpi-picker',
      onsubmit: (event: Event) => event.preventDefault(),
    },
    h('label', { for: 'kpi-segmentation' }, t('kpis.segmentation')),
    segmentationSelect,
    h('label', { for: 'kpi-select' }, t('kpis.kpi')),
    kpiSelect,
  );
}

// Every KPI of every segment at the latest snapshot; a suppressed segment says so.
function latestTable(segmentation: string, snapshot: KpiSnapshot): HTMLElement {
  return h(
    'section',
    { class: 'card', 'data-testid': 'kpi-latest' },
    h('h2', null, t('kpis.latest', { date: fmtDate(snapshot.as_of) })),
    h(
      'div',
      { class: 'scroll' },
      dataTable(
        [{ label: t('table.segment') }, ...KPIS.map((kpi) => ({ label: kpiLabel(kpi.key), numeric: true }))],
        snapshot.segments.map((segment) => ({
          attrs: {
            'data-testid': 'kpi-row',
            'data-segment': segment.segment,
            'data-suppressed': String(segment.suppressed),
          },
          cells: [
            rowHeader(h('a', { href: segmentHref(segmentation, segment.segment) }, segment.segment)),
            segment.suppressed
              ? h('td', { colspan: KPIS.length }, suppressedText())
              : KPIS.map((kpi) => {
                  const value = kpiValue(segment, kpi.key);
                  return numberCell(fmtKpi(kpi.kind, value), value, `kpi-${kpi.key}`);
                }),
          ],
        })),
        { 'data-testid': 'kpi-table', class: 'data kpis' },
      ),
    ),
  );
}

// Spend, revenue, buyers and ROI per campaign over the latest snapshot's window; revenue,
// buyers and ROI hidden for a campaign with fewer buyers than the minimum group size.
function campaignsTable(table: NonNullable<Kpis['campaigns']>): HTMLElement {
  return h(
    'section',
    { class: 'card', 'data-testid': 'kpi-campaigns' },
    h('h2', null, t('kpis.campaigns', { date: fmtDate(table.as_of) })),
    h(
      'div',
      { class: 'scroll' },
      dataTable(
        [
          { label: t('kpis.campaign') },
          { label: t('kpis.channel') },
          { label: t('kpis.spend'), numeric: true },
          { label: t('table.revenue'), numeric: true },
          { label: t('kpis.buyers'), numeric: true },
          { label: t('kpis.roi'), numeric: true },
        ],
        table.campaigns.map((campaign) => ({
          attrs: { 'data-testid': 'campaign-row', 'data-campaign': campaign.campaign },
          cells: [
            rowHeader(campaign.campaign),
            h('td', null, campaign.channel),
            numberCell(fmtKpi('money', campaign.spend), campaign.spend, 'campaign-spend'),
            campaign.suppressed
              ? h('td', { colspan: 3 }, suppressedText())
              : [
                  numberCell(fmtKpi('money', campaign.revenue), campaign.revenue, 'campaign-revenue'),
                  numberCell(fmtKpi('int', campaign.buyers), campaign.buyers),
                  numberCell(fmtKpi('share', campaign.roi), campaign.roi, 'campaign-roi'),
                ],
          ],
        })),
        { 'data-testid': 'campaigns-table' },
      ),
    ),
  );
}
