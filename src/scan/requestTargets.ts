/**
 * Targets of an on-demand scan request (pure): IPv4 addresses or CIDRs that must lie inside the configured
 * subnets. Normalised (a CIDR to its network address), de-duplicated, bounded.
 */
import {
  cidrRange,
  formatCidr,
  type Ipv4Range,
  intToIpv4,
  ipv4ToInt,
  parseCidrOrIp,
  rangeContains,
} from './ipv4.js';

export const MAX_REQUEST_TARGETS = 256;

export class RequestTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestTargetError';
  }
}

export interface RequestTarget {
  /** normalised text: "10.0.0.5" or "10.0.0.0/25" */
  text: string;
  range: Ipv4Range;
  /** a single address (not a CIDR) */
  single: boolean;
}

function show(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

export function checkRequestTargets(
  requested: readonly string[],
  configured: readonly string[],
): RequestTarget[] {
  if (requested.length === 0) throw new RequestTargetError('targets: give at least one IPv4 address or CIDR');
  if (requested.length > MAX_REQUEST_TARGETS)
    throw new RequestTargetError(`targets: at most ${MAX_REQUEST_TARGETS} entries, got ${requested.length}`);
  const scopes = configured
    .map((c) => parseCidrOrIp(c))
    .filter((c) => c !== undefined)
    .map((c) => cidrRange(c));
  const out = new Map<string, RequestTarget>();
  for (const raw of requested) {
    const c = typeof raw === 'string' ? parseCidrOrIp(raw.trim()) : undefined;
    if (!c) throw new RequestTargetError(`targets: ${show(String(raw))} is not an IPv4 address or CIDR`);
    const range = cidrRange(c);
    if (!scopes.some((s) => rangeContains(s, range)))
      throw new RequestTargetError(
        `targets: ${show(raw)} is outside the configured subnets (${configured.join(', ') || 'none'})`,
      );
    const single = c.prefix === 32;
    const text = single ? intToIpv4(c.address) : formatCidr(c);
    out.set(text, { text, range, single });
  }
  return [...out.values()];
}

/** True when the address lies inside one of the targets. */
export function inTargets(ip: string | null, targets: readonly RequestTarget[]): boolean {
  if (!ip) return false;
  const n = ipv4ToInt(ip);
  if (n === undefined) return false;
  return targets.some((t) => n >= t.range.first && n <= t.range.last);
}
