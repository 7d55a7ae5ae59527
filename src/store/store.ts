/**
 * The store facade: the repositories and the transaction they run in. It persists and reads; it holds no domain
 * rule: the ingests that diff a scan or a sighting against the inventory are the inventory's
 * (`src/inventory/ingest*.ts`), and run their reads and writes through these repositories in one `transaction`.
 * All methods are synchronous (better-sqlite3); never pass async functions to `transaction`.
 */
import type { Device } from '../inventory/types.js';
import type { Logger } from '../util/logger.js';
import { AgentsRepo } from './agentsRepo.js';
import { ChangesRepo } from './changesRepo.js';
import { closeDatabase, type Db, openDatabase } from './db.js';
import { DevicesRepo } from './devicesRepo.js';
import { HistoryRepo } from './historyRepo.js';
import { IdentityRepo } from './identityRepo.js';
import { InstallRepo } from './installRepo.js';
import { Ipv6Repo } from './ipv6Repo.js';
import { MacsRepo } from './macsRepo.js';
import { RekeyRepo } from './rekeyRepo.js';
import { ScansRepo } from './scansRepo.js';
import { StatsRepo } from './statsRepo.js';

export class Store {
  readonly devices: DevicesRepo;
  readonly scans: ScansRepo;
  readonly changes: ChangesRepo;
  readonly history: HistoryRepo;
  readonly stats: StatsRepo;
  readonly agents: AgentsRepo;
  readonly install: InstallRepo;
  readonly identity: IdentityRepo;
  readonly macs: MacsRepo;
  readonly ipv6: Ipv6Repo;
  readonly rekey: RekeyRepo;

  constructor(readonly db: Db) {
    this.rekey = new RekeyRepo(db);
    this.ipv6 = new Ipv6Repo(db);
    this.agents = new AgentsRepo(db);
    this.install = new InstallRepo(db);
    this.identity = new IdentityRepo(db);
    this.macs = new MacsRepo(db);
    this.devices = new DevicesRepo(db);
    this.scans = new ScansRepo(db);
    this.changes = new ChangesRepo(db);
    this.history = new HistoryRepo(db);
    this.stats = new StatsRepo(db);
  }

  /** Run `fn` in one (IMMEDIATE) transaction; nested calls become savepoints. `fn` must be synchronous. */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(fn)();
    return this.db.transaction(fn).immediate();
  }

  /**
   * Merge device `from` into device `into` (the user says they are one device): `from`'s MAC and its further
   * MACs become `into`'s, its IP and presence history move over, then `from` is deleted. Returns the surviving
   * device, or null when either is unknown or they are the same.
   */
  mergeDevices(into: string, from: string, now: Date): Device | null {
    return this.transaction(() => {
      if (into === from) return null;
      const a = this.devices.get(into);
      const b = this.devices.get(from);
      if (!a || !b) return null;
      const t = now.toISOString();
      this.history.moveDevice(from, into);
      this.macs.repoint(from, into);
      this.ipv6.moveDevice(from, into);
      this.devices.forget(from);
      this.macs.link(from, into, 'manual', t);
      const merged: Device = {
        ...a,
        // biome-ignore lint/complexity/useMathMinMax: ISO-8601 time strings, compared as text (Math.min would give NaN)
        firstSeen: a.firstSeen < b.firstSeen ? a.firstSeen : b.firstSeen,
        ...(b.lastSeen > a.lastSeen
          ? {
              lastSeen: b.lastSeen,
              ip: b.ip ?? a.ip,
              online: b.online,
              presence: b.presence,
              missedSweeps: b.missedSweeps,
              presenceReason: b.presenceReason ?? null,
            }
          : {}),
        hostname: a.hostname ?? b.hostname,
        name: a.name ?? b.name,
        notes: a.notes ?? b.notes,
        known: a.known || b.known,
        isNew: a.isNew && b.isNew,
      };
      this.devices.upsertMany([merged]);
      return this.devices.get(into);
    });
  }

  /** Split a further MAC off its device again: it is a device of its own from its next sighting. */
  splitMac(deviceMac: string, mac: string): boolean {
    return this.transaction(() => this.macs.deviceOf(mac) === deviceMac && this.macs.unlink(mac));
  }

  /** A failed scan: recorded as failed, nothing is marked absent. */
  recordFailedScan(scanId: number, error: string, now: Date, batch?: { seq: number; hosts: number }): void {
    if (batch) this.scans.failBatch(scanId, batch.seq, error, now, batch.hosts);
    else this.scans.fail(scanId, error, now);
  }

  close(): void {
    closeDatabase(this.db);
  }
}

/** Open the database file (migrating it) and wrap it in a Store. */
export function openStore(file: string, logger: Logger): Store {
  return new Store(openDatabase(file, logger));
}
