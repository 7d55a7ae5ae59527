/** Scan-to-scan comparison (pure): new/removed hosts, new/removed ports, service changes. */

export interface SnapshotPort {
  protocol: 'tcp' | 'udp';
  port: number;
  service?: string;
  product?: string;
  version?: string;
}

export interface SnapshotHost {
  mac: string | null;
  ip: string;
  hostname?: string | null;
  ports: SnapshotPort[];
}

export interface ScanSnapshot {
  id: number;
  kind?: 'sweep' | 'ports';
  hosts: SnapshotHost[];
}

export interface HostRef {
  mac: string | null;
  ip: string;
  hostname?: string | null;
}

export interface PortDelta extends SnapshotPort {
  mac: string | null;
  ip: string;
}

export interface ServiceChange {
  mac: string | null;
  ip: string;
  protocol: 'tcp' | 'udp';
  port: number;
  before: { service?: string; product?: string; version?: string };
  after: { service?: string; product?: string; version?: string };
}

export interface ScanComparison {
  from: number;
  to: number;
  newHosts: HostRef[];
  removedHosts: HostRef[];
  newPorts: PortDelta[];
  removedPorts: PortDelta[];
  serviceChanges: ServiceChange[];
}

/** Hosts are identified by MAC; MAC-less hosts by IP. */
function hostKey(h: SnapshotHost): string {
  return h.mac ? `mac:${h.mac.toLowerCase()}` : `ip:${h.ip}`;
}

function ref(h: SnapshotHost): HostRef {
  const r: HostRef = { mac: h.mac, ip: h.ip };
  if (h.hostname !== undefined) r.hostname = h.hostname;
  return r;
}

function svc(p: SnapshotPort): ServiceChange['before'] {
  const o: ServiceChange['before'] = {};
  if (p.service) o.service = p.service;
  if (p.product) o.product = p.product;
  if (p.version) o.version = p.version;
  return o;
}

function delta(h: SnapshotHost, p: SnapshotPort): PortDelta {
  return { mac: h.mac, ip: h.ip, ...p };
}

/** Compare `a` (older) with `b` (newer). Order follows `b` for additions and `a` for removals. */
export function compareScans(a: ScanSnapshot, b: ScanSnapshot): ScanComparison {
  const aHosts = new Map(a.hosts.map((h) => [hostKey(h), h]));
  const bHosts = new Map(b.hosts.map((h) => [hostKey(h), h]));
  const out: ScanComparison = {
    from: a.id,
    to: b.id,
    newHosts: [],
    removedHosts: [],
    newPorts: [],
    removedPorts: [],
    serviceChanges: [],
  };
  for (const [k, h] of bHosts) {
    const old = aHosts.get(k);
    if (!old) {
      out.newHosts.push(ref(h));
      for (const p of h.ports) out.newPorts.push(delta(h, p));
      continue;
    }
    const oldPorts = new Map(old.ports.map((p) => [`${p.protocol}/${p.port}`, p]));
    const newPorts = new Set<string>();
    for (const p of h.ports) {
      const pk = `${p.protocol}/${p.port}`;
      newPorts.add(pk);
      const op = oldPorts.get(pk);
      if (!op) {
        out.newPorts.push(delta(h, p));
      } else if ((op.product ?? '') !== (p.product ?? '') || (op.version ?? '') !== (p.version ?? '')) {
        out.serviceChanges.push({
          mac: h.mac,
          ip: h.ip,
          protocol: p.protocol,
          port: p.port,
          before: svc(op),
          after: svc(p),
        });
      }
    }
    for (const [pk, op] of oldPorts) if (!newPorts.has(pk)) out.removedPorts.push(delta(h, op));
  }
  for (const [k, h] of aHosts) {
    if (bHosts.has(k)) continue;
    out.removedHosts.push(ref(h));
    for (const p of h.ports) out.removedPorts.push(delta(h, p));
  }
  return out;
}
