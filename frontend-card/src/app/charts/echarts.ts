/**
 * The one charting library (DESIGN §9): Apache ECharts, tree-shaken to the parts the UI uses (line and bar
 * charts for trends, the graph series for the network map, canvas renderer). This module is only ever
 * loaded with a dynamic import, so it is its own chunk and the first paint does not wait for it.
 */
import { BarChart, GraphChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  BarChart,
  GraphChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  CanvasRenderer,
]);

export const init = echarts.init;
export type EChartsType = echarts.EChartsType;
export type EChartsCoreOption = echarts.EChartsCoreOption;
