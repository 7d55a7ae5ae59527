import type { Change, Device } from '../inventory/types.js';
import type { Db } from '../store/db.js';
import { FindingsRepo, findingChanges } from '../store/findingsRepo.js';
import type { Store } from '../store/store.js';
import { evaluateDevice, type ThreatRules } from '../threats/evaluate.js';
import { loadCveRules } from '../threats/feedImport.js';
import { riskScore } from '../threats/risk.js';
import type { Logger } from '../util/logger.js';
import type { ThreatAssessor } from './scanCoordinator.js';

export interface ThreatAssessorDeps {
  store: Store;
  db: Db;
  findings?: FindingsRepo;
  logger: Logger;
}

/**
 * After a port scan: evaluate each device's open ports against the risky-port and CVE rules, reconcile the
 * findings (first/last seen, resolution), store threat_detected/threat_resolved changes, and update the device's
 * risk score and level. One transaction per assessment.
 */
export function createThreatAssessor(deps: ThreatAssessorDeps): ThreatAssessor & { reloadRules(): void } {
  const findings = deps.findings ?? new FindingsRepo(deps.db);
  let rules: ThreatRules = { cves: loadCveRules(deps.db) };
  deps.logger.debug(`threat rules loaded: ${rules.cves.length} CVE rules`);
  return {
    reloadRules() {
      rules = { cves: loadCveRules(deps.db) };
    },
    assess(macs: string[], now: Date) {
      return deps.store.transaction(() => {
        const changes: Change[] = [];
        const devices: Device[] = [];
        for (const mac of macs) {
          const device = deps.store.devices.get(mac);
          if (!device) continue;
          const current = evaluateDevice(device, rules);
          const { detected, resolved } = findings.reconcile(mac, current, now);
          const measured = riskScore(findings.forDevice(mac).filter((f) => !f.resolvedAt));
          // a device whose port scan never succeeded has not been measured: its risk stays unknown
          const scanned = device.portsScannedAt !== null;
          const score = scanned ? measured.score : 0;
          const level = scanned ? measured.level : 'unknown';
          let updated = device;
          if (score !== device.riskScore || level !== device.risk) {
            updated = deps.store.devices.update(mac, { riskScore: score, risk: level }) ?? device;
          }
          if (detected.length || resolved.length || updated !== device) devices.push(updated);
          const threatChanges = findingChanges(updated, detected, resolved, now);
          if (threatChanges.length) changes.push(...deps.store.changes.insertMany(threatChanges));
        }
        return { changes, devices };
      });
    },
  };
}
