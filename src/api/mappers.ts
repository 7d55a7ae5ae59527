/** Domain objects → wire JSON (snake_case, nulls never missing). Pure functions. */
import { identityOf } from '../inventory/deviceKey.js';
import { effectiveKind, KIND_INFO, UNKNOWN_KIND_ICON } from '../inventory/kinds.js';
import { type Change, type Device, type DevicePort, displayName } from '../inventory/types.js';
import type { FindingAccept } from '../store/acceptsRepo.js';
import type { AuditEntry } from '../store/auditRepo.js';
import type { ApiKey } from '../store/keysRepo.js';
import type { FindingGroup } from '../threats/groups.js';
import type { TlsFact } from '../threats/tls.js';
import type { StoredFinding } from '../threats/types.js';
import type {
  AcceptJson,
  ApiKeyJson,
  AuditEntryJson,
  ChangeJson,
  DeviceJson,
  DevicePortJson,
  FindingGroupJson,
  FindingJson,
  TlsFactJson,
} from './schemas.js';

export interface Mappers {
  /** active finding count per device; missing = 0 */
  findingCounts(macs: string[]): Map<string, number>;
  /** display name of a device, for findings lists */
  deviceName?(mac: string): string | null;
  /** IPv6 addresses per device (NDP discovery); missing = none */
  ipv6Of?(macs: string[]): Map<string, string[]>;
}

export const noFindings: Mappers = { findingCounts: () => new Map() };

export function portJson(p: DevicePort): DevicePortJson {
  return {
    protocol: p.protocol,
    port: p.port,
    service: p.service ?? null,
    product: p.product ?? null,
    version: p.version ?? null,
    extrainfo: p.extrainfo ?? null,
    cpe: p.cpe ?? [],
    first_seen: p.firstSeen ?? null,
    last_seen: p.lastSeen ?? null,
    devicetype: p.devicetype ?? null,
    http_title: p.httpTitle ?? null,
    http_server: p.httpServer ?? null,
  };
}

/** The kind fields of a device's JSON (shown kind, label, icon, confidence, source, reasons). */
export function kindJson(d: Device) {
  const kind = effectiveKind(d);
  const user = Boolean(d.kindOverride);
  return {
    kind,
    kind_label: kind ? KIND_INFO[kind].label : null,
    kind_icon: kind ? KIND_INFO[kind].icon : UNKNOWN_KIND_ICON,
    kind_confidence: user ? 100 : kind ? (d.kindConfidence ?? 0) : 0,
    kind_source: user ? ('user' as const) : kind ? ('guess' as const) : null,
    kind_reasons: user ? ['set by you'] : (d.kindReasons ?? []),
    kind_guess: d.kind ?? null,
  };
}

export function deviceJson(
  d: Device,
  m: Mappers,
  counts?: Map<string, number>,
  ipv6?: Map<string, string[]>,
): DeviceJson {
  const c = counts ?? m.findingCounts([d.mac]);
  const v6 = ipv6 ?? m.ipv6Of?.([d.mac]);
  return {
    mac: d.mac,
    identified_by: identityOf(d.mac),
    ip: d.ip,
    ipv6_addresses: v6?.get(d.mac) ?? [],
    hostname: d.hostname,
    name: d.name,
    display_name: displayName(d),
    vendor: d.vendor,
    ...kindJson(d),
    randomized: d.randomized,
    online: d.online,
    presence: d.presence,
    presence_reason: d.presenceReason ?? null,
    first_seen: d.firstSeen,
    last_seen: d.lastSeen,
    known: d.known,
    watched: d.watched,
    ignored: d.ignored,
    is_new: d.isNew,
    notes: d.notes,
    consider_home: d.considerHome,
    open_ports: d.ports.filter((p) => p.protocol === 'tcp').length,
    ports: d.ports.map(portJson),
    ports_scanned_at: d.portsScannedAt,
    risk: d.risk,
    risk_score: d.riskScore,
    findings: c.get(d.mac) ?? 0,
  };
}

export function devicesJson(list: Device[], m: Mappers): DeviceJson[] {
  const macs = list.map((d) => d.mac);
  const counts = m.findingCounts(macs);
  const ipv6 = m.ipv6Of?.(macs) ?? new Map<string, string[]>();
  return list.map((d) => deviceJson(d, m, counts, ipv6));
}

export function changeJson(c: Change & { id?: number; acknowledged?: boolean }): ChangeJson {
  const out: ChangeJson = {
    id: c.id ?? null,
    type: c.type,
    mac: c.mac,
    ip: c.ip,
    name: c.name,
    vendor: c.vendor,
    severity: c.severity,
    message: c.message,
    time: c.time,
    scan_id: c.scanId ?? null,
    acknowledged: c.acknowledged ?? false,
  };
  if (c.before !== undefined) out.before = c.before;
  if (c.after !== undefined) out.after = c.after;
  return out;
}

export function findingJson(f: StoredFinding, m: Mappers): FindingJson {
  return {
    id: f.id,
    key: f.key,
    mac: f.mac,
    device_name: m.deviceName?.(f.mac) ?? null,
    kind: f.kind,
    severity: f.severity,
    title: f.title,
    detail: f.detail,
    remediation: f.remediation,
    port: f.port ?? null,
    protocol: f.protocol ?? null,
    cve: f.cve ?? null,
    cvss: f.cvss ?? null,
    known_exploited: f.knownExploited ?? false,
    confidence: f.confidence,
    first_seen: f.firstSeen,
    last_seen: f.lastSeen,
    resolved_at: f.resolvedAt,
    active: f.resolvedAt === null,
    group: f.group ?? f.key,
    component: f.component ?? null,
    part: f.part ?? null,
    product: f.productName ?? f.product ?? null,
    version: f.version ?? null,
    fixed: f.fixed ?? null,
    accepted: f.accepted
      ? {
          id: f.accepted.id,
          reason: f.accepted.reason,
          expires_at: f.accepted.expiresAt,
          by: f.accepted.by,
          at: f.accepted.at,
        }
      : null,
  };
}

export function findingGroupJson(g: FindingGroup, m: Mappers): FindingGroupJson {
  return {
    key: g.key,
    mac: g.mac,
    device_name: m.deviceName?.(g.mac) ?? null,
    kind: g.kind,
    title: g.title,
    remediation: g.remediation,
    severity: g.severity,
    cvss_max: g.cvssMax,
    cve_count: g.cveCount,
    known_exploited_count: g.knownExploitedCount,
    product: g.product,
    product_name: g.productName,
    version: g.version,
    fix_version: g.fixVersion,
    accepted: g.accepted,
    accepted_count: g.acceptedCount,
    findings: g.findings.map((f) => findingJson(f, m)),
  };
}

export function acceptJson(a: FindingAccept): AcceptJson {
  return {
    id: a.id,
    mac: a.mac,
    scope: a.scope,
    target: a.target,
    version: a.version,
    reason: a.reason,
    expires_at: a.expiresAt,
    created_at: a.createdAt,
    created_by: a.createdBy,
    revoked_at: a.revokedAt,
  };
}

export function keyJson(k: ApiKey): ApiKeyJson {
  return {
    id: k.id,
    name: k.name,
    scope: k.scope,
    prefix: k.prefix,
    created_at: k.createdAt,
    last_used_at: k.lastUsedAt,
    revoked_at: k.revokedAt,
  };
}

export function auditJson(e: AuditEntry): AuditEntryJson {
  return {
    id: e.id,
    time: e.time,
    actor: e.actor,
    actor_kind: e.actorKind,
    action: e.action,
    target: e.target,
    ip: e.ip,
    detail: e.detail ?? null,
  };
}

export function tlsFactJson(t: TlsFact): TlsFactJson {
  return {
    protocol: t.protocol,
    port: t.port,
    subject: t.subject,
    issuer: t.issuer,
    not_before: t.notBefore,
    not_after: t.notAfter,
    self_signed: t.selfSigned,
    san: t.san,
    protocols: t.protocols,
    weak: t.weak,
    scanned_at: t.scannedAt,
  };
}
