/**
 * The store facade: repositories plus the two transactional ingest operations the scan loop calls.
 * All methods are synchronous (better-sqlite3); never pass async functions to `transaction`.
 */
import { normalizeMac } from '../inventory/mac.js';
import { applyPortScan } from '../inventory/ports.js';
import { applySweep, type SweepContext, type SweepOutcome } from '../inventory/sweep.js';
import type { Change, Device } from '../inventory/types.js';
import type { ScanResult } from '../scan/types.js';
import type { Logger } from '../util/logger.js';
import { ChangesRepo, type StoredChange } from './changesRepo.js';
import { closeDatabase, type Db, openDatabase } from './db.js';
import { DevicesRepo } from './devicesRepo.js';
import { HistoryRepo } from './historyRepo.js';
import { ScansRepo } from './scansRepo.js';

export interface IngestResult {
  /** Stored changes (with ids and scanId), in order. */
  changes: StoredChange[];
  /** Devices that are new or changed, as stored. */
  devices: Device[];
  /** Up-hosts that could not be attributed to a device (no MAC and no unique IP match). */
  skipped: SweepOutcome['skipped'];
}

/** IP → MAC for the hosts nmap reported without a (usable) MAC that the sweep matched to a device. */
function attribution(result: ScanResult, observations: SweepOutcome['observations']): Map<string, string> {
  const macless = new Set(result.hosts.filter((h) => !h.mac || !normalizeMac(h.mac)).map((h) => h.ip));
  const m = new Map<string, string>();
  for (const o of observations) if (macless.has(o.ip)) m.set(o.ip, o.mac);
  return m;
}

export class Store {
  readonly devices: DevicesRepo;
  readonly scans: ScansRepo;
  readonly changes: ChangesRepo;
  readonly history: HistoryRepo;

  constructor(readonly db: Db) {
    this.devices = new DevicesRepo(db);
    this.scans = new ScansRepo(db);
    this.changes = new ChangesRepo(db);
    this.history = new HistoryRepo(db);
  }

  /** Run `fn` in one (IMMEDIATE) transaction; nested calls become savepoints. `fn` must be synchronous. */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(fn)();
    return this.db.transaction(fn).immediate();
  }

  /**
   * Ingest a successful sweep in ONE transaction: finish the scan row with its hosts, diff against the
   * inventory, upsert changed devices, write IP and presence history, insert the changes.
   */
  recordSweep(scanId: number, result: ScanResult, ctx: SweepContext): IngestResult {
    return this.transaction(() => {
      // Sweeps neither read nor write ports: diff the light rows, then attach ports to what is handed on.
      const before = this.devices.allWithoutPorts();
      const outcome = applySweep(before, result, ctx);
      this.scans.finish(scanId, result, attribution(result, outcome.observations));
      this.devices.saveChanged(outcome.devices, new Map(before.map((d) => [d.mac, d])));
      const t = ctx.now.toISOString();
      this.history.recordIps(outcome.observations, t);
      const presences: Array<{ mac: string; presence: 'home' | 'not_home' }> = [];
      for (const c of outcome.changes) {
        if (!c.mac) continue;
        if (c.type === 'new_device' || c.type === 'device_online') presences.push({ mac: c.mac, presence: 'home' });
        else if (c.type === 'device_offline') presences.push({ mac: c.mac, presence: 'not_home' });
      }
      this.history.recordPresences(presences, t);
      const changes = this.changes.insertMany(outcome.changes.map((c) => ({ ...c, scanId })));
      return { changes, devices: this.devices.attachPorts(outcome.devices), skipped: outcome.skipped };
    });
  }

  /**
   * Ingest a successful port/service scan in ONE transaction. Hosts are matched by MAC, or by IP when
   * nmap gave no MAC and exactly one device holds the IP. Port scans never create devices (sweeps do):
   * unmatched hosts are reported in `skipped`.
   */
  recordPortScan(scanId: number, result: ScanResult, now: Date): IngestResult {
    return this.transaction(() => {
      const t = now.toISOString();
      const attributed = new Map<string, string>();
      const all = this.devices.allWithoutPorts();
      const byMac = new Map(all.map((d) => [d.mac, d]));
      const devices: Device[] = [];
      const changes: Change[] = [];
      const skipped: IngestResult['skipped'] = [];
      const matched: Array<{ host: (typeof result.hosts)[number]; device: Device }> = [];
      for (const host of result.hosts) {
        if (host.status !== 'up' || !host.portsScanned) continue;
        let device = host.mac ? byMac.get(normalizeMac(host.mac) ?? '') : undefined;
        if (!device && !host.mac) {
          const holders = all.filter((d) => d.ip === host.ip);
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
      // the current ports of every matched device in one query
      const current = this.devices.portsOf(matched.map((m) => m.device.mac));
      // one write per device: a device listed twice in one scan keeps the ports stored before the scan
      const writes = new Map<string, { mac: string; ports: Device['ports']; previous: Device['ports'] }>();
      for (const { host, device: light } of matched) {
        const device: Device = { ...(byMac.get(light.mac) ?? light) };
        device.ports = current.get(device.mac) ?? [];
        if (!host.mac) attributed.set(host.ip, device.mac);
        const out = applyPortScan(device, host, now);
        byMac.set(device.mac, out.device);
        current.set(device.mac, out.device.ports);
        // a port scan changes only the device's ports and ports_scanned_at; the port change rows are the
        // port history (written once: historyRepo.portHistory reads them)
        const w = writes.get(device.mac);
        if (w) w.ports = out.device.ports;
        else writes.set(device.mac, { mac: device.mac, ports: out.device.ports, previous: device.ports });
        devices.push(out.device);
        for (const c of out.changes) changes.push({ ...c, scanId });
      }
      this.devices.setPortsMany([...writes.values()], t);
      this.scans.finish(scanId, result, attributed);
      return { changes: this.changes.insertMany(changes), devices, skipped };
    });
  }

  /** A failed scan: recorded as failed, nothing is marked absent. */
  recordFailedScan(scanId: number, error: string, now: Date): void {
    this.scans.fail(scanId, error, now);
  }

  close(): void {
    closeDatabase(this.db);
  }
}

/** Open the database file (migrating it) and wrap it in a Store. */
export function openStore(file: string, logger: Logger): Store {
  return new Store(openDatabase(file, logger));
}
