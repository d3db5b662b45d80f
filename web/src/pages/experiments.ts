// Experiments: #/experiments lists them (and, for analysts and admins, a form that
// creates one); #/experiments/NAME?by=SEGMENTATION shows one experiment's results: a
// table of its arms against the hold-out and a chart of each variant's difference with
// its 95% interval, per sub-segment on request.
import { api } from '../api';
import { drawChart } from '../charts';
import { h, routeHref } from '../dom';
import {
  experimentHref,
  fmtWeight,
  intervalChartOption,
  intervalPoints,
  intervalText,
  isHoldout,
  VERDICT_COLOURS,
  verdictText,
  warningTexts,
} from '../experiment';
import { DASH, fmtDate, fmtFixed, fmtInt, fmtPct, fmtPoints, fmtPValue, t } from '../i18n';
import type { Arm, Experiment, ExperimentResults, Overview } from '../types';
import {
  canSeeCustomers,
  chartBox,
  chartPage,
  dataTable,
  figure,
  message,
  numberCell,
  pageTitle,
  rowHeader,
  segmentHref,
  suppressedText,
  type PageContext,
} from '../ui';
import { createForm } from './experiment-form';
import { exportForm } from './export-form';

export async function experimentsPage(ctx: PageContext): Promise<void> {
  if (ctx.params[0]) return resultsPage(ctx, ctx.params[0]);
  return listPage(ctx);
}

function variantsText(experiment: Experiment): string {
  return experiment.variants.map((variant) => `${variant.name} ${fmtWeight(variant.weight)}`).join(', ');
}

// ---- the list -------------------------------------------------------------------------

async function listPage(ctx: PageContext): Promise<void> {
  await chartPage(ctx, pageTitle(t('experiments.title')), async () => {
    const canCreate = canSeeCustomers(ctx.me);
    const [{ experiments }, overview] = await Promise.all([
      api.experiments(ctx.signal),
      canCreate ? api.overview(ctx.signal) : Promise.resolve(null),
    ]);
    const list = h(
      'section',
      { class: 'card', 'aria-labelledby': 'experiments-heading' },
      h('h2', { id: 'experiments-heading' }, t('experiments.list')),
      experiments.length ? experimentsTable(experiments) : message('experiments.none', 'experiments-none'),
    );
    return overview ? [list, createForm(ctx, overview as Overview)] : [list];
  });
}

function experimentsTable(experiments: Experiment[]): HTMLElement {
  return h(
    'div',
    { class: 'scroll' },
    dataTable(
      [
        { label: t('experiments.name') },
        { label: t('table.segment') },
        { label: t('experiments.variants') },
        { label: t('experiments.holdout'), numeric: true },
        { label: t('experiments.goal') },
        { label: t('experiments.start') },
        { label: t('table.customers'), numeric: true },
      ],
      experiments.map((experiment) => ({
        attrs: { 'data-testid': 'experiment-row', 'data-name': experiment.name },
        cells: [
          rowHeader(
            h(
              'a',
              { href: experimentHref(experiment.name), 'data-testid': 'experiment-link' },
              experiment.name,
            ),
          ),
          h(
            'td',
            null,
            h(
              'a',
              { href: segmentHref(experiment.segmentation, experiment.segment) },
              `${experiment.segmentation} / ${experiment.segment}`,
            ),
          ),
          h('td', null, variantsText(experiment)),
          numberCell(fmtWeight(experiment.holdout), experiment.holdout),
          h('td', null, experiment.goal),
          h('td', { 'data-value': experiment.start ?? undefined }, fmtDate(experiment.start)),
          numberCell(fmtInt(experiment.customers), experiment.customers, 'experiment-customers'),
        ],
      })),
      { 'data-testid': 'experiments-table' },
    ),
  );
}

// ---- one experiment's results ---------------------------------------------------------

async function resultsPage(ctx: PageContext, name: string): Promise<void> {
  const by = ctx.query.get('by') || null;
  const breadcrumb = h(
    'p',
    { class: 'breadcrumb' },
    h(
      'a',
      { href: routeHref('experiments'), 'data-testid': 'breadcrumb-experiments' },
      t('experiments.title'),
    ),
  );
  await chartPage(ctx, pageTitle(name, breadcrumb), async (draws) => {
    const [results, overview] = await Promise.all([
      api.experiment(name, by, ctx.signal),
      api.overview(ctx.signal),
    ]);
    const experiment = results.experiment;
    return [
      factsCard(results),
      noticesCard(results),
      h(
        'section',
        { class: 'card', 'data-testid': 'experiment-results' },
        h('h2', null, t('experiments.results')),
        armsTable(experiment, results.arms, 'arms-table'),
        h('h3', null, t('experiments.chart_title')),
        intervalChart(experiment, results.arms, 'chart-intervals', draws),
      ),
      canSeeCustomers(ctx.me) ? variantExport(experiment) : null,
      bySection(results, overview, by, draws),
    ].filter((item): item is HTMLElement => item !== null);
  });
}

function factsCard(results: ExperimentResults): HTMLElement {
  const experiment = results.experiment;
  return h(
    'section',
    { class: 'card' },
    h(
      'dl',
      { class: 'figures' },
      figure(
        t('table.segment'),
        `${experiment.segmentation} / ${experiment.segment}`,
        'experiment-segment',
        `${experiment.segmentation}/${experiment.segment}`,
      ),
      figure(t('experiments.variants'), variantsText(experiment), 'experiment-variants'),
      figure(
        t('experiments.holdout'),
        fmtWeight(experiment.holdout),
        'experiment-holdout',
        experiment.holdout,
      ),
      figure(t('experiments.goal'), experiment.goal, 'experiment-goal'),
      figure(
        t('experiments.start'),
        fmtDate(experiment.start),
        'experiment-start',
        experiment.start ?? undefined,
      ),
      figure(
        t('experiments.window_ends'),
        fmtDate(results.window_ends),
        'experiment-window-ends',
        results.window_ends ?? undefined,
      ),
      figure(
        t('experiments.planned'),
        results.planned_per_arm ? fmtInt(results.planned_per_arm) : DASH,
        'experiment-planned',
        results.planned_per_arm ?? undefined,
      ),
    ),
  );
}

// "Provisional" while the outcome window is open, and the server's warnings (planned
// sample not reached, …) as they come.
function noticesCard(results: ExperimentResults): HTMLElement | null {
  const warnings = warningTexts(results.warnings);
  if (!results.provisional && !warnings.length) return null;
  return h(
    'section',
    { class: 'card warn', 'data-testid': 'experiment-warnings', role: 'status' },
    results.provisional
      ? h(
          'p',
          { 'data-testid': 'experiment-provisional' },
          h('strong', null, t('experiments.provisional')),
          ' ',
          results.window_ends
            ? t('experiments.provisional_until', { date: fmtDate(results.window_ends) })
            : t('experiments.provisional_open'),
        )
      : null,
    warnings.length
      ? h(
          'ul',
          { class: 'warnings' },
          warnings.map((text) => h('li', { 'data-testid': 'experiment-warning' }, text)),
        )
      : null,
  );
}

function armsTable(experiment: Experiment, arms: Arm[], testid: string): HTMLElement {
  const holdoutSuppressed = arms.some((arm) => arm.suppressed && isHoldout(experiment, arm));
  return h(
    'div',
    { class: 'scroll' },
    dataTable(
      [
        { label: t('experiments.arm') },
        { label: t('table.customers'), numeric: true },
        { label: t('experiments.conversions'), numeric: true },
        { label: t('experiments.conversion_rate'), numeric: true },
        { label: t('experiments.revenue_per_customer'), numeric: true },
        { label: t('experiments.difference'), numeric: true },
        { label: t('experiments.interval'), numeric: true },
        { label: t('experiments.p_value'), numeric: true },
        { label: t('experiments.verdict') },
      ],
      arms.map((arm) => armRow(experiment, arm, holdoutSuppressed)),
      { 'data-testid': testid },
    ),
  );
}

function armRow(
  experiment: Experiment,
  arm: Arm,
  holdoutSuppressed: boolean,
): { attrs: Record<string, string>; cells: Node[] } {
  const holdout = isHoldout(experiment, arm);
  const name = rowHeader(
    arm.variant,
    holdout ? [' ', h('span', { class: 'badge' }, t('experiments.holdout_badge'))] : null,
  );
  const attrs = {
    'data-testid': 'arm-row',
    'data-variant': arm.variant,
    'data-holdout': String(holdout),
    'data-suppressed': String(arm.suppressed),
  };
  if (arm.suppressed) return { attrs, cells: [name, h('td', { colspan: 8 }, suppressedText())] };
  const vs = arm.vs_holdout;
  const comparison = vs
    ? [
        numberCell(fmtPoints(vs.difference), vs.difference, 'arm-difference'),
        numberCell(intervalText(vs.ci_low, vs.ci_high), undefined, 'arm-interval'),
        numberCell(fmtPValue(vs.p_value), vs.p_value, 'arm-p'),
        h(
          'td',
          { 'data-testid': 'arm-verdict', 'data-verdict': vs.verdict, title: vs.summary ?? undefined },
          h('span', { class: 'verdict' }, dot(VERDICT_COLOURS[vs.verdict]), verdictText(vs.verdict)),
        ),
      ]
    : [
        h(
          'td',
          { colspan: 4, class: 'muted' },
          holdout
            ? t('experiments.reference')
            : holdoutSuppressed
              ? t('experiments.no_comparison')
              : t('experiments.not_compared'),
        ),
      ];
  return {
    attrs,
    cells: [
      name,
      numberCell(fmtInt(arm.customers), arm.customers, 'arm-customers'),
      numberCell(fmtInt(arm.conversions), arm.conversions, 'arm-conversions'),
      numberCell(fmtPct(arm.conversion_rate, 1), arm.conversion_rate, 'arm-rate'),
      numberCell(fmtFixed(arm.revenue_per_customer, 2), arm.revenue_per_customer, 'arm-revenue'),
      ...comparison,
    ],
  };
}

function dot(colour: string): HTMLElement {
  const el = h('span', { class: 'dot', 'aria-hidden': 'true' });
  el.style.background = colour;
  return el;
}

function intervalChart(
  experiment: Experiment,
  arms: Arm[],
  testid: string,
  draws: Array<() => void>,
): HTMLElement {
  const points = intervalPoints(arms);
  if (!points.length) return message('experiments.chart_none', `${testid}-none`);
  const box = chartBox(
    testid,
    Math.max(140, 56 * points.length + 60),
    t('experiments.chart_label', { name: experiment.name }),
  );
  draws.push(() => drawChart(box, intervalChartOption(points)));
  return h('div', null, box, h('p', { class: 'muted' }, t('experiments.chart_help')));
}

// A variant's audience (its frozen assignment) as a file for the campaign tool.
function variantExport(experiment: Experiment): HTMLElement {
  const select = h(
    'select',
    { id: 'export-variant', 'data-testid': 'export-variant' },
    experiment.variants.map((variant) => h('option', { value: variant.name }, variant.name)),
  );
  return h(
    'section',
    { class: 'card', 'data-testid': 'variant-export' },
    h('h2', null, t('experiments.export_title')),
    exportForm(
      () => ({ experiment: experiment.name, variant: select.value }),
      h('label', { for: 'export-variant' }, t('experiments.export_variant')),
      select,
    ),
  );
}

// The results per segment of another segmentation (?by=), chosen with a select.
function bySection(
  results: ExperimentResults,
  overview: Overview,
  by: string | null,
  draws: Array<() => void>,
): HTMLElement {
  const experiment = results.experiment;
  const select = h(
    'select',
    { id: 'experiment-by', 'data-testid': 'experiment-by' },
    h('option', { value: '', selected: !by }, t('experiments.by_none')),
    overview.segmentations.map((segmentation) =>
      h('option', { value: segmentation.name, selected: segmentation.name === by }, segmentation.name),
    ),
  );
  select.addEventListener('change', () => {
    location.hash = experimentHref(experiment.name, select.value || null);
  });
  const groups = (results.by ?? []).map((group, index) =>
    h(
      'div',
      { class: 'by-group', 'data-testid': 'by-group', 'data-segment': group.segment },
      h('h3', null, group.segment),
      group.suppressed
        ? h('p', null, suppressedText())
        : [
            armsTable(experiment, group.arms, 'by-arms-table'),
            intervalChart(experiment, group.arms, `chart-intervals-by-${index}`, draws),
          ],
    ),
  );
  return h(
    'section',
    { class: 'card', 'data-testid': 'experiment-by-section' },
    h('h2', null, t('experiments.by_title')),
    h(
      'form',
      { class: 'inline-form', onsubmit: (event: Event) => event.preventDefault() },
      h('label', { for: 'experiment-by' }, t('experiments.by')),
      select,
    ),
    by && !groups.length ? message('experiments.by_empty', 'by-empty') : null,
    groups,
  );
}
