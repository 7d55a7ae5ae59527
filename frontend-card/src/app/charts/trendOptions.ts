/** ECharts options for the overview's trend charts (pure: data + theme in, option out). */
import type { TrendsJson } from '../types.js';
import type { ChartTheme } from './theme.js';

type Pair = [number, number];

function series(t: TrendsJson, key: string): Pair[] {
  return t.points.map((p) => [Date.parse(p.t), p.values[key] ?? 0]);
}

function base(theme: ChartTheme, t: TrendsJson) {
  const axisLabel = { color: theme.muted, fontSize: 11, hideOverlap: true };
  const splitLine = { lineStyle: { color: theme.border, opacity: 0.6 } };
  const span = t.days * 86_400_000;
  const now = Date.now();
  return {
    animation: false,
    textStyle: { color: theme.text },
    grid: { left: 8, right: 12, top: 28, bottom: 4, containLabel: true },
    tooltip: {
      trigger: 'axis',
      backgroundColor: theme.surface,
      borderColor: theme.border,
      textStyle: { color: theme.text, fontSize: 12 },
    },
    xAxis: {
      type: 'time',
      min: now - span,
      max: now,
      axisLabel: {
        ...axisLabel,
        formatter: t.granularity === 'hour' && t.days <= 1 ? '{HH}:{mm}' : '{d} {MMM}',
      },
      axisLine: { lineStyle: { color: theme.border } },
      splitLine: { show: false },
    },
    yAxis: { type: 'value', minInterval: 1, axisLabel, splitLine },
  };
}

export function onlineOption(t: TrendsJson, theme: ChartTheme) {
  const min = series(t, 'min');
  const max = series(t, 'max');
  return {
    ...base(theme, t),
    legend: { top: 0, right: 0, textStyle: { color: theme.muted, fontSize: 11 }, data: ['average', 'range'] },
    series: [
      {
        name: 'min',
        type: 'line',
        data: min,
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        tooltip: { show: false },
      },
      {
        name: 'range',
        type: 'line',
        data: max.map(([x, v], i) => [x, v - (min[i]?.[1] ?? 0)]),
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        areaStyle: { color: theme.accent, opacity: 0.18 },
        itemStyle: { color: theme.accent },
        tooltip: { show: false },
      },
      {
        name: 'average',
        type: 'line',
        data: series(t, 'avg'),
        showSymbol: t.points.length < 40,
        symbolSize: 5,
        itemStyle: { color: theme.accent },
        lineStyle: { width: 2, color: theme.accent },
      },
    ],
  };
}

export function barOption(t: TrendsJson, theme: ChartTheme, name: string, color?: string) {
  return {
    ...base(theme, t),
    series: [
      {
        name,
        type: 'bar',
        data: series(t, 'value'),
        itemStyle: { color: color ?? theme.accent, borderRadius: [3, 3, 0, 0] },
        barMaxWidth: 18,
      },
    ],
  };
}

export function lineOption(t: TrendsJson, theme: ChartTheme, name: string) {
  return {
    ...base(theme, t),
    series: [
      {
        name,
        type: 'line',
        step: 'end',
        data: series(t, 'value'),
        showSymbol: false,
        itemStyle: { color: theme.ok },
        lineStyle: { width: 2, color: theme.ok },
        areaStyle: { color: theme.ok, opacity: 0.08 },
      },
    ],
  };
}

const SEV_LABEL: Record<string, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

export function findingsOption(t: TrendsJson, theme: ChartTheme) {
  const keys = ['low', 'medium', 'high', 'critical'] as const;
  return {
    ...base(theme, t),
    legend: { top: 0, right: 0, textStyle: { color: theme.muted, fontSize: 11 } },
    series: keys.map((k) => ({
      name: SEV_LABEL[k],
      type: t.granularity === 'day' ? 'bar' : 'line',
      stack: 'sev',
      data: series(t, k),
      showSymbol: false,
      barMaxWidth: 18,
      itemStyle: { color: theme.risk[k] },
      lineStyle: { width: 1, color: theme.risk[k] },
      areaStyle: t.granularity === 'day' ? undefined : { color: theme.risk[k], opacity: 0.55 },
    })),
  };
}
