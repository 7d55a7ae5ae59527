/** The hub's counters (DESIGN §7 hub sensors) read from the inventory, the findings and the scan coordinator. */
import type { PortScanStatus } from '../service/firstPortScans.js';
import type { FindingsRepo } from '../store/findingsRepo.js';
import type { Store } from '../store/store.js';
import { THREAT_MIN_SEVERITY } from '../vocabulary.js';
import type { HubStats } from './states.js';

export interface HubStatsSources {
  store: Pick<Store, 'devices' | 'scans'>;
  findings: Pick<FindingsRepo, 'activeCountAtLeast'>;
  coordinator: { portScanStatus(): PortScanStatus; status(): { running: boolean } };
  /** the service's health (src/service/serviceHealth.ts); absent: no problems */
  health?: { problems(): Array<{ message: string }> };
}

export function hubStats(s: HubStatsSources): Omit<HubStats, 'scan'> {
  const c = s.store.devices.counts();
  const last = s.store.scans.lastFinished('sweep');
  const ports = s.coordinator.portScanStatus();
  return {
    online: c.online,
    total: c.total,
    new: c.new,
    threatsActive: s.findings.activeCountAtLeast(THREAT_MIN_SEVERITY),
    lastScan: last?.finishedAt ?? null,
    lastPortScan: ports.lastAt,
    portScansPending: ports.pendingDevices,
    scanning: s.coordinator.status().running,
    problems: s.health?.problems().map((p) => p.message) ?? [],
  };
}
