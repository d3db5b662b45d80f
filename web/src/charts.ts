// ECharts, tree-shaken to the chart types the dashboard draws (bar, heatmap, line,
// scatter, Sankey), on canvas.
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, SankeyChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';
import { PALETTE } from './palette';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
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

export { PALETTE, colourOf } from './palette';

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

// Redraws one chart in place (a new choice on the same page): el.dataset.rendered goes
// back to 'false' until the new drawing has finished.
export function redrawChart(previous: Chart | null, el: HTMLElement, option: ChartOption): Chart {
  if (previous) {
    live.delete(previous);
    previous.dispose();
  }
  el.dataset.rendered = 'false';
  return drawChart(el, option);
}

export function disposeCharts(): void {
  for (const chart of live) chart.dispose();
  live.clear();
}

window.addEventListener('resize', () => {
  for (const chart of live) chart.resize();
});
