// Experiment results: the hold-out, the interval chart, the form's error fields, and the
// formatting of differences and p-values.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Arm } from './types';

vi.stubGlobal('document', { documentElement: { lang: 'en' } });
vi.stubGlobal('navigator', { language: 'en-GB' });
vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {} });

const i18n = await import('./i18n');
const experiment = await import('./experiment');

afterEach(() => i18n.setLanguage('en'));

const variants = [
  { name: 'A', weight: 45 },
  { name: 'B', weight: 45 },
];
const vs = (
  difference: number,
  low: number,
  high: number,
  p: number,
  verdict: 'better' | 'worse' | 'no_difference',
) => ({
  difference,
  ci_low: low,
  ci_high: high,
  p_value: p,
  verdict,
});
const arms: Arm[] = [
  {
    variant: 'A',
    suppressed: false,
    customers: 400,
    conversions: 60,
    conversion_rate: 0.15,
    vs_holdout: vs(0.05, 0.01, 0.09, 0.012, 'better'),
  },
  {
    variant: 'B',
    suppressed: false,
    customers: 410,
    conversions: 30,
    conversion_rate: 0.073,
    vs_holdout: vs(-0.027, -0.07, 0.016, 0.2, 'no_difference'),
  },
  { variant: 'C', suppressed: true, vs_holdout: null },
  {
    variant: 'holdout',
    suppressed: false,
    customers: 90,
    conversions: 9,
    conversion_rate: 0.1,
    vs_holdout: null,
  },
];

describe('experiment results', () => {
  it('finds the hold-out as the arm that is no variant', () => {
    expect(arms.map((arm) => experiment.isHoldout({ variants }, arm))).toEqual([false, false, true, true]);
  });

  it('draws only the variants compared with the hold-out', () => {
    expect(experiment.intervalPoints(arms)).toEqual([
      { variant: 'A', difference: 0.05, low: 0.01, high: 0.09, pValue: 0.012, verdict: 'better' },
      { variant: 'B', difference: -0.027, low: -0.07, high: 0.016, pValue: 0.2, verdict: 'no_difference' },
    ]);
  });

  it('draws each interval as a capped line and the differences as dots around 0', () => {
    const option = experiment.intervalChartOption(experiment.intervalPoints(arms)) as {
      xAxis: {
        min: number;
        max: number;
        interval: number;
        axisLabel: { formatter: (value: number) => string };
      };
      yAxis: Array<{ type: string; data?: string[] }>;
      series: Array<{
        type: string;
        data: unknown[];
        lineStyle?: { color: string };
        yAxisIndex?: number;
      }>;
    };
    expect(option.yAxis[0].data).toEqual(['A', 'B']);
    const [zero, a, b, dots] = option.series;
    // The line at 0, top to bottom of the hidden 0..1 axis.
    expect(zero.yAxisIndex).toBe(1);
    expect(zero.data).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(a.type).toBe('line');
    expect(a.data).toEqual([
      [0.01, 'A'],
      [0.09, 'A'],
    ]);
    expect(a.lineStyle?.color).toBe(experiment.VERDICT_COLOURS.better);
    expect(b.data).toEqual([
      [-0.07, 'B'],
      [0.016, 'B'],
    ]);
    expect(dots.type).toBe('scatter');
    expect(dots.data.map((item) => (item as { value: unknown }).value)).toEqual([
      [0.05, 'A'],
      [-0.027, 'B'],
    ]);
    // Symmetric around 0 and wide enough for the widest end (0.09 + 10% → 0.1).
    expect(option.xAxis.min).toBeCloseTo(-0.1, 12);
    expect(option.xAxis.max).toBeCloseTo(0.1, 12);
    expect(option.xAxis.interval).toBeCloseTo(0.05, 12); // ticks at ±10, ±5 and 0 points
    expect(option.xAxis.axisLabel.formatter(0.05)).toBe('+5.0 pp');
  });

  it('keeps at least one point either side of 0 for intervals of width 0', () => {
    const option = experiment.intervalChartOption([
      { variant: 'A', difference: 0, low: 0, high: 0, pValue: 1, verdict: 'no_difference' },
    ]) as { xAxis: { min: number; max: number } };
    expect(option.xAxis.max).toBeCloseTo(0.01, 12);
    expect(option.xAxis.min).toBeCloseTo(-0.01, 12);
  });

  it('rounds axis ends up to readable numbers', () => {
    expect(experiment.niceCeil(0.154)).toBeCloseTo(0.2, 12);
    expect(experiment.niceCeil(0.066)).toBeCloseTo(0.08, 12);
    expect(experiment.niceCeil(0.0121)).toBeCloseTo(0.015, 12);
    expect(experiment.niceCeil(0.22)).toBeCloseTo(0.3, 12);
    expect(experiment.niceCeil(0.3)).toBeCloseTo(0.3, 12);
    expect(experiment.niceCeil(0.91)).toBeCloseTo(1, 12);
  });

  it('formats differences in percentage points and p-values per language', () => {
    expect(i18n.fmtPoints(0.0123)).toBe('+1.2 pp');
    expect(i18n.fmtPoints(-0.004)).toBe('-0.4 pp');
    expect(i18n.fmtPoints(null)).toBe('—');
    expect(i18n.fmtPValue(0.0456)).toBe('0.046');
    expect(i18n.fmtPValue(0.0004)).toBe('< 0.001');
    expect(experiment.intervalText(-0.01, 0.03)).toBe('-1.0 pp to +3.0 pp');
    i18n.setLanguage('pl');
    expect(i18n.fmtPoints(0.0123)).toBe('+1,2 p.p.');
    expect(i18n.fmtPValue(0.0004)).toBe('< 0,001');
    expect(experiment.intervalText(-0.01, 0.03)).toBe('od -1,0 p.p. do +3,0 p.p.');
    expect(experiment.verdictText('better')).toBe('Lepiej niż grupa kontrolna');
  });

  it('writes weights in percent', () => {
    expect(experiment.fmtWeight(45)).toBe('45%');
    expect(experiment.fmtWeight(33.5)).toBe('33.5%');
    i18n.setLanguage('it');
    expect(experiment.fmtWeight(10)).toMatch(/^10\s?%$/);
  });

  it('puts a server error at the field it names', () => {
    expect(experiment.formFieldOf('name')).toBe('name');
    expect(experiment.formFieldOf('variants[1].weight')).toBe('variants');
    expect(experiment.formFieldOf('variants')).toBe('variants');
    expect(experiment.formFieldOf('holdout')).toBe('holdout');
    expect(experiment.formFieldOf('start')).toBe('start');
    expect(experiment.formFieldOf('by')).toBeNull();
    expect(experiment.formFieldOf(undefined)).toBeNull();
    expect(experiment.formFieldOf('')).toBeNull();
  });

  it('reads warnings as sentences', () => {
    expect(
      experiment.warningTexts([
        'planned sample not reached',
        { message: 'window open', code: 'x' },
        { code: 'y' },
        '',
      ]),
    ).toEqual(['planned sample not reached', 'window open']);
    expect(experiment.warningTexts(undefined)).toEqual([]);
  });

  it('links to the results, per segmentation on request', () => {
    expect(experiment.experimentHref('spring sale')).toBe('#/experiments/spring%20sale');
    expect(experiment.experimentHref('spring sale', 'rfm')).toBe('#/experiments/spring%20sale?by=rfm');
  });
});
