/** ECharts graph option for the network map (pure: layout + theme + search in, option out). */
import { kindLabel, kindPath } from '../../shared/kinds.js';
import type { MapJson } from '../types.js';
import { layoutMap } from './mapLayout.js';
import type { ChartTheme } from './theme.js';

/** Device ids whose label, IP, MAC or kind contains the search text (case-insensitive). */
export function mapMatches(map: MapJson, q: string): Set<string> | null {
  const s = q.trim().toLowerCase();
  if (!s) return null;
  const hit = new Set<string>();
  for (const n of map.nodes) {
    if (n.type !== 'device') continue;
    const hay = `${n.label}\n${n.ip ?? ''}\n${n.mac ?? ''}\n${kindLabel(n.kind)}`.toLowerCase();
    if (hay.includes(s)) hit.add(n.id);
  }
  return hit;
}

export function mapOption(map: MapJson, theme: ChartTheme, q = '') {
  const layout = layoutMap(map, (k) => (k ? kindLabel(k) : 'Unknown kind'));
  const matches = mapMatches(map, q);
  // one subnet: it is drawn around the gateway, whose label then names it
  const subnetNodes = map.nodes.filter((n) => n.type === 'subnet');
  const lone = subnetNodes.length === 1 ? subnetNodes[0] : undefined;
  // the graph is fitted into the box: shrink the symbols with it so neighbours never overlap (pinch to zoom in)
  const fit = Math.min(theme.width, theme.height) / (2 * layout.radius + 40);
  const scale = Math.max(0.35, Math.min(1.1, fit));
  const few = layout.placed.filter((p) => p.node.type === 'device').length <= 40;
  const riskColor = (r: string | null) =>
    theme.risk[(r ?? 'unknown') as keyof ChartTheme['risk']] ?? theme.risk.unknown;
  const data = layout.placed.map((p) => {
    const n = p.node;
    const isDevice = n.type === 'device';
    const health = n.online === true ? 'online' : n.online === false ? 'offline' : 'health unknown';
    const matched = matches ? matches.has(n.id) : true;
    // an offline agent is dimmed like an offline device (its devices keep their own presence)
    const dim =
      ((isDevice || n.type === 'agent') && n.online === false) || (matches !== null && isDevice && !matched);
    const size = Math.round(
      (n.type === 'gateway' ? 46 : n.type === 'subnet' || n.type === 'agent' ? 30 : 24) * scale,
    );
    const color =
      n.type === 'gateway'
        ? n.risk && n.risk !== 'unknown' && n.risk !== 'none'
          ? riskColor(n.risk)
          : theme.accent
        : n.type === 'device'
          ? riskColor(n.risk)
          : theme.muted;
    const showLabel = n.type !== 'device' || few || (matches !== null && matched);
    return {
      id: n.id,
      name: n.label,
      x: p.x,
      y: p.y,
      // the kind's icon as the node's shape
      symbol: `path://${n.type === 'device' || n.type === 'gateway' ? kindPath(n.kind) : n.type === 'agent' ? AGENT_PATH : SUBNET_PATH}`,
      symbolSize: size,
      symbolKeepAspect: true,
      itemStyle: { color, opacity: dim ? 0.3 : 1 },
      label: {
        show: showLabel,
        position: 'bottom',
        distance: 2,
        color: theme.text,
        fontSize: n.type === 'device' ? 11 : 12,
        fontWeight: n.type === 'device' ? 'normal' : 'bold',
        width: n.type === 'gateway' ? 240 : 140,
        lineHeight: 15,
        ...(n.type === 'gateway' ? { padding: [2, 4], borderRadius: 4 } : {}),
        overflow: 'truncate',
        // names are data: never a template string (a formatter string would expand `{b}`-style markup)
        ...(n.type === 'subnet'
          ? { formatter: () => `${n.label}\n${n.devices_online ?? 0}/${n.devices ?? 0} online` }
          : n.type === 'agent'
            ? { formatter: () => `${n.label}\n${health} · ${n.devices ?? 0} devices` }
            : n.type === 'gateway' && lone
              ? {
                  formatter: () =>
                    `${n.label}\n${lone.label} · ${lone.devices_online ?? 0}/${lone.devices ?? 0} online`,
                }
              : {}),
        backgroundColor:
          (matches !== null && matched && isDevice) || n.type === 'gateway' ? theme.surface : 'transparent',
      },
      // what the click handler and tooltip need (never rendered as HTML)
      value: n.mac ?? n.id,
      tooltipText: [
        n.label,
        n.type === 'device'
          ? `${kindLabel(n.kind)} · ${n.ip ?? 'no IP'}`
          : n.type === 'agent'
            ? `satellite agent · ${health}`
            : n.type,
        n.type === 'device' ? `risk ${n.risk ?? 'unknown'} · ${n.online ? 'online' : 'offline'}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    };
  });
  const placedIds = new Set(layout.placed.map((p) => p.node.id));
  const labels = layout.labels.map((l, i) => ({
    id: `label:${i}`,
    name: l.text,
    x: l.x,
    y: l.y,
    symbol: 'circle',
    symbolSize: 0,
    itemStyle: { color: 'transparent' },
    silent: true,
    label: {
      show: true,
      position: 'inside',
      color: theme.muted,
      fontSize: 12,
      fontWeight: 'bold',
      textBorderColor: theme.surface,
      textBorderWidth: 3,
    },
    tooltip: { show: false },
  }));
  return {
    animation: false,
    tooltip: {
      show: true,
      backgroundColor: theme.surface,
      borderColor: theme.border,
      textStyle: { color: theme.text, fontSize: 12 },
      // drawn as text on the canvas: a hostile device name never becomes HTML (the default 'html' mode would)
      renderMode: 'richText',
      formatter: (p: { data?: { tooltipText?: string } }) => p.data?.tooltipText ?? '',
    },
    series: [
      {
        type: 'graph',
        layout: 'none',
        // room for the kind labels outside the outermost ring
        left: '9%',
        right: '9%',
        top: 36,
        bottom: 36,
        roam: true,
        scaleLimit: { min: 0.3, max: 6 },
        zoom: 1,
        data: [...data, ...labels],
        // links between placed nodes only: with one subnet its devices sit around the gateway itself and
        // 250 spokes would only add clutter
        links: map.links
          .filter((l) => placedIds.has(l.source) && placedIds.has(l.target))
          .map((l) => ({ source: l.source, target: l.target })),
        lineStyle: { color: theme.border, opacity: 0.7, width: 1, curveness: 0 },
        emphasis: { focus: 'adjacency', label: { show: true } },
        labelLayout: { hideOverlap: true },
      },
    ],
  };
}

/** mdi "lan" (subnet) and "satellite-uplink" style glyphs for non-device nodes. */
const SUBNET_PATH =
  'M10,2C8.89,2 8,2.89 8,4V7C8,8.11 8.89,9 10,9H11V11H2V13H6V15H5C3.89,15 3,15.89 3,17V20C3,21.11 3.89,22 5,22H9C10.11,22 11,21.11 11,20V17C11,15.89 10.11,15 9,15H8V13H16V15H15C13.89,15 13,15.89 13,17V20C13,21.11 13.89,22 15,22H19C20.11,22 21,21.11 21,20V17C21,15.89 20.11,15 19,15H18V13H22V11H13V9H14C15.11,9 16,8.11 16,7V4C16,2.89 15.11,2 14,2H10M10,4H14V7H10V4M5,17H9V20H5V17M15,17H19V20H15V17Z';
const AGENT_PATH =
  'M11,2A8,8 0 0,0 3,10H5A6,6 0 0,1 11,4V2M11,6A4,4 0 0,0 7,10H9A2,2 0 0,1 11,8V6M13,11L10,14H12V22H14V14H16L13,11Z';
