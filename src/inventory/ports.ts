/**
 * Apply one host's port/service scan to its device (pure).
 *
 * - Only when `host.portsScanned` is true; otherwise the device is returned unchanged.
 * - Only `open` ports count (closed, filtered, open|filtered are not open).
 * - `service_changed` when product or version differs on the same port. When this scan identified
 *   neither product nor version (e.g. -sV timed out) the previous service details are kept and no
 *   change is reported: "unknown" is not a change.
 * - Severity: port_opened low, service_changed low, port_closed info; ignored devices capped at info.
 * - The first successful port scan of a device (no `portsScannedAt` yet) raises ONE `first_port_scan`
 *   summary ("first scan: N open ports", info) listing the ports, instead of a `port_opened` per port.
 * - Strings from nmap (service, product, version, extrainfo, CPE) are cleaned and length-capped.
 */

import type { ScanHost } from '../scan/types.js';
import { capSeverity } from './sweep.js';
import { cleanNetworkText } from './text.js';
import type { Change, Device, DevicePort, Severity } from './types.js';
import { displayName } from './types.js';

const FIELD_MAX = 256;
const CPE_MAX = 16;

export function portKey(p: { protocol: string; port: number }): string {
  return `${p.protocol}/${p.port}`;
}

/** One number per (protocol, port), in their sort order (tcp before udp): no key string per port. */
function portNumber(p: { protocol: string; port: number }): number {
  return p.protocol === 'udp' ? 65536 + p.port : p.port;
}

/** nmap's CPE list cleaned and capped (one array, none when nmap gave none). */
function cleanCpe(list: readonly string[] | undefined): string[] {
  const out: string[] = [];
  if (!list) return out;
  for (let i = 0; i < list.length && out.length < CPE_MAX; i++) {
    const c = cleanNetworkText(list[i], FIELD_MAX);
    if (c !== null) out.push(c);
  }
  return out;
}

function describe(p: Pick<DevicePort, 'service' | 'product' | 'version'>): string {
  const sv = [p.product, p.version].filter(Boolean).join(' ');
  if (sv) return sv;
  return p.service ?? 'unknown service';
}

export function applyPortScan(
  prev: Device,
  host: ScanHost,
  now: Date,
): { device: Device; changes: Change[] } {
  if (!host.portsScanned) return { device: prev, changes: [] };
  const t = now.toISOString();
  const oldPorts = new Map<number, DevicePort>();
  for (const p of prev.ports) oldPorts.set(portNumber(p), p);
  const nextPorts = new Map<number, DevicePort>();
  const changes: Change[] = [];
  // the first scan reports one summary instead of a change per port: no per-port change objects then
  const first = prev.portsScannedAt === null;
  const name = displayName(prev);
  const label = name === prev.mac ? prev.mac : `${name} (${prev.mac})`;
  const mk = (
    type: Change['type'],
    severity: Severity,
    message: string,
    before?: unknown,
    after?: unknown,
  ): Change => {
    const c: Change = {
      type,
      mac: prev.mac,
      ip: prev.ip ?? host.ip,
      name,
      vendor: prev.vendor,
      severity: capSeverity(prev, severity),
      message,
      time: t,
    };
    if (before !== undefined) c.before = before;
    if (after !== undefined) c.after = after;
    return c;
  };

  for (const sp of host.ports) {
    if (sp.state !== 'open') continue;
    if (sp.protocol !== 'tcp' && sp.protocol !== 'udp') continue;
    if (!Number.isInteger(sp.port) || sp.port < 1 || sp.port > 65535) continue;
    const key = portNumber(sp);
    if (nextPorts.has(key)) continue;
    const svc = sp.service;
    const fresh: DevicePort = {
      protocol: sp.protocol,
      port: sp.port,
      cpe: cleanCpe(svc?.cpe),
      firstSeen: t,
      lastSeen: t,
    };
    const service = cleanNetworkText(svc?.name, FIELD_MAX);
    const product = cleanNetworkText(svc?.product, FIELD_MAX);
    const version = cleanNetworkText(svc?.version, FIELD_MAX);
    const extrainfo = cleanNetworkText(svc?.extrainfo, FIELD_MAX);
    if (service) fresh.service = service;
    if (product) fresh.product = product;
    if (version) fresh.version = version;
    if (extrainfo) fresh.extrainfo = extrainfo;
    const devicetype = cleanNetworkText(svc?.devicetype, FIELD_MAX);
    const httpTitle = cleanNetworkText(sp.httpTitle, FIELD_MAX);
    const httpServer = cleanNetworkText(sp.httpServer, FIELD_MAX);
    if (devicetype) fresh.devicetype = devicetype;
    if (httpTitle) fresh.httpTitle = httpTitle;
    if (httpServer) fresh.httpServer = httpServer;

    const old = oldPorts.get(key);
    if (!old) {
      nextPorts.set(key, fresh);
      if (first) continue;
      changes.push(
        mk(
          'port_opened',
          'low',
          `${label}: port ${portKey(fresh)} (${describe(fresh)}) is now open`,
          undefined,
          {
            protocol: fresh.protocol,
            port: fresh.port,
            service: fresh.service ?? null,
            product: fresh.product ?? null,
            version: fresh.version ?? null,
          },
        ),
      );
      continue;
    }
    const identified = Boolean(fresh.product || fresh.version);
    let merged: DevicePort;
    if (identified) {
      // this scan's port as nmap saw it, open since the stored first sighting (fresh is ours: no copy)
      fresh.firstSeen = old.firstSeen;
      merged = fresh;
    } else {
      // nothing identified: the stored service details stay
      merged = { ...old, lastSeen: t };
      if (fresh.service) merged.service = fresh.service;
      else if ('service' in merged && !merged.service) delete merged.service;
      if (fresh.httpTitle) merged.httpTitle = fresh.httpTitle;
      if (fresh.httpServer) merged.httpServer = fresh.httpServer;
    }
    nextPorts.set(key, merged);
    if (
      identified &&
      ((old.product ?? null) !== (fresh.product ?? null) || (old.version ?? null) !== (fresh.version ?? null))
    ) {
      changes.push(
        mk(
          'service_changed',
          'low',
          `${label}: service on port ${portKey(fresh)} changed from ${describe(old)} to ${describe(fresh)}`,
          {
            protocol: old.protocol,
            port: old.port,
            product: old.product ?? null,
            version: old.version ?? null,
          },
          {
            protocol: fresh.protocol,
            port: fresh.port,
            product: fresh.product ?? null,
            version: fresh.version ?? null,
          },
        ),
      );
    }
  }
  for (const [key, old] of oldPorts) {
    if (nextPorts.has(key) || first) continue;
    changes.push(
      mk(
        'port_closed',
        'info',
        `${label}: port ${portKey(old)} (${describe(old)}) is no longer open`,
        {
          protocol: old.protocol,
          port: old.port,
          service: old.service ?? null,
          product: old.product ?? null,
          version: old.version ?? null,
        },
        undefined,
      ),
    );
  }
  // (protocol, port) order; nmap lists them so already, then nothing is sorted
  const ports = [...nextPorts.values()];
  for (let i = 1; i < ports.length; i++) {
    if (portNumber(ports[i - 1] as DevicePort) > portNumber(ports[i] as DevicePort)) {
      ports.sort((a, b) => portNumber(a) - portNumber(b));
      break;
    }
  }
  if (first) {
    const list = ports.map((p) => ({
      protocol: p.protocol,
      port: p.port,
      service: p.service ?? null,
      product: p.product ?? null,
      version: p.version ?? null,
    }));
    const shown = ports.slice(0, 8).map((p) => `${portKey(p)} ${describe(p)}`);
    const more = ports.length > shown.length ? `, … ${ports.length - shown.length} more` : '';
    const summary = mk(
      'first_port_scan',
      'info',
      ports.length === 0
        ? `${label}: first port scan: no open ports`
        : `${label}: first port scan: ${ports.length} open port${ports.length === 1 ? '' : 's'} (${shown.join(', ')}${more})`,
      undefined,
      { open: ports.length, ports: list },
    );
    return { device: { ...prev, ports, portsScannedAt: t }, changes: [summary] };
  }
  return { device: { ...prev, ports, portsScannedAt: t }, changes };
}
