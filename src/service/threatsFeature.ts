/**
 * The threat feature of the service: the threat assessor (scans and users' commands re-evaluate devices and
 * emit `finding:updated`) and the CVE feeds that reload its rules at once, also when another process (the CLI)
 * imports them. `stop()` ends the feeds' watch of the database.
 */
import type { ServiceCore } from './core.js';
import { attachCveFeeds, type CveFeeds } from './cveFeeds.js';
import { createThreatAssessor, type ServiceThreats } from './threatAssessor.js';

export interface ThreatsFeature {
  readonly threats: ServiceThreats;
  readonly cve: CveFeeds;
  stop(): void;
}

/** Option `cert_expiry_days`; logs as "threats". */
export function attachThreats(core: ServiceCore): ThreatsFeature {
  const { store, findings, db, bus, clock } = core;
  const logger = core.log.child('threats');
  const threats = createThreatAssessor({
    store,
    findings,
    db,
    logger,
    certExpiryDays: core.options.cert_expiry_days,
    bus,
  });
  const cve = attachCveFeeds({ db, store, bus, clock, logger, threats });
  return { threats, cve, stop: () => cve.stop() };
}
