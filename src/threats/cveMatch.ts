/**
 * Match one service (nmap product, version, CPEs, extrainfo) against CVE rules.
 *
 * A service yields candidate (product, version) pairs: nmap's product name + version, every application CPE
 * that carries a version ("cpe:/a:openbsd:openssh:7.2p2", CPE 2.3 too), and "OpenSSL/x.y.z" in extrainfo.
 * A rule product matches a candidate when its nmap regex matches the product name or its vendor:product
 * equals the CPE's. The version must be exact (not "3.X - 4.X", not "9.6.0 or later", at least the product's
 * precision in numeric parts: "2.4" is not enough for Apache) and inside one of the rule's ranges.
 * A distribution build (e.g. "Ubuntu-3ubuntu0.1", "(Debian)" in extrainfo) may carry a backported fix,
 * so the match is kept with confidence 0.5.
 */

import type { CveRule, RuleProduct } from './cveRules.js';
import type { Finding } from './types.js';
import { inRange, isDistroPatched, parseVersion, type VersionRange } from './version.js';

export interface ServiceInfo {
  protocol: 'tcp' | 'udp';
  port: number;
  product?: string | undefined;
  version?: string | undefined;
  extrainfo?: string | undefined;
  cpe: string[];
}

export interface CveMatch {
  rule: CveRule;
  product: RuleProduct;
  /** the version string the match was made on */
  version: string;
  range: VersionRange;
  via: 'product' | 'cpe';
  distroPatched: boolean;
  confidence: number;
}

interface Candidate {
  via: 'product' | 'cpe';
  name?: string;
  cpeKey?: string;
  version: string;
}

export const DISTRO_CONFIDENCE = 0.5;
/** A CVE in an optional module/setting: we cannot see from the banner whether it is enabled. */
export const MODULE_CONFIDENCE = 0.5;

/** Parse "cpe:/a:vendor:product:version" or "cpe:2.3:a:vendor:product:version:…"; null for non-application CPEs. */
export function parseCpe(cpe: string): { vendor: string; product: string; version: string | null } | null {
  const s = cpe.trim().toLowerCase();
  let parts: string[];
  if (s.startsWith('cpe:2.3:')) parts = s.slice(8).split(':');
  else if (s.startsWith('cpe:/')) parts = s.slice(5).split(':');
  else return null;
  const [part, vendor, product, version] = parts;
  if (part !== 'a' || !vendor || !product) return null;
  const v = version && version !== '*' && version !== '-' ? version.replace(/\\/g, '') : null;
  return { vendor, product, version: v };
}

const MARIADB_VERSION = /^(?:5\.5\.5-)?(\d+\.\d+\.\d+)-MariaDB(.*)$/i;

/** MariaDB announces itself to MySQL clients as "5.5.5-10.3.34-MariaDB…": the real version, or null. */
function mariadbVersion(version: string): string | null {
  const m = MARIADB_VERSION.exec(version.trim());
  return m?.[1] ? `${m[1]}${m[2] ? ` ${m[2].replace(/^[-\s]+/, '')}` : ''}`.trim() : null;
}

/** Treat "MySQL 5.5.5-10.3.34-MariaDB" as MariaDB 10.3.34. */
function normalizeProduct(
  product: string | undefined,
  version: string | undefined,
): { product?: string; version?: string } {
  const maria = product && version ? mariadbVersion(version) : null;
  if (maria) return { product: 'MariaDB', version: maria };
  return { ...(product !== undefined ? { product } : {}), ...(version !== undefined ? { version } : {}) };
}

function candidates(s: ServiceInfo): Candidate[] {
  const out: Candidate[] = [];
  const n = normalizeProduct(s.product, s.version);
  if (n.product && n.version) out.push({ via: 'product', name: n.product, version: n.version });
  for (const c of s.cpe) {
    const p = parseCpe(c);
    if (!p?.version) continue;
    // nmap's CPE for MariaDB behind the MySQL banner carries the fake 5.5.5 version: it is MariaDB's
    const maria = mariadbVersion(p.version);
    if (maria) out.push({ via: 'cpe', cpeKey: 'mariadb:mariadb', version: maria });
    else out.push({ via: 'cpe', cpeKey: `${p.vendor}:${p.product}`, version: p.version });
  }
  const ssl = s.extrainfo ? /OpenSSL\/(\d+\.\d+\.\d+[a-z]{0,2})/i.exec(s.extrainfo) : null;
  if (ssl?.[1]) out.push({ via: 'cpe', cpeKey: 'openssl:openssl', version: ssl[1] });
  return out;
}

function productMatches(p: RuleProduct, c: Candidate): boolean {
  if (c.via === 'product') return c.name !== undefined && p.nmap.some((re) => re.test(c.name as string));
  return c.cpeKey !== undefined && p.cpe.includes(c.cpeKey);
}

/** All rules matching the service, at most one match per CVE id. */
export function matchService(s: ServiceInfo, rules: CveRule[]): CveMatch[] {
  const cands = candidates(s);
  if (cands.length === 0) return [];
  const extraDistro = s.extrainfo !== undefined && isDistroPatched(s.extrainfo);
  const out: CveMatch[] = [];
  for (const rule of rules) {
    // a flaw in a client-only part (ssh-agent, scp, a DHCP client) is not reachable through a listening server
    if (rule.component === 'client') continue;
    let found: CveMatch | null = null;
    for (const product of rule.products) {
      for (const c of cands) {
        if (!productMatches(product, c)) continue;
        const v = parseVersion(c.version);
        if (!v.precise || v.numericDepth < product.precision) continue;
        const range = product.ranges.find((r) => inRange(v.core, r));
        if (!range) continue;
        // the nmap version string carries the distro suffix; the CPE version usually does not
        const distro =
          v.distroPatched || extraDistro || (s.version !== undefined && isDistroPatched(s.version));
        found = {
          rule,
          product,
          version: c.version,
          range,
          via: c.via,
          distroPatched: distro,
          confidence:
            (distro ? DISTRO_CONFIDENCE : 1) * (rule.component === 'module' ? MODULE_CONFIDENCE : 1),
        };
        break;
      }
      if (found) break;
    }
    if (found) out.push(found);
  }
  return out;
}

function rangeText(r: VersionRange): string {
  const from = r.introduced ? `${r.introduced} ` : '';
  if (r.fixed) return r.introduced ? `${from}up to (not including) ${r.fixed}` : `before ${r.fixed}`;
  if (r.introduced && r.introduced === r.lastAffected) return `${r.introduced} only`;
  return r.introduced ? `${from}through ${r.lastAffected}` : `through ${r.lastAffected}`;
}

/** Turn a match into a device finding (key "cve:<id>:<proto>/<port>", group "cve:<product>@<version>[:nofix]"). */
export function cveFinding(mac: string, s: ServiceInfo, m: CveMatch): Finding {
  const core = parseVersion(m.version).core;
  const label = `${m.product.name} ${core}`;
  const onlyIf = m.rule.component === 'module' && m.rule.part ? ` Only if ${m.rule.part} is enabled.` : '';
  const fix = m.range.fixed
    ? ` Fixed in ${m.range.fixed}.`
    : ' No fixed release is listed for this version line.';
  const distroNote = m.distroPatched
    ? " The version string shows a distribution build, which may already include a backported fix: check your distribution's security tracker before acting."
    : '';
  return {
    key: `cve:${m.rule.id}:${s.protocol}/${s.port}`,
    mac,
    kind: 'vulnerable_version',
    severity: m.rule.severity,
    title: `${m.rule.id} in ${label} (${s.protocol}/${s.port})`,
    detail: `${m.rule.summary}${onlyIf} Affected: ${m.product.name} ${rangeText(m.range)}.${fix}${distroNote}`,
    remediation: m.rule.remediation,
    port: s.port,
    protocol: s.protocol,
    cve: m.rule.id,
    ...(m.rule.cvss !== undefined ? { cvss: m.rule.cvss } : {}),
    knownExploited: m.rule.knownExploited,
    confidence: m.confidence,
    group: `cve:${m.product.key}@${core}${m.range.fixed ? '' : ':nofix'}`,
    product: m.product.key,
    productName: m.product.name,
    version: core,
    ...(m.range.fixed ? { fixed: m.range.fixed } : {}),
    component: m.rule.component,
    ...(m.rule.part !== undefined ? { part: m.rule.part } : {}),
  };
}
