// Experiment results as the dashboard shows them: which arm is the hold-out, the points
// of the interval chart and its ECharts option, and where a server error belongs in the
// create form. No DOM here (unit-tested in node).
import type { ChartOption } from './charts';
import { escapeHtml, routeHref } from './dom';
import { fmtPct, fmtPoints, fmtPValue, t } from './i18n';
import type { MessageKey } from './i18n';
import type { Arm, Experiment, ServerWarning, Verdict } from './types';

// The colours of the verdicts (points and intervals): all saturated, so the chart reads
// without a legend and the browser test finds coloured pixels.
export const VERDICT_COLOURS: Record<Verdict, string> = {
  better: '#2e9b4f',
  worse: '#d64545',
  no_difference: '#2f6fdf',
};

// #/experiments/NAME, with ?by=SEGMENTATION for the results per sub-segment.
export function experimentHref(name: string, by?: string | null): string {
  const base = routeHref('experiments', name);
  return by ? `${base}?by=${encodeURIComponent(by)}` : base;
}

// A weight or hold-out in percent (45 → "45%", 33.5 → "33.5%").
export function fmtWeight(percent: number): string {
  return fmtPct(percent / 100, Number.isInteger(percent) ? 0 : 1);
}

// The hold-out is the arm that is none of the experiment's variants.
export function isHoldout(experiment: Pick<Experiment, 'variants'>, arm: Arm): boolean {
  return !experiment.variants.some((variant) => variant.name === arm.variant);
}

export function verdictText(verdict: Verdict): string {
  return t(`experiments.verdict_${verdict}` as MessageKey);
}

export interface IntervalPoint {
  variant: string;
  difference: number;
  low: number;
  high: number;
  pValue: number;
  verdict: Verdict;
}

// The variants that can be drawn: not suppressed and compared with the hold-out.
export function intervalPoints(arms: Arm[]): IntervalPoint[] {
  return arms.flatMap((arm) => {
    const vs = arm.vs_holdout;
    if (arm.suppressed || !vs) return [];
    if (![vs.difference, vs.ci_low, vs.ci_high].every(Number.isFinite)) return [];
    return [
      {
        variant: arm.variant,
        difference: vs.difference,
        low: vs.ci_low,
        high: vs.ci_high,
        pValue: vs.p_value,
        verdict: vs.verdict,
      },
    ];
  });
}

export function intervalText(low: number, high: number): string {
  return t('experiments.range', { low: fmtPoints(low), high: fmtPoints(high) });
}

// A horizontal interval per variant (a line between ci_low and ci_high, capped at both
// ends) with its difference as a dot, against a dashed line at 0 (no difference).
// x: difference in conversion rate to the hold-out, in percentage points.
export function intervalChartOption(points: IntervalPoint[]): ChartOption {
  const names = points.map((point) => point.variant);
  const tooltip = (point: IntervalPoint) =>
    [
      `<strong>${escapeHtml(point.variant)}</strong>`,
      `${escapeHtml(t('experiments.difference'))}: ${fmtPoints(point.difference)}`,
      `${escapeHtml(t('experiments.interval'))}: ${intervalText(point.low, point.high)}`,
      `${escapeHtml(t('experiments.p_value'))}: ${fmtPValue(point.pValue)}`,
      escapeHtml(verdictText(point.verdict)),
    ].join('<br>');
  const intervals = points.map((point) => ({
    type: 'line',
    name: point.variant,
    data: [
      [point.low, point.variant],
      [point.high, point.variant],
    ],
    symbol: 'rect',
    symbolSize: [3, 18],
    lineStyle: { width: 4, color: VERDICT_COLOURS[point.verdict] },
    itemStyle: { color: VERDICT_COLOURS[point.verdict] },
    tooltip: { formatter: () => tooltip(point) },
    z: 2,
  }));
  const dots = {
    type: 'scatter',
    name: t('experiments.difference'),
    data: points.map((point) => ({
      value: [point.difference, point.variant],
      itemStyle: { color: VERDICT_COLOURS[point.verdict], borderColor: '#fff', borderWidth: 2 },
    })),
    symbolSize: 16,
    z: 3,
    tooltip: {
      formatter: (params: { dataIndex: number }) => tooltip(points[params.dataIndex]),
    },
  };
  // No difference: a dashed line at 0 from top to bottom, drawn against a hidden value
  // axis 0..1 (cheaper than ECharts' mark line component).
  const zeroLine = {
    type: 'line',
    yAxisIndex: 1,
    data: [
      [0, 0],
      [0, 1],
    ],
    symbol: 'none',
    silent: true,
    tooltip: { show: false },
    lineStyle: { color: '#1c2230', type: 'dashed', width: 1.5 },
    z: 1,
  };
  // At least ±1 point, so that intervals of width 0 (no conversions anywhere) still read.
  const extent = niceCeil(
    1.1 * Math.max(...points.flatMap((point) => [Math.abs(point.low), Math.abs(point.high)]), 0.01 / 1.1),
  );
  return {
    grid: { left: 8, right: 32, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: 'item' },
    xAxis: {
      type: 'value',
      // Symmetric around 0, so that left of the line is worse and right is better.
      min: -extent,
      max: extent,
      interval: extent / 2,
      axisLabel: { formatter: (value: number) => fmtPoints(value, 1) },
    },
    yAxis: [
      {
        type: 'category',
        inverse: true,
        data: names,
        axisLine: { onZero: false },
        axisLabel: { width: 160, overflow: 'truncate' },
      },
      { type: 'value', min: 0, max: 1, show: false },
    ],
    series: [zeroLine, ...intervals, dots],
  };
}

// The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8, 10 times a power of ten that is at least
// value (> 0): axis ends whose labels, and their halves, read well.
export function niceCeil(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 1.5, 2, 3, 4, 5, 6, 8, 10].find((factor) => factor * power >= value * (1 - 1e-12));
  return (step ?? 10) * power;
}

// The form fields a server error can name (error.field): "variants[1].weight" belongs
// to the variants, anything unknown to the form as a whole (null).
export type FormField = 'name' | 'segmentation' | 'segment' | 'variants' | 'holdout' | 'goal' | 'start';

const FORM_FIELDS: FormField[] = ['name', 'segmentation', 'segment', 'variants', 'holdout', 'goal', 'start'];

export function formFieldOf(field: string | null | undefined): FormField | null {
  if (!field) return null;
  const base = /^[a-z_]+/.exec(field)?.[0] ?? '';
  return FORM_FIELDS.find((name) => name === base || (name === 'variants' && base === 'variant')) ?? null;
}

// The warnings as sentences: strings as they come, objects by their message.
export function warningTexts(warnings: ServerWarning[] | null | undefined): string[] {
  return (warnings ?? []).flatMap((warning) => {
    if (typeof warning === 'string') return warning ? [warning] : [];
    if (warning && typeof warning.message === 'string' && warning.message) return [warning.message];
    return [];
  });
}
