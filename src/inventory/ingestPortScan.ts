/**
 * The port-scan ingest: read the devices and their current ports, diff each scanned host (applyPortScan, pure),
 * guess kinds again where the port evidence moved, and have the store persist ports, kinds, the scan's hosts and
 * the changes — in ONE transaction. Hosts are matched by MAC, or by IP when nmap gave no MAC and exactly one
 * device holds the IP. Port scans never create devices (sweeps do): unmatched hosts are reported in `skipped`.
 */
import type { ScanHost, ScanResult } from '../scan/types.js';
import type { Store } from '../store/store.js';
import type { IngestResult } from './ingestResult.js';
import { applyGuess, guessKind, sameGuess, sameKindEvidence } from './kindGuess.js';
import { normalizeMac } from './mac.js';
import { applyPortScan } from './ports.js';
import type { Change, Device, DevicePort } from './types.js';

/**
 * The device each scanned host is about: by MAC, or by IP when nmap gave no MAC and exactly one device holds the
 * IP (pure). Hosts that are down or whose ports were not scanned are left out; the others that match no device
 * are `skipped` with the reason.
 */
export function matchScannedHosts(
  devices: readonly Device[],
  byMac: ReadonlyMap<string, Device>,
  hosts: readonly ScanHost[],
): { matched: Array<{ host: ScanHost; device: Device }>; skipped: IngestResult['skipped'] } {
  const matched: Array<{ host: ScanHost; device: Device }> = [];
  const skipped: IngestResult['skipped'] = [];
  for (const host of hosts) {
    if (host.status !== 'up' || !host.portsScanned) continue;
    let device = host.mac ? byMac.get(normalizeMac(host.mac) ?? '') : undefined;
    if (!device && !host.mac) {
      const holders = devices.filter((d) => d.ip === host.ip);
      if (holders.length === 1) device = holders[0];
    }
    if (!device) {
      skipped.push({
        ip: host.ip,
        reason: host.mac
          ? `device ${host.mac} is not in the inventory`
          : 'no MAC and no unique device at this IP',
      });
      continue;
    }
    matched.push({ host, device });
  }
  return { matched, skipped };
}

export function ingestPortScan(
  store: Store,
  scanId: number,
  result: ScanResult,
  now: Date,
  seq = 0,
  gatewayIp: string | null = null,
): IngestResult {
  return store.transaction(() => {
    const t = now.toISOString();
    const attributed = new Map<string, string>();
    const all = store.devices.allWithoutPorts();
    const byMac = new Map(all.map((d) => [d.mac, d]));
    const devices: Device[] = [];
    const changes: Change[] = [];
    const { matched, skipped } = matchScannedHosts(all, byMac, result.hosts);
    // the current ports of every matched device in one query
    const current = store.devices.portsOf(matched.map((m) => m.device.mac));
    const stored: Array<{ mac: string; ports: DevicePort[]; previous: DevicePort[] }> = [];
    for (const { host, device: light } of matched) {
      // the light rows were read by this ingest (its own objects): the current ports are set on them, no copy
      const device = byMac.get(light.mac) ?? light;
      device.ports = current.get(device.mac) ?? [];
      if (!host.mac) attributed.set(host.ip, device.mac);
      const out = applyPortScan(device, host, now);
      byMac.set(device.mac, out.device);
      current.set(device.mac, out.device.ports);
      // a port scan changes only the device's ports and ports_scanned_at (written below, for all at once)
      stored.push({ mac: device.mac, ports: out.device.ports, previous: device.ports });
      // the guess is the pattern table over vendor, hostname, gateway and ports: the sweep guesses again when
      // the others move, so here only when the ports' evidence did
      if (!sameKindEvidence(device.ports, out.device.ports)) {
        const guess = guessKind(out.device, gatewayIp);
        if (!sameGuess(out.device, guess)) {
          store.devices.setKind(device.mac, guess);
          applyGuess(out.device, guess);
        }
      }
      devices.push(out.device);
      // each port fact is stored once, as its change: the port history is a view of those (migration 012)
      for (const c of out.changes) changes.push({ ...c, scanId });
    }
    store.devices.setPortsMany(stored, t);
    store.scans.finishBatch(scanId, seq, result, {
      attributed,
      changes: changes.length,
      hosts: result.targets.length,
    });
    return { changes: store.changes.insertMany(changes), devices, skipped };
  });
}
