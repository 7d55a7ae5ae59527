import type { ScanHost, ScanPort, ScanResult } from './types.js';

/**
 * One port-scan result from the runs of one batch (TCP, then UDP: buildPortScanRuns), pure.
 *
 * A host counts as port-scanned only when EVERY run scanned it: a host the UDP run did not finish (down by
 * then, host timeout) keeps `portsScanned: false`, so the store compares nothing and closes no port of the
 * protocol that was not measured, and a first scan stays "unknown" and is retried. Ports are the union
 * (one entry per protocol/port, the first run's wins); MAC, vendor and names come from whichever run saw them.
 */
export function mergePortScans(results: readonly ScanResult[]): ScanResult {
  const [first, ...rest] = results;
  if (!first) throw new Error('mergePortScans: at least one result is required');
  if (rest.length === 0) return first;
  const runs = results.length;
  const byIp = new Map<string, { host: ScanHost; seen: number; scanned: number }>();
  for (const r of results) {
    for (const h of r.hosts) {
      const e = byIp.get(h.ip);
      if (!e) {
        byIp.set(h.ip, {
          host: { ...h, ports: [...h.ports], hostnames: [...h.hostnames] },
          seen: 1,
          scanned: h.portsScanned ? 1 : 0,
        });
        continue;
      }
      e.seen += 1;
      if (h.portsScanned) e.scanned += 1;
      e.host = mergeHost(e.host, h);
    }
  }
  const hosts = [...byIp.values()].map(({ host, seen, scanned }) => ({
    ...host,
    portsScanned: seen === runs && scanned === runs,
  }));
  return {
    kind: first.kind,
    targets: first.targets,
    startedAt: new Date(Math.min(...results.map((r) => r.startedAt.getTime()))),
    finishedAt: new Date(Math.max(...results.map((r) => r.finishedAt.getTime()))),
    ...(first.nmapVersion !== undefined ? { nmapVersion: first.nmapVersion } : {}),
    ...(results.some((r) => r.args !== undefined)
      ? { args: results.flatMap((r) => (r.args === undefined ? [] : [r.args])).join(' ; ') }
      : {}),
    hosts,
    hostsUp: hosts.filter((h) => h.status === 'up').length,
    hostsTotal: Math.max(...results.map((r) => r.hostsTotal)),
  };
}

function mergeHost(a: ScanHost, b: ScanHost): ScanHost {
  const key = (p: ScanPort) => `${p.protocol}/${p.port}`;
  const have = new Set(a.ports.map(key));
  const mac = a.mac ?? b.mac;
  const nmapVendor = a.nmapVendor ?? b.nmapVendor;
  const reason = a.reason ?? b.reason;
  return {
    ip: a.ip,
    ...(mac !== undefined ? { mac } : {}),
    ...(nmapVendor !== undefined ? { nmapVendor } : {}),
    hostnames: [...new Set([...a.hostnames, ...b.hostnames])],
    status: a.status === 'up' || b.status === 'up' ? 'up' : 'down',
    ...(reason !== undefined ? { reason } : {}),
    ports: [...a.ports, ...b.ports.filter((p) => !have.has(key(p)))],
    portsScanned: a.portsScanned && b.portsScanned,
    ...(a.timedOut || b.timedOut ? { timedOut: true } : {}),
  };
}
