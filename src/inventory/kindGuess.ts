/**
 * The pattern table's guess applied to the devices an ingest hands over (pure): when to guess again, and
 * whether the new guess differs from the stored one. The ingests (sweep, port scan, sightings) call these;
 * the store only writes the result.
 */
import { classifyKind, type KindGuess } from './kinds.js';
import type { Device, DevicePort } from './types.js';

/** The port fields the kind patterns read (kinds.ts `values`) are the same, port by port (no key string built). */
export function sameKindEvidence(a: readonly DevicePort[], b: readonly DevicePort[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as DevicePort;
    const y = b[i] as DevicePort;
    if (
      x.protocol !== y.protocol ||
      x.port !== y.port ||
      (x.service ?? null) !== (y.service ?? null) ||
      (x.product ?? null) !== (y.product ?? null) ||
      (x.devicetype ?? null) !== (y.devicetype ?? null) ||
      (x.httpTitle ?? null) !== (y.httpTitle ?? null) ||
      (x.httpServer ?? null) !== (y.httpServer ?? null)
    )
      return false;
  }
  return true;
}

/** The pattern table's guess for a device as it is now (ports included). */
export function guessKind(d: Device, gatewayIp: string | null | undefined): KindGuess | null {
  return classifyKind({
    vendor: d.vendor,
    hostname: d.hostname,
    isGateway: Boolean(gatewayIp && d.ip === gatewayIp),
    ports: d.ports,
  });
}

/** The device already holds this guess (kind, confidence and reasons). */
export function sameGuess(d: Device, g: KindGuess | null): boolean {
  if (!g) return (d.kind ?? null) === null;
  if (d.kind !== g.kind || d.kindConfidence !== g.confidence) return false;
  const r = d.kindReasons ?? [];
  if (r.length !== g.reasons.length) return false;
  for (let i = 0; i < r.length; i++) if (r[i] !== g.reasons[i]) return false;
  return true;
}

export function applyGuess(d: Device, g: KindGuess | null): void {
  d.kind = g?.kind ?? null;
  d.kindConfidence = g?.confidence ?? 0;
  d.kindReasons = g?.reasons ?? [];
}

/**
 * Guess the kind again for the devices that are new, never guessed, or whose vendor, hostname or IP changed
 * against `before` (the evidence a sweep or sighting can move); `portsOf` reads the ports of the devices that
 * existed (new ones have none). Sets the fields on the devices about to be stored.
 */
export function reguessKinds(
  before: readonly Device[],
  changed: readonly Device[],
  gatewayIp: string | null | undefined,
  portsOf: (macs: string[]) => ReadonlyMap<string, DevicePort[]>,
): void {
  const old = new Map(before.map((d) => [d.mac, d]));
  const stale = changed.filter((d) => {
    const o = old.get(d.mac);
    return !o || o.kind == null || o.vendor !== d.vendor || o.hostname !== d.hostname || o.ip !== d.ip;
  });
  if (stale.length === 0) return;
  const known = stale.filter((d) => old.has(d.mac)).map((d) => d.mac);
  const ports = known.length > 0 ? portsOf(known) : new Map<string, DevicePort[]>();
  for (const d of stale) {
    const guess = guessKind({ ...d, ports: ports.get(d.mac) ?? [] }, gatewayIp);
    if (!sameGuess(d, guess)) applyGuess(d, guess);
  }
}
