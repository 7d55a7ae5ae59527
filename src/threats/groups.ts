/**
 * Findings grouped by remediation (pure): one group per (device, product, fix) for CVE findings ("Update
 * Apache httpd 2.4.49 to 2.4.62 or newer — fixes 17 CVEs, 2 known exploited"), one group per finding for
 * ports and TLS. The order everywhere (API, UI, HA attribute, notifications, webhooks): known exploited
 * first, then severity, then CVSS; accepted (muted) groups after the open ones.
 */
import type { Severity } from '../inventory/types.js';
import { SEVERITY_RANK } from '../vocabulary.js';
import type { Finding, FindingKind, StoredFinding } from './types.js';
import { compareVersions } from './version.js';

type Orderable = Pick<Finding, 'knownExploited' | 'severity' | 'cvss' | 'confidence' | 'key'>;

/** Known exploited first, then severity, then CVSS, then confidence; the key keeps it stable. */
export function compareFindings(a: Orderable, b: Orderable): number {
  return (
    Number(b.knownExploited === true) - Number(a.knownExploited === true) ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    (b.cvss ?? -1) - (a.cvss ?? -1) ||
    b.confidence - a.confidence ||
    a.key.localeCompare(b.key)
  );
}

export interface FindingGroup<F extends StoredFinding = StoredFinding> {
  /** unique per device: the findings' group key */
  key: string;
  mac: string;
  kind: FindingKind;
  title: string;
  remediation: string;
  /** most severe open finding (all findings when every one is accepted) */
  severity: Severity;
  cvssMax: number | null;
  /** distinct CVE ids in the group / of them known exploited (open ones) */
  cveCount: number;
  knownExploitedCount: number;
  /** product and version the group is about (CVE groups) */
  product: string | null;
  productName: string | null;
  version: string | null;
  /** the release that fixes every CVE of the group (CVE groups with a fix) */
  fixVersion: string | null;
  /** every finding is accepted (muted) */
  accepted: boolean;
  acceptedCount: number;
  /** the findings, in the order above */
  findings: F[];
}

function maxVersion(vs: string[]): string | null {
  let best: string | null = null;
  for (const v of vs) if (best === null || compareVersions(v, best) > 0) best = v;
  return best;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function groupTitle(g: Omit<FindingGroup, 'title' | 'remediation'>, first: StoredFinding): string {
  if (g.kind !== 'vulnerable_version' || !g.productName) return first.title;
  const what = `${g.productName}${g.version ? ` ${g.version}` : ''}`;
  const kev = g.knownExploitedCount ? `, ${g.knownExploitedCount} known exploited` : '';
  if (g.fixVersion)
    return `Update ${what} to ${g.fixVersion} or newer — fixes ${plural(g.cveCount, 'CVE')}${kev}`;
  return `${what}: ${plural(g.cveCount, 'CVE')} with no fixed release listed${kev} — replace it or keep it off the network`;
}

function groupRemediation(g: Omit<FindingGroup, 'title' | 'remediation'>, first: StoredFinding): string {
  if (g.kind !== 'vulnerable_version' || !g.productName) return first.remediation;
  if (g.fixVersion)
    return `Update ${g.productName} to ${g.fixVersion} or newer (system updates or the device's firmware update). That one update fixes every CVE listed here; until then keep the service off the internet.`;
  return first.remediation;
}

export function groupOrder(a: FindingGroup, b: FindingGroup): number {
  return (
    Number(a.accepted) - Number(b.accepted) ||
    Number(b.knownExploitedCount > 0) - Number(a.knownExploitedCount > 0) ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    (b.cvssMax ?? -1) - (a.cvssMax ?? -1) ||
    b.knownExploitedCount - a.knownExploitedCount ||
    b.cveCount - a.cveCount ||
    a.mac.localeCompare(b.mac) ||
    a.key.localeCompare(b.key)
  );
}

/** Group findings (any devices) by (device, group key), each group and the list ordered as above. */
export function groupFindings<F extends StoredFinding>(findings: F[]): FindingGroup<F>[] {
  const by = new Map<string, F[]>();
  for (const f of findings) {
    const k = `${f.mac}\u0000${f.group ?? f.key}`;
    const list = by.get(k);
    if (list) list.push(f);
    else by.set(k, [f]);
  }
  const out: FindingGroup<F>[] = [];
  for (const list of by.values()) {
    list.sort((a, b) => Number(Boolean(a.accepted)) - Number(Boolean(b.accepted)) || compareFindings(a, b));
    const first = list[0] as F;
    const open = list.filter((f) => !f.accepted);
    const counted = open.length ? open : list;
    const cves = new Set(counted.map((f) => f.cve).filter((c): c is string => !!c));
    const kev = new Set(counted.filter((f) => f.knownExploited && f.cve).map((f) => f.cve as string));
    let severity: Severity = 'info';
    let cvssMax: number | null = null;
    for (const f of counted) {
      if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[severity]) severity = f.severity;
      if (f.cvss !== undefined && (cvssMax === null || f.cvss > cvssMax)) cvssMax = f.cvss;
    }
    const base = {
      key: first.group ?? first.key,
      mac: first.mac,
      kind: first.kind,
      severity,
      cvssMax,
      cveCount: cves.size,
      knownExploitedCount: kev.size,
      product: first.product ?? null,
      productName: first.productName ?? null,
      version: first.version ?? null,
      fixVersion: maxVersion(list.map((f) => f.fixed).filter((v): v is string => !!v)),
      accepted: open.length === 0,
      acceptedCount: list.length - open.length,
      findings: list,
    };
    out.push({ ...base, title: groupTitle(base, first), remediation: groupRemediation(base, first) });
  }
  return out.sort(groupOrder);
}
