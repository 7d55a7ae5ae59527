/**
 * How a port scan's per-host result is kept in `scan_hosts.ports` (issue 18).
 *
 * The scan detail, its per-host view, the CLI and the compare view read of each port only what nmap said about it
 * at that scan: protocol, port, state, and the service's name, product and version. Everything else nmap printed
 * (CPE, extrainfo, scripts' output, method/conf) is stored once, where it is used: the device's current ports and
 * the change rows. So a row holds one array per port, `[protocol, port, state, name, product, version]` (absent
 * service fields as null), instead of the whole parsed object: a third of the text, and no object tree to
 * serialise per host.
 *
 * Rows written before this (an array of parsed port objects) read as before: the decoder takes both shapes, so
 * no stored row changes meaning and none is rewritten.
 */
import type { PortProtocol, ScanPort, ScanService } from '../scan/types.js';

type PortTuple = [PortProtocol, number, string, string | null, string | null, string | null];

/** The stored text of a scanned host's ports. */
export function encodeScanPorts(ports: readonly ScanPort[]): string {
  const rows = new Array<PortTuple>(ports.length);
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i] as ScanPort;
    const s = p.service;
    rows[i] = [p.protocol, p.port, p.state, s?.name ?? null, s?.product ?? null, s?.version ?? null];
  }
  return JSON.stringify(rows);
}

function fromTuple(t: unknown[]): ScanPort | null {
  const [protocol, port, state, name, product, version] = t;
  if ((protocol !== 'tcp' && protocol !== 'udp') || typeof port !== 'number') return null;
  const p: ScanPort = { protocol, port, state: typeof state === 'string' ? state : 'unknown' };
  if (typeof name === 'string' || typeof product === 'string' || typeof version === 'string') {
    const service: ScanService = { cpe: [] };
    if (typeof name === 'string') service.name = name;
    if (typeof product === 'string') service.product = product;
    if (typeof version === 'string') service.version = version;
    p.service = service;
  }
  return p;
}

/** A stored `scan_hosts.ports` value as ports: the compact rows, or the parsed objects older rows hold. */
export function decodeScanPorts(text: unknown): ScanPort[] {
  if (typeof text !== 'string' || text === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const out: ScanPort[] = [];
  for (const r of raw) {
    if (Array.isArray(r)) {
      const p = fromTuple(r);
      if (p) out.push(p);
    } else if (r && typeof r === 'object') out.push(r as ScanPort);
  }
  return out;
}
