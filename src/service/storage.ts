/**
 * The service's data dir: locked against a second service, the database opened (salvaged or migrated), the
 * CLI token written, scans cut short by the last shutdown marked failed, the install decided (salvaged rows
 * are an existing inventory: never an install baseline over them), and the repositories the features share.
 * Each part's stop is pushed onto `stops` as it starts.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLI_TOKEN_FILE, writeCliToken } from '../api/session.js';
import { AlertsRepo } from '../store/alertsRepo.js';
import { AuditRepo } from '../store/auditRepo.js';
import { closeDatabase, type Db, openDatabaseReport } from '../store/db.js';
import { FindingsRepo } from '../store/findingsRepo.js';
import { KeysRepo } from '../store/keysRepo.js';
import { SchedulesRepo } from '../store/schedulesRepo.js';
import { Store } from '../store/store.js';
import { WebhooksRepo } from '../store/webhooksRepo.js';
import type { Clock } from '../util/clock.js';
import { acquireDataDirLock } from '../util/dataDirLock.js';
import type { Logger } from '../util/logger.js';
import { startInstall } from './installStart.js';
import { orStartupError, type Stops } from './lifecycle.js';

export interface Storage {
  readonly dataDir: string;
  readonly db: Db;
  readonly store: Store;
  readonly cliToken: string;
  readonly findings: FindingsRepo;
  readonly keys: KeysRepo;
  readonly audit: AuditRepo;
  readonly alertsRepo: AlertsRepo;
  readonly webhooks: WebhooksRepo;
  readonly schedules: SchedulesRepo;
}

export async function openStorage(
  dataDirOption: string,
  clock: Clock,
  log: Logger,
  stops: Stops,
): Promise<Storage> {
  const dataDir = resolve(dataDirOption);
  mkdirSync(dataDir, { recursive: true });
  stops.push(['data dir lock', await orStartupError(() => acquireDataDirLock(dataDir))]);
  const { db, recovery } = openDatabaseReport(join(dataDir, 'lan-sentinel.db'), log.child('db'));
  stops.push(['database', () => closeDatabase(db)]);
  const cliToken = writeCliToken(dataDir);
  stops.push(['cli token', () => rmSync(join(dataDir, CLI_TOKEN_FILE), { force: true })]);
  const store = new Store(db);
  const interrupted = store.scans.failInterrupted(clock.now());
  if (interrupted) log.warn(`${interrupted} scan(s) were interrupted by the last shutdown; marked failed`);
  startInstall(store, log, recovery);
  return {
    dataDir,
    db,
    store,
    cliToken,
    findings: new FindingsRepo(db),
    keys: new KeysRepo(db),
    audit: new AuditRepo(db),
    alertsRepo: new AlertsRepo(db),
    webhooks: new WebhooksRepo(db),
    schedules: new SchedulesRepo(db),
  };
}
