/**
 * The threat feature of the service: the threat assessor (scans and users' commands re-evaluate devices and
 * emit `finding:updated`) and the CVE feeds that reload its rules at once, also when another process (the CLI)
 * imports them. `stop()` ends the feeds' watch of the database.
 */
import type { Db } from '../store/db.js';
import type { FindingsRepo } from '../store/findingsRepo.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { attachCveFeeds, type CveFeeds } from './cveFeeds.js';
import { createThreatAssessor, type ServiceThreats } from './threatAssessor.js';

export interface ThreatsFeatureDeps {
  store: Store;
  findings: FindingsRepo;
  db: Db;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** option cert_expiry_days */
  certExpiryDays: number;
}

export interface ThreatsFeature {
  readonly threats: ServiceThreats;
  readonly cve: CveFeeds;
  stop(): void;
}

export function attachThreats(d: ThreatsFeatureDeps): ThreatsFeature {
  const threats = createThreatAssessor({
    store: d.store,
    findings: d.findings,
    db: d.db,
    logger: d.logger,
    certExpiryDays: d.certExpiryDays,
    bus: d.bus,
  });
  const cve = attachCveFeeds({
    db: d.db,
    store: d.store,
    bus: d.bus,
    clock: d.clock,
    logger: d.logger,
    threats,
  });
  return { threats, cve, stop: () => cve.stop() };
}
