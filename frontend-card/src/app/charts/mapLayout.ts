/**
 * Network map layout (pure, deterministic): the gateway at the centre; each subnet a cluster (one subnet:
 * around the gateway itself, several: on a ring around it); inside a cluster every kind gets a wedge sized by
 * its count, filled ring by ring, so cameras sit with cameras and 250 devices stay readable. No force
 * simulation: the same inventory always draws the same picture, in a few milliseconds.
 */
import type { MapJson, MapNodeJson } from '../types.js';

export interface Placed {
  node: MapNodeJson;
  x: number;
  y: number;
}

export interface KindLabel {
  text: string;
  x: number;
  y: number;
  cluster: string;
}

export interface MapLayout {
  placed: Placed[];
  labels: KindLabel[];
  /** half-extent of the drawing, for fitting */
  radius: number;
}

/** distance between neighbouring devices */
export const SPACING = 34;
const INNER = 70;

const KIND_ORDER = [
  'router',
  'access_point',
  'switch',
  'server',
  'nas',
  'computer',
  'phone',
  'tablet',
  'tv',
  'streamer',
  'speaker',
  'console',
  'camera',
  'printer',
  'hub',
  'iot',
  'light',
  'plug',
  'thermostat',
  'voip',
];

/** IPs in number order; one collator (localeCompare with options builds a new one per call: ~10 µs each). */
const NUMERIC = new Intl.Collator(undefined, { numeric: true });
/** `localeCompare`'s order, one collator */
const TEXT = new Intl.Collator();

function kindRank(k: string | null): number {
  const i = k ? KIND_ORDER.indexOf(k) : -1;
  return i < 0 ? KIND_ORDER.length : i;
}

/** Places `n` points in a wedge [a0, a1] from radius r0 outwards, ring by ring; returns [angle, radius]. */
function wedge(n: number, a0: number, a1: number, r0: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let r = r0;
  while (out.length < n) {
    const arc = Math.max(0.0001, (a1 - a0) * r);
    const cap = Math.max(1, Math.floor(arc / SPACING));
    const take = Math.min(cap, n - out.length);
    for (let i = 0; i < take; i++) out.push([a0 + ((i + 0.5) / take) * (a1 - a0), r]);
    r += SPACING;
  }
  return out;
}

/** Rings needed for `n` devices around a centre (area estimate), used to size clusters. */
function clusterRadius(n: number): number {
  // area of the annulus needed ≈ n · SPACING², from INNER outwards
  return Math.sqrt((n * SPACING * SPACING) / Math.PI + INNER * INNER) + SPACING;
}

export function layoutMap(map: MapJson, kindLabel: (k: string | null) => string): MapLayout {
  const gateway = map.nodes.find((n) => n.type === 'gateway');
  const subnets = map.nodes.filter((n) => n.type === 'subnet');
  const agents = map.nodes.filter((n) => n.type === 'agent');
  const devices = map.nodes.filter((n) => n.type === 'device');
  const bySubnet = new Map<string, MapNodeJson[]>();
  for (const d of devices) {
    const key = d.parent ?? '';
    const list = bySubnet.get(key) ?? [];
    list.push(d);
    bySubnet.set(key, list);
  }
  const placed: Placed[] = [];
  const labels: KindLabel[] = [];
  if (gateway) placed.push({ node: gateway, x: 0, y: 0 });
  const clusters = subnets.filter((s) => (bySubnet.get(s.id)?.length ?? 0) > 0 || subnets.length === 1);
  const single = clusters.length <= 1;
  const radii = clusters.map((s) => clusterRadius(bySubnet.get(s.id)?.length ?? 0));
  // several subnets: centres on a ring big enough that neighbouring clusters do not overlap
  const ring = single
    ? 0
    : Math.max(...radii.map((r) => r * 2), radii.reduce((a, r) => a + 2 * r + SPACING, 0) / (2 * Math.PI)) +
      INNER;
  let extent = INNER;
  clusters.forEach((s, ci) => {
    const angle = -Math.PI / 2 + (ci / Math.max(1, clusters.length)) * 2 * Math.PI;
    const cx = single ? 0 : Math.cos(angle) * ring;
    const cy = single ? 0 : Math.sin(angle) * ring;
    if (!single) placed.push({ node: s, x: cx, y: cy });
    const list = [...(bySubnet.get(s.id) ?? [])].sort(
      (a, b) =>
        kindRank(a.kind) - kindRank(b.kind) ||
        NUMERIC.compare(a.ip ?? '', b.ip ?? '') ||
        TEXT.compare(a.id, b.id),
    );
    const groups: Array<{ kind: string | null; items: MapNodeJson[] }> = [];
    for (const d of list) {
      const g = groups.at(-1);
      if (g && g.kind === d.kind) g.items.push(d);
      else groups.push({ kind: d.kind, items: [d] });
    }
    let a = -Math.PI / 2;
    const r0 = single ? INNER : INNER * 0.8;
    for (const g of groups) {
      const span = (g.items.length / Math.max(1, list.length)) * 2 * Math.PI;
      const pts = wedge(g.items.length, a, a + span, r0);
      let outer = r0;
      g.items.forEach((d, i) => {
        const [t, r] = pts[i] ?? [a, r0];
        outer = Math.max(outer, r);
        placed.push({ node: d, x: cx + Math.cos(t) * r, y: cy + Math.sin(t) * r });
      });
      const mid = a + span / 2;
      labels.push({
        text: `${kindLabel(g.kind)} (${g.items.length})`,
        x: cx + Math.cos(mid) * (outer + SPACING * 0.9),
        y: cy + Math.sin(mid) * (outer + SPACING * 0.9),
        cluster: s.id,
      });
      extent = Math.max(extent, Math.hypot(cx, cy) + outer + SPACING * 2);
      a += span;
    }
  });
  // agents between the gateway and the clusters they scan
  for (const ag of agents) {
    const mine = placed.filter((p) => p.node.type === 'subnet' && p.node.parent === ag.id);
    const x = mine.length ? mine.reduce((s, p) => s + p.x, 0) / mine.length / 2 : 0;
    const y = mine.length ? mine.reduce((s, p) => s + p.y, 0) / mine.length / 2 : INNER / 2;
    placed.push({ node: ag, x, y });
  }
  return { placed, labels, radius: extent };
}
