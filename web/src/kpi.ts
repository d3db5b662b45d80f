// The KPIs of GET /v1/kpis: which there are, how each is formatted, and the series per
// segment over snapshots that the KPI page draws. No DOM here (unit-tested in node).
import type { ChartOption } from './charts';
import { DASH, fmtDate, fmtFixed, fmtInt, fmtMoney, fmtNum, fmtPct, t } from './i18n';
import type { MessageKey } from './i18n';
import { distinctColours } from './palette';
import type { KpiSnapshot, SegmentKpis } from './types';

// int: counts; money: totals in whole units; amount: per customer or order, always two
// decimals;
// share: 0..1 as a percentage; score: NPS (−100..100) and CSAT (0..100), one decimal.
export type KpiKind = 'int' | 'money' | 'amount' | 'share' | 'score';

export type KpiKey =
  | 'customers'
  | 'revenue'
  | 'orders'
  | 'aov'
  | 'repeat_rate'
  | 'retention_rate'
  | 'churn_rate'
  | 'conversion_rate'
  | 'clv'
  | 'nps'
  | 'csat'
  | 'spend'
  | 'cac'
  | 'roi';

export interface KpiDefinition {
  key: KpiKey;
  kind: KpiKind;
}

// In the order the picker and the table show them. ROI = (campaign revenue − spend) /
// spend, a ratio shown as a percentage.
export const KPIS: KpiDefinition[] = [
  { key: 'customers', kind: 'int' },
  { key: 'revenue', kind: 'money' },
  { key: 'orders', kind: 'int' },
  { key: 'aov', kind: 'amount' },
  { key: 'repeat_rate', kind: 'share' },
  { key: 'retention_rate', kind: 'share' },
  { key: 'churn_rate', kind: 'share' },
  { key: 'conversion_rate', kind: 'share' },
  { key: 'clv', kind: 'amount' },
  { key: 'nps', kind: 'score' },
  { key: 'csat', kind: 'score' },
  { key: 'spend', kind: 'money' },
  { key: 'cac', kind: 'amount' },
  { key: 'roi', kind: 'share' },
];

export function kpiDefinition(key: string | null | undefined): KpiDefinition | undefined {
  return KPIS.find((kpi) => kpi.key === key);
}

export function kpiLabel(key: KpiKey): string {
  return t(`kpis.${key}` as MessageKey);
}

export function fmtKpi(kind: KpiKind, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  switch (kind) {
    case 'int':
      return fmtInt(value);
    case 'money':
      return fmtMoney(value);
    case 'amount':
      return fmtFixed(value, 2);
    case 'share':
      return fmtPct(value, 1);
    case 'score':
      return fmtNum(value, 1);
  }
}

// A KPI's value for one segment: null when suppressed or not known.
export function kpiValue(segment: SegmentKpis, key: KpiKey): number | null {
  if (segment.suppressed) return null;
  const value = segment[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export interface KpiSeries {
  dates: string[]; // as_of of each snapshot, oldest first
  lines: Array<{ segment: string; values: Array<number | null> }>;
}

// One line per segment (in the order segments first appear), one point per snapshot;
// null where the segment is missing, suppressed or has no value.
export function kpiSeries(snapshots: KpiSnapshot[], key: KpiKey): KpiSeries {
  const ordered = [...snapshots].sort((a, b) =>
    a.as_of === b.as_of ? a.snapshot_id - b.snapshot_id : a.as_of < b.as_of ? -1 : 1,
  );
  const names: string[] = [];
  for (const snapshot of ordered) {
    for (const segment of snapshot.segments) {
      if (!names.includes(segment.segment)) names.push(segment.segment);
    }
  }
  return {
    dates: ordered.map((snapshot) => snapshot.as_of),
    lines: names.map((name) => ({
      segment: name,
      values: ordered.map((snapshot) => {
        const segment = snapshot.segments.find((item) => item.segment === name);
        return segment ? kpiValue(segment, key) : null;
      }),
    })),
  };
}

// The line chart of one KPI: x = the snapshots' dates, a line per segment in its colour;
// segments without a single value (suppressed throughout) are left out of it.
export function kpiChartOption(series: KpiSeries, kpi: KpiDefinition): ChartOption {
  const format = (value: unknown) => fmtKpi(kpi.kind, typeof value === 'number' ? value : null);
  const lines = series.lines.filter((line) => line.values.some((value) => value !== null));
  const colours = distinctColours(lines.map((line) => line.segment));
  return {
    grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
    legend: { type: 'scroll', top: 0 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: format,
    },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: series.dates.map((date) => fmtDate(date)),
    },
    yAxis: {
      type: 'value',
      scale: kpi.kind === 'score',
      axisLabel: { formatter: (value: number) => format(value) },
    },
    series: lines.map((line, index) => ({
      type: 'line',
      name: line.segment,
      data: line.values.map((value) => (value === null ? '-' : value)),
      connectNulls: false,
      showSymbol: true,
      symbolSize: 7,
      lineStyle: { width: 2.5 },
      color: colours[index],
      tooltip: { valueFormatter: format },
    })),
  };
}
