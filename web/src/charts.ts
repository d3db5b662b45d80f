// ECharts, tree-shaken to the four chart types the dashboard draws, on canvas.
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, SankeyChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

echarts.use([
  BarChart,
  HeatmapChart,
  SankeyChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type ChartOption = EChartsCoreOption;
export type Chart = echarts.ECharts;

export const PALETTE = [
  '#2f6fdf',
  '#e8833a',
  '#3aa35b',
  '#d64545',
  '#8a5cd1',
  '#8c6d4f',
  '#d160a8',
  '#6b7280',
  '#b5a62a',
  '#1fa9b8',
];

// The charts of the page on screen: resized with the window, disposed on navigation.
const live = new Set<Chart>();

// Draws into el; el.dataset.rendered becomes 'true' once the chart has finished
// drawing (animations included), which the browser test waits for.
export function drawChart(el: HTMLElement, option: ChartOption): Chart {
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.on('finished', () => {
    el.dataset.rendered = 'true';
  });
  chart.setOption({ color: PALETTE, animationDuration: 400, ...option });
  live.add(chart);
  return chart;
}

// The same colour for the same name wherever it is drawn.
export function colourOf(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

export function disposeCharts(): void {
  for (const chart of live) chart.dispose();
  live.clear();
}

window.addEventListener('resize', () => {
  for (const chart of live) chart.resize();
});
