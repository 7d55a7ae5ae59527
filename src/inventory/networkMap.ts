/**
 * The network map's graph (pure): the gateway, the subnets, satellite agents (DESIGN §16) and devices with
 * kind, risk and presence; links device → subnet → (agent →) gateway. Layout is the UI's job.
 */
import { intToIpv4, ipv4ToInt, parseCidrOrIp } from '../scan/ipv4.js';
import { type DeviceKind, effectiveKind } from './kinds.js';
import { type Device, displayName } from './types.js';

export type MapNodeType = 'gateway' | 'subnet' | 'agent' | 'device';

export interface MapNode {
  id: string;
  type: MapNodeType;
  label: string;
  /** devices: their subnet node's id; subnets: the agent node that scans them, if any */
  parent: string | null;
  ip: string | null;
  mac: string | null;
  kind: DeviceKind | null;
  risk: Device['risk'] | 'unknown' | null;
  online: boolean | null;
  /** devices in this subnet / behind this agent */
  devices?: number;
  devicesOnline?: number;
}

export interface MapLink {
  source: string;
  target: string;
}

export interface NetworkMap {
  gateway: MapNode;
  nodes: MapNode[];
  links: MapLink[];
}

export interface MapInput {
  devices: ReadonlyArray<
    Pick<
      Device,
      'mac' | 'ip' | 'name' | 'hostname' | 'vendor' | 'online' | 'risk' | 'portsScannedAt' | 'ignored'
    > &
      Partial<Pick<Device, 'kind' | 'kindOverride' | 'randomized'>>
  >;
  /** configured or detected subnets (CIDRs) */
  subnets: readonly string[];
  gatewayIp: string | null;
  /** mac → agent id for devices a satellite agent saw last */
  owners?: ReadonlyMap<string, string>;
  agents?: ReadonlyArray<{ id: string; status: 'online' | 'offline' | string }>;
}

interface Net {
  cidr: string;
  lo: number;
  hi: number;
}

function nets(cidrs: readonly string[]): Net[] {
  const out: Net[] = [];
  for (const c of cidrs) {
    const p = parseCidrOrIp(c);
    if (!p) continue;
    out.push({ cidr: `${intToIpv4(p.network)}/${p.prefix}`, lo: p.network, hi: p.network + p.size - 1 });
  }
  // most specific first, so a device lands in its smallest subnet
  return out.sort((a, b) => a.hi - a.lo - (b.hi - b.lo));
}

/** A subnet's node, before its devices are counted. */
function subnetNode(cidr: string): MapNode {
  return {
    id: `subnet:${cidr}`,
    type: 'subnet',
    label: cidr,
    parent: null,
    ip: null,
    mac: null,
    kind: null,
    risk: null,
    online: null,
    devices: 0,
    devicesOnline: 0,
  };
}

/** The subnet a device belongs to: a configured one containing its IP, else its /24, else "no IP". */
function subnetOf(ip: string | null, known: Net[]): string {
  const n = ip ? ipv4ToInt(ip) : undefined;
  if (n === undefined) return 'no address';
  for (const s of known) if (n >= s.lo && n <= s.hi) return s.cidr;
  return `${intToIpv4(n & 0xffffff00)}/24`;
}

export function buildNetworkMap(input: MapInput): NetworkMap {
  const known = nets(input.subnets);
  const gwDevice = input.gatewayIp ? input.devices.find((d) => d.ip === input.gatewayIp) : undefined;
  const gateway: MapNode = {
    id: 'gateway',
    type: 'gateway',
    label: gwDevice ? displayName(gwDevice) : input.gatewayIp ? `Gateway ${input.gatewayIp}` : 'Gateway',
    parent: null,
    ip: input.gatewayIp,
    mac: gwDevice?.mac ?? null,
    kind: 'router',
    risk: gwDevice ? (gwDevice.portsScannedAt ? gwDevice.risk : 'unknown') : null,
    online: gwDevice ? gwDevice.online : null,
  };
  const nodes: MapNode[] = [gateway];
  const links: MapLink[] = [];
  const subnets = new Map<string, MapNode>();
  const agentOfSubnet = new Map<string, Map<string, number>>();
  for (const s of known) subnets.set(s.cidr, subnetNode(s.cidr));
  const deviceNodes: MapNode[] = [];
  for (const d of input.devices) {
    if (d.ignored) continue;
    if (gwDevice && d.mac === gwDevice.mac) continue;
    const cidr = subnetOf(d.ip, known);
    let sn = subnets.get(cidr);
    if (!sn) {
      sn = subnetNode(cidr);
      subnets.set(cidr, sn);
    }
    sn.devices = (sn.devices ?? 0) + 1;
    if (d.online) sn.devicesOnline = (sn.devicesOnline ?? 0) + 1;
    const agent = input.owners?.get(d.mac);
    if (agent) {
      const m = agentOfSubnet.get(sn.id) ?? new Map<string, number>();
      m.set(agent, (m.get(agent) ?? 0) + 1);
      agentOfSubnet.set(sn.id, m);
    }
    deviceNodes.push({
      id: d.mac,
      type: 'device',
      label: displayName(d),
      parent: sn.id,
      ip: d.ip,
      mac: d.mac,
      kind: effectiveKind(d),
      risk: d.portsScannedAt ? d.risk : 'unknown',
      online: d.online,
    });
    links.push({ source: d.mac, target: sn.id });
  }
  const agents = new Map<string, MapNode>();
  for (const sn of subnets.values()) {
    if (sn.devices === 0 && known.length > 1) continue;
    nodes.push(sn);
    // a subnet whose devices a satellite agent saw hangs off that agent
    const counts = agentOfSubnet.get(sn.id);
    const agent = counts ? [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] : undefined;
    if (agent) {
      let an = agents.get(agent);
      if (!an) {
        const status = input.agents?.find((a) => a.id === agent)?.status;
        an = {
          id: `agent:${agent}`,
          type: 'agent',
          label: `Agent ${agent}`,
          parent: null,
          ip: null,
          mac: null,
          kind: null,
          risk: null,
          online: status === undefined ? null : status === 'online',
          devices: 0,
        };
        agents.set(agent, an);
        nodes.push(an);
        links.push({ source: an.id, target: gateway.id });
      }
      an.devices = (an.devices ?? 0) + (sn.devices ?? 0);
      sn.parent = an.id;
      links.push({ source: sn.id, target: an.id });
    } else links.push({ source: sn.id, target: gateway.id });
  }
  nodes.push(...deviceNodes);
  return { gateway, nodes, links };
}
