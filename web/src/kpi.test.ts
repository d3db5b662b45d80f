// KPI formatting, the series per segment over snapshots, and the line chart's option.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KpiSnapshot } from './types';

vi.stubGlobal('document', { documentElement: { lang: 'en' } });
vi.stubGlobal('navigator', { language: 'en-GB' });
vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {} });

const i18n = await import('./i18n');
const kpi = await import('./kpi');

afterEach(() => i18n.setLanguage('en'));

const snapshots: KpiSnapshot[] = [
  {
    snapshot_id: 7,
    as_of: '2026-11-01',
    segments: [
      { segment: 'Champions', suppressed: false, customers: 410, revenue: 98000.4, repeat_rate: 0.92 },
      { segment: 'Tiny', suppressed: true },
      { segment: 'New', suppressed: false, customers: 120, revenue: 3100, repeat_rate: null },
    ],
  },
  {
    snapshot_id: 3,
    as_of: '2026-08-01',
    segments: [
      { segment: 'Tiny', suppressed: false, customers: 11, revenue: 500, repeat_rate: 0.5 },
      { segment: 'Champions', suppressed: false, customers: 380, revenue: 91000, repeat_rate: 0.9 },
    ],
  },
];

describe('KPIs', () => {
  it('lists the fourteen KPIs, each named in every language', () => {
    expect(kpi.KPIS.map((item) => item.key)).toEqual([
      'customers',
      'revenue',
      'orders',
      'aov',
      'repeat_rate',
      'retention_rate',
      'churn_rate',
      'conversion_rate',
      'clv',
      'nps',
      'csat',
      'spend',
      'cac',
      'roi',
    ]);
    for (const lang of i18n.LANGUAGES) {
      i18n.setLanguage(lang.code);
      for (const item of kpi.KPIS) expect(kpi.kpiLabel(item.key)).not.toBe(`kpis.${item.key}`);
    }
    i18n.setLanguage('pl');
    expect(kpi.kpiLabel('churn_rate')).toBe('Wskaźnik odejść');
  });

  it('formats each kind for the language, and nothing as a dash', () => {
    expect(kpi.fmtKpi('share', 0.256)).toBe('25.6%');
    expect(kpi.fmtKpi('money', 12345.6)).toBe('12,346');
    expect(kpi.fmtKpi('amount', 54.321)).toBe('54.32');
    expect(kpi.fmtKpi('score', -12.25)).toBe('-12.3');
    expect(kpi.fmtKpi('int', 3000)).toBe('3,000');
    expect(kpi.fmtKpi('amount', 0)).toBe('0.00');
    expect(kpi.fmtKpi('share', null)).toBe('—');
    expect(kpi.fmtKpi('amount', undefined)).toBe('—');
    i18n.setLanguage('ro');
    expect(kpi.fmtKpi('share', 0.256)).toMatch(/^25,6\s?%$/);
    expect(kpi.fmtKpi('amount', 54.321)).toBe('54,32');
  });

  it('reads a value only from segments that are not suppressed', () => {
    expect(kpi.kpiValue({ segment: 'x', suppressed: true, customers: 4 }, 'customers')).toBeNull();
    expect(kpi.kpiValue({ segment: 'x', suppressed: false, cac: null }, 'cac')).toBeNull();
    expect(kpi.kpiValue({ segment: 'x', suppressed: false, roi: -0.25 }, 'roi')).toBe(-0.25);
  });

  it('builds a line per segment over the snapshots, oldest first, with gaps', () => {
    const series = kpi.kpiSeries(snapshots, 'repeat_rate');
    expect(series.dates).toEqual(['2026-08-01', '2026-11-01']);
    expect(series.lines).toEqual([
      { segment: 'Tiny', values: [0.5, null] }, // suppressed in the later snapshot
      { segment: 'Champions', values: [0.9, 0.92] },
      { segment: 'New', values: [null, null] }, // absent, then no value
    ]);
    expect(kpi.kpiSeries(snapshots, 'customers').lines[2].values).toEqual([null, 120]);
  });

  it('leaves out of the chart a segment with no value at all', () => {
    const option = kpi.kpiChartOption(
      kpi.kpiSeries(snapshots, 'repeat_rate'),
      kpi.kpiDefinition('repeat_rate')!,
    ) as {
      series: Array<{ name: string }>;
    };
    expect(option.series.map((item) => item.name)).toEqual(['Tiny', 'Champions']);
  });

  it('draws gaps as "-" and labels the dates and values for the language', () => {
    i18n.setLanguage('it');
    const option = kpi.kpiChartOption(kpi.kpiSeries(snapshots, 'revenue'), kpi.kpiDefinition('revenue')!) as {
      xAxis: { data: string[] };
      yAxis: { axisLabel: { formatter: (value: number) => string } };
      series: Array<{ type: string; name: string; data: Array<number | string> }>;
    };
    expect(option.xAxis.data).toEqual([i18n.fmtDate('2026-08-01'), i18n.fmtDate('2026-11-01')]);
    expect(option.xAxis.data[0]).toMatch(/ago/);
    expect(option.yAxis.axisLabel.formatter(12000)).toBe('12.000');
    expect(option.series.map((item) => [item.type, item.name, item.data])).toEqual([
      ['line', 'Tiny', [500, '-']],
      ['line', 'Champions', [91000, 98000.4]],
      ['line', 'New', ['-', 3100]],
    ]);
  });
});
