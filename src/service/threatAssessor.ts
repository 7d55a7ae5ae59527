import { cleanNetworkText } from '../inventory/text.js';
import type { Change, Device } from '../inventory/types.js';
import type { ScanHost, ScanResult } from '../scan/types.js';
import { AcceptsRepo } from '../store/acceptsRepo.js';
import type { Db } from '../store/db.js';
import { ExpectedPortsRepo } from '../store/expectedPortsRepo.js';
import { FindingsRepo, findingChanges } from '../store/findingsRepo.js';
import type { Store } from '../store/store.js';
import { TlsRepo } from '../store/tlsRepo.js';
import { evaluateDevice, type ThreatRules } from '../threats/evaluate.js';
import { loadCveRules } from '../threats/feedImport.js';
import { riskScore } from '../threats/risk.js';
import { DEFAULT_CERT_EXPIRY_DAYS, type TlsFact } from '../threats/tls.js';
import type { StoredFinding } from '../threats/types.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';

/** What a port scan (service, CLI, agent results) asks of the threat rules. */
export interface ThreatAssessor {
  /** Re-evaluates findings for these devices; returns threat changes and the devices whose risk changed. */
  assess(macs: string[], now: Date, scan?: ScanResult): { changes: Change[]; devices: Device[] };
}

export interface ThreatAssessorDeps {
  store: Store;
  db: Db;
  findings?: FindingsRepo;
  logger: Logger;
  /** option cert_expiry_days */
  certExpiryDays?: number;
  /** `finding:updated` for every finding an assessment detected or resolved (after the transaction) */
  bus?: EventBus;
}

/** The threat assessor of the service: assess (scans), reassess one device (a user's accept or expected ports). */
export interface ServiceThreats extends ThreatAssessor {
  /** reload the CVE rules from the database; returns how many are in force */
  reloadRules(): number;
  /**
   * Re-evaluates one device after a user's command (accept, revoke, expected ports): emits the device (its HA
   * state carries the accepted threats), the changes, and every finding of the device (accepted flags moved).
   */
  reassess(mac: string, now: Date): void;
}

/** TLS facts of one scanned host's open ports (strings cleaned and bounded once more). */
export function tlsFactsOf(host: ScanHost, scannedAt: string): TlsFact[] {
  const out: TlsFact[] = [];
  for (const p of host.ports) {
    if (p.state !== 'open' || !p.tls) continue;
    const t = p.tls;
    out.push({
      protocol: p.protocol,
      port: p.port,
      subject: cleanNetworkText(t.subject, 256),
      issuer: cleanNetworkText(t.issuer, 256),
      notBefore: t.notBefore,
      notAfter: t.notAfter,
      selfSigned: t.selfSigned,
      san: cleanNetworkText(t.san, 1024),
      protocols: t.protocols.slice(0, 8),
      weak: [
        ...t.protocols.filter((x) => /^(SSLv2|SSLv3|TLSv1\.0|TLSv1\.1)$/.test(x)),
        ...t.weakCiphers,
      ].slice(0, 40),
      scannedAt,
    });
  }
  return out;
}

/** "cve:apache_httpd@2.4.49[:nofix]" → "apache_httpd"; null for other group keys. */
function groupProduct(key: string): string | null {
  const m = /^cve:([^@]+)@/.exec(key);
  return m?.[1] ?? null;
}

function hostFor(device: Device, scan: ScanResult | undefined): ScanHost | undefined {
  if (!scan) return undefined;
  return (
    scan.hosts.find((h) => h.mac !== undefined && h.mac === device.mac) ??
    scan.hosts.find((h) => h.mac === undefined && h.ip === device.ip)
  );
}

/**
 * After a port scan (or an accept, expected-ports edit, accept expiry): evaluate each device's open ports
 * against the risky-port and CVE rules, its expected ports and its TLS facts, reconcile the findings
 * (first/last seen, resolution), store threat_detected/threat_resolved/unexpected_port changes (known exploited
 * first), and update the device's risk from the findings that are not accepted. One transaction per assessment.
 */
export function createThreatAssessor(deps: ThreatAssessorDeps): ServiceThreats {
  const findings = deps.findings ?? new FindingsRepo(deps.db);
  const expected = new ExpectedPortsRepo(deps.db);
  const tls = new TlsRepo(deps.db);
  const accepts = new AcceptsRepo(deps.db);
  let rules: ThreatRules = { cves: loadCveRules(deps.db) };
  deps.logger.debug(`threat rules loaded: ${rules.cves.length} CVE rules`);
  /** One transaction; returns the findings it detected or resolved beside the changes and devices. */
  const evaluate = (macs: string[], now: Date, scan?: ScanResult) => {
    const touched: StoredFinding[] = [];
    const out = deps.store.transaction(() => {
      const changes: Change[] = [];
      const devices: Device[] = [];
      for (const mac of macs) {
        const device = deps.store.devices.get(mac);
        if (!device) continue;
        const host = hostFor(device, scan);
        if (host?.portsScanned) tls.replace(mac, tlsFactsOf(host, now.toISOString()));
        const exp = expected.get(mac);
        const current = evaluateDevice(device, rules, {
          expectedPorts: exp ? new Set(exp.ports) : null,
          tls: tls.forDevice(mac),
          now,
          certExpiryDays: deps.certExpiryDays ?? DEFAULT_CERT_EXPIRY_DAYS,
        });
        const { detected, resolved } = findings.reconcile(mac, current, now);
        touched.push(...detected, ...resolved);
        // an accept given for a version the device no longer runs ends (its findings come back)
        const live = new Map<string, Set<string>>();
        for (const f of current) {
          if (!f.product || !f.version) continue;
          const set = live.get(f.product) ?? new Set<string>();
          set.add(f.version);
          live.set(f.product, set);
        }
        accepts.retireChangedVersions(
          mac,
          live,
          (a) => (a.scope === 'group' ? groupProduct(a.target) : findings.productOf(mac, a.target)),
          now,
        );
        const counted = findings.forDevice(mac, now).filter((f) => !f.resolvedAt && !f.accepted);
        const measured = riskScore(counted);
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
    return { ...out, touched };
  };
  const assess = (macs: string[], now: Date, scan?: ScanResult) => {
    const { changes, devices, touched } = evaluate(macs, now, scan);
    for (const f of touched) deps.bus?.emit('finding:updated', f);
    return { changes, devices };
  };
  return {
    reloadRules() {
      rules = { cves: loadCveRules(deps.db) };
      return rules.cves.length;
    },
    assess,
    reassess(mac: string, now: Date) {
      const r = evaluate([mac], now);
      const bus = deps.bus;
      if (!bus) return;
      const d = r.devices.find((x) => x.mac === mac) ?? deps.store.devices.get(mac);
      if (d) bus.emit('device:updated', d);
      for (const c of r.changes) bus.emit('change', c);
      // the resolved ones, then every current one (an accept moves flags without detecting or resolving)
      const current = findings.forDevice(mac, now);
      const ids = new Set(current.map((f) => f.id));
      for (const f of r.touched) if (!ids.has(f.id)) bus.emit('finding:updated', f);
      for (const f of current) bus.emit('finding:updated', f);
    },
  };
}
