/**
 * What a scan request asks for and what it gets back: the request, its answer, and the hosts a request
 * covers (pure). The coordinator queues them.
 */
import type { Device } from '../inventory/types.js';
import { mergeRanges, parseCidrOrIp, rangesSize } from '../scan/ipv4.js';
import type { PortProfile } from '../scan/nmapArgs.js';
import { inTargets, type RequestTarget } from '../scan/requestTargets.js';
import type { ScanKind } from '../scan/types.js';
import type { JobHost } from './jobQueue.js';

/** One on-demand scan request (POST api/scans, the CLI, schedules). */
export interface ScanRequest {
  kind: ScanKind;
  reason: string;
  /** IPv4 addresses / CIDRs inside the configured subnets; default: every configured subnet (sweep) or
   *  every online device (ports). For a port scan a CIDR selects the online devices inside it, a single
   *  address is scanned even when no device is known there. */
  targets?: string[];
  /** port profile (port scans); default: the configured one */
  profile?: PortProfile;
  /** a scheduled sweep: folds into the previous row when neither changed anything */
  collapsible?: boolean;
}

export interface ScanRequestResult {
  queued: boolean;
  /** true when an identical request was already waiting (its scan id is returned) */
  coalesced: boolean;
  position: number;
  /** the scan record of this request (null when nothing was queued) */
  scanId: number | null;
  /** why nothing was queued */
  message?: string;
}

/** Nothing was queued, and why. */
export function refusedRequest(message: string): ScanRequestResult {
  return { queued: false, coalesced: false, position: -1, scanId: null, message };
}

/**
 * The hosts of a port-scan request: the online devices (not ignored) inside the scope, every online one
 * without a scope; plus each single address of the scope that no online device holds (with the MAC of the
 * device last seen there, if any).
 */
export function portScanHosts(devices: readonly Device[], scope: RequestTarget[] | null): JobHost[] {
  const hosts: JobHost[] = devices
    .filter((d) => d.online && d.ip && !d.ignored && (!scope || inTargets(d.ip, scope)))
    .map((d) => ({ ip: d.ip as string, mac: d.mac }));
  if (scope) {
    const have = new Set(hosts.map((h) => h.ip));
    for (const t of scope) {
      if (!t.single || have.has(t.text)) continue;
      const holder = devices.find((d) => d.ip === t.text && !d.ignored);
      hosts.push({ ip: t.text, mac: holder?.mac ?? null });
      have.add(t.text);
    }
  }
  return hosts;
}

/** How many addresses a sweep of these targets covers (overlaps counted once). */
export function sweepAddressCount(targets: readonly string[]): number {
  return rangesSize(
    mergeRanges(
      targets
        .map((t) => parseCidrOrIp(t))
        .flatMap((c) => (c ? [{ first: c.network, last: c.network + c.size - 1 }] : [])),
    ),
  );
}
