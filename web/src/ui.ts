// Pieces every page uses: headings, errors, tables, figures, the segment sizes table and bar chart.
import { ApiError, isAbort } from './api';
import { drawChart } from './charts';
import { h, routeHref, type Attrs, type Child } from './dom';
import { fmtInt, fmtMoney, fmtPct, t } from './i18n';
import type { MessageKey } from './i18n';
import type { SegmentSize, Token } from './types';

export interface PageContext {
  root: HTMLElement;
  params: string[];
  query: URLSearchParams;
  signal: AbortSignal; // aborted when the page is left or redrawn
  me: Token;
}

export type Page = (ctx: PageContext) => Promise<void> | void;

export function canSeeCustomers(me: Token): boolean {
  return me.role === 'admin' || me.role === 'analyst';
}

export function pageTitle(text: string, ...extra: Array<Node | string>): HTMLElement {
  document.title = `${text} · Segmenta`;
  return h('header', { class: 'page-header' }, h('h1', { 'data-testid': 'page-title' }, text), extra);
}

export function loading(): HTMLElement {
  return h('p', { class: 'muted', 'data-testid': 'loading', 'aria-busy': 'true' }, t('common.loading'));
}

export function message(key: MessageKey, testid = 'message'): HTMLElement {
  return h('p', { class: 'notice', 'data-testid': testid }, t(key));
}

// An error as a notice; nothing for aborted requests and 401s (those sign out).
export function errorBox(error: unknown, testid = 'error'): HTMLElement | null {
  if (isAbort(error)) return null;
  if (error instanceof ApiError && error.status === 401) return null;
  const text = error instanceof Error ? error.message : String(error);
  return h('p', { class: 'error', role: 'alert', 'data-testid': testid }, text);
}

// Replace a placeholder with content, or with the error when the promise fails.
export async function fill(slot: HTMLElement, work: () => Promise<Node | Node[] | null>): Promise<void> {
  slot.replaceChildren(loading());
  try {
    const content = await work();
    if (content === null) slot.replaceChildren();
    else if (Array.isArray(content)) slot.replaceChildren(...content);
    else slot.replaceChildren(content);
  } catch (error) {
    const box = errorBox(error);
    if (box) slot.replaceChildren(box);
    else if (!isAbort(error)) slot.replaceChildren();
  }
}

export function suppressedText(): HTMLElement {
  return h('span', { class: 'suppressed', 'data-testid': 'suppressed' }, t('common.suppressed'));
}

export function segmentHref(segmentation: string, segment: string): string {
  return routeHref('segment', segmentation, segment);
}

export function segmentationHref(segmentation: string): string {
  return routeHref('segmentation', segmentation);
}

export function customerHref(id: string): string {
  return routeHref('customer', id);
}

export function numberCell(text: string, value?: number | null, testid?: string): HTMLElement {
  return h('td', { class: 'num', 'data-value': value ?? undefined, 'data-testid': testid }, text);
}

// A page of cards whose charts are drawn once the cards are in the document: the title,
// then what `build` returns (or the error), then every function `build` put in `draws`.
export async function chartPage(
  ctx: PageContext,
  title: HTMLElement,
  build: (draws: Array<() => void>) => Promise<Node | Node[] | null>,
): Promise<void> {
  const body = h('div');
  ctx.root.append(title, body);
  const draws: Array<() => void> = [];
  await fill(body, () => build(draws));
  if (!ctx.signal.aborted) for (const draw of draws) draw();
}

// One figure of a <dl class="figures">: label, shown value, and the raw value as data-value.
export function figure(label: string, value: string, testid: string, raw?: string | number): HTMLElement {
  return h(
    'div',
    { class: 'figure' },
    h('dt', null, label),
    h('dd', { 'data-testid': testid, 'data-value': raw }, value),
  );
}

// A column of dataTable: its header text (none: an empty <th> with no scope) and whether
// it holds numbers (right-aligned, class "num").
export interface Column {
  label?: string;
  numeric?: boolean;
}

// A row of dataTable: its cells, or its cells with attributes for the <tr>.
export type TableRow = Child[] | { attrs?: Attrs | null; cells: Child[] };

// The row's header cell, <th scope="row">.
export function rowHeader(...content: Child[]): HTMLElement {
  return h('th', { scope: 'row' }, content);
}

// <table class="data"> with a header row of columns (left out when columns is null) and
// a body of rows; attrs go on the table (a class of their own replaces "data").
export function dataTable(
  columns: Array<Column | null | false> | null,
  rows: TableRow[],
  attrs?: Attrs | null,
): HTMLTableElement {
  const head = columns
    ? h(
        'thead',
        null,
        h(
          'tr',
          null,
          columns.map((column) =>
            !column
              ? null
              : column.label === undefined
                ? h('th', null)
                : h('th', { scope: 'col', class: column.numeric ? 'num' : undefined }, column.label),
          ),
        ),
      )
    : null;
  const body = h(
    'tbody',
    null,
    rows.map((row) => (Array.isArray(row) ? h('tr', null, row) : h('tr', row.attrs ?? null, row.cells))),
  );
  return h('table', { class: 'data', ...attrs }, head, body);
}

// Segment, customers, share, revenue; a suppressed segment says so across the columns.
export function sizesTable(segmentation: string, segments: SegmentSize[]): HTMLElement {
  return dataTable(
    [
      { label: t('table.segment') },
      { label: t('table.customers'), numeric: true },
      { label: t('table.share'), numeric: true },
      { label: t('table.revenue'), numeric: true },
    ],
    segments.map((size) => ({
      attrs: { 'data-testid': 'segment-row', 'data-segment': size.segment },
      cells: [
        rowHeader(
          h(
            'a',
            { href: segmentHref(segmentation, size.segment), 'data-testid': 'segment-link' },
            size.segment,
          ),
        ),
        size.suppressed
          ? h('td', { colspan: 3 }, suppressedText())
          : [
              numberCell(fmtInt(size.customers), size.customers, 'segment-customers'),
              numberCell(fmtPct(size.share), size.share, 'segment-share'),
              numberCell(fmtMoney(size.revenue), size.revenue),
            ],
      ],
    })),
    { 'data-testid': 'sizes-table' },
  );
}

// Customers per segment as bars; suppressed segments get no bar and a note instead.
export function sizesChart(el: HTMLElement, segments: SegmentSize[]): void {
  const suppressedLabel = t('common.suppressed_short');
  const hidden = new Set(segments.flatMap((size, index) => (size.suppressed ? [index] : [])));
  drawChart(el, {
    grid: { left: 8, right: 24, top: 12, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value: unknown) => (typeof value === 'number' ? fmtInt(value) : suppressedLabel),
    },
    xAxis: { type: 'value', axisLabel: { formatter: (value: number) => fmtInt(value) } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: segments.map((size) => size.segment),
      axisLabel: {
        width: 170,
        overflow: 'truncate',
        formatter: (value: string, index: number) =>
          hidden.has(index) ? `${value} (${suppressedLabel})` : value,
      },
    },
    series: [
      {
        type: 'bar',
        name: t('table.customers'),
        data: segments.map((size) =>
          size.suppressed || size.customers === undefined ? '-' : size.customers,
        ),
        label: {
          show: true,
          position: 'right',
          formatter: (params: { value: unknown }) =>
            typeof params.value === 'number' ? fmtInt(params.value) : '',
        },
        barMaxWidth: 22,
      },
    ],
  });
}

// A chart's box; its height set through the style object (no inline style attribute,
// so a strict Content-Security-Policy does not block it).
export function chartBox(testid: string, height: number, label: string): HTMLElement {
  const box = h('div', { class: 'chart', 'data-testid': testid, role: 'img', 'aria-label': label });
  box.style.height = `${height}px`;
  return box;
}
