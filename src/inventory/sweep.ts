/**
 * Apply one successful presence sweep to the inventory (pure).
 *
 * Decisions (documented for the lead and the UI):
 * - Only hosts with status `up` count. A MAC that does not normalise (garbage, multicast, zero) is
 *   treated as "no MAC".
 * - Hosts without a MAC (routed networks, unprivileged scans without ARP) are matched to an existing
 *   device by IP only when exactly one known device holds that IP and that device was not already seen
 *   by MAC in this sweep; otherwise the host is skipped (reported in `skipped`).
 * - Identity by IP (DESIGN §15): a MAC-less host on a routed target (`identifyByIp`) that no device holds,
 *   whoever's, becomes a device keyed by its address (`ip_<a>_<b>_<c>_<d>`, deviceKey.ts). On attached
 *   networks MAC-less hosts never create devices: the MAC is learnable there (the next ARP sweep).
 * - One MAC answering on several IPs in one sweep: the device keeps its previous IP when it is among
 *   them, else takes the first one nmap listed.
 * - A hostname missing from this sweep (e.g. DNS timed out) keeps the previous hostname; only a
 *   different non-empty hostname is a `hostname_changed`. A first hostname is recorded silently.
 *   The first IP of a device that had none is recorded silently too.
 * - `device_online` fires only when presence was `not_home` (symmetric with `device_offline`), so a
 *   device that missed one sweep but never left produces no online/offline pair.
 * - Severity: info for online/offline/ip/hostname; `device_offline` of a *watched* device is medium;
 *   `new_device` is low, but info for a randomized (private) MAC, which on its own is the classic
 *   source of new-device noise. `gateway_mac_changed` and `ip_conflict` are high.
 * - Ignored devices are still tracked and their changes recorded, but capped at info severity, except
 *   the two security signals (gateway MAC change, IP conflict), which keep high: ignoring a device must
 *   not hide an ARP-spoofing attempt.
 * - Order of changes: per seen device in nmap's host order (new_device/device_online, ip_changed,
 *   hostname_changed), then device_offline in inventory order, then ip_conflict and gateway_mac_changed.
 */

import type { ScanResult } from '../scan/types.js';
import { ipKey, isIpKey } from './deviceKey.js';
import { isRandomizedMac, normalizeMac } from './mac.js';
import { effectiveConsiderHome, nextPresence } from './presence.js';
import { cleanHostname } from './text.js';
import type { Change, Device, Severity } from './types.js';
import { displayName } from './types.js';

export interface SweepContext {
  now: Date;
  /** Global consider_home in seconds. */
  considerHome: number;
  /** IPv4 of the default gateway on the swept network, when known. */
  gatewayIp?: string | null;
  lookupVendor: (mac: string) => string | null;
  /**
   * The first sweep of a fresh database (the install baseline): devices found now are "present at install",
   * not new — no `new_device` change, `isNew` false (DESIGN §5).
   */
  baseline?: boolean;
  /**
   * Which devices this sweep speaks for (DESIGN §16): a satellite agent's sweep decides presence only for
   * the devices that agent saw last, the hub's own sweep only for the rest. Default: every device.
   */
  owns?: (mac: string) => boolean;
  /** A sweep of part of the network: devices outside it were not looked for, so they are not aged. */
  inScope?: (ip: string | null) => boolean;
  /**
   * Why a device that departs in this sweep is away (the confirmation probes that went unanswered); default
   * "missed N sweeps".
   */
  awayReason?: string;
  /**
   * True for an address on a routed target (no ARP across the router): a MAC-less host there that no device
   * holds becomes a device identified by its IP. Default: never (identity is the MAC).
   */
  identifyByIp?: (ip: string) => boolean;
}

export interface SweepObservation {
  mac: string;
  ip: string;
  hostname: string | null;
}

export interface SweepOutcome {
  /** Only devices that are new or whose stored fields changed. */
  devices: Device[];
  changes: Change[];
  /** Devices seen in this sweep with the IP they were seen at (for IP history). */
  observations: SweepObservation[];
  /** Hosts that were up but could not be attributed to a device. */
  skipped: Array<{ ip: string; reason: string }>;
}

interface SeenHost {
  mac: string;
  ips: string[];
  hostname: string | null;
  /** presence evidence: "sweep: <nmap reason>" or "probe: <reason>" for a host a confirmation probe found */
  reason: string;
}

/** A sweep host's evidence; confirmation probes mark theirs "probe: …" already. */
function evidence(reason: string | undefined): string {
  if (reason?.startsWith('probe: ')) return reason.slice(0, 120);
  return `sweep: ${(reason ?? 'up').slice(0, 60)}`;
}

export function capSeverity(device: Pick<Device, 'ignored'>, severity: Severity): Severity {
  return device.ignored ? 'info' : severity;
}

function label(d: Device): string {
  const n = displayName(d);
  if (isIpKey(d.mac)) return `${n} (identified by IP)`;
  return n === d.mac ? d.mac : `${n} (${d.mac})`;
}

function change(
  d: Device,
  type: Change['type'],
  severity: Severity,
  message: string,
  time: string,
  before?: unknown,
  after?: unknown,
): Change {
  const c: Change = {
    type,
    mac: d.mac,
    ip: d.ip,
    name: displayName(d),
    vendor: d.vendor,
    severity,
    message,
    time,
  };
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  return c;
}

/** `new_device` for a device just created (info for a private MAC, low otherwise). */
export function newDeviceChange(d: Device, now: string): Change {
  const ip = d.ip;
  return change(
    d,
    'new_device',
    d.randomized ? 'info' : 'low',
    `New device on your network: ${label(d)}${ip && !isIpKey(d.mac) ? ` at ${ip}` : ''}${d.randomized ? ' (private/randomized MAC)' : ''}`,
    now,
    undefined,
    { ip, hostname: d.hostname, vendor: d.vendor, randomized: d.randomized },
  );
}

/** `device_online` for a device that was away (`d` is its new state). */
export function onlineChange(d: Device, lastSeenBefore: string, now: string): Change {
  return change(
    d,
    'device_online',
    'info',
    `${label(d)} is back online${d.ip ? ` at ${d.ip}` : ''}`,
    now,
    { presence: 'not_home', lastSeen: lastSeenBefore },
    { presence: 'home' },
  );
}

export function ipChange(d: Device, from: string, to: string, now: string): Change {
  return change(
    d,
    'ip_changed',
    'info',
    `${label(d)} changed IP address from ${from} to ${to}`,
    now,
    { ip: from },
    { ip: to },
  );
}

const DEVICE_KEYS: Array<keyof Device> = [
  'ip',
  'hostname',
  'vendor',
  'randomized',
  'lastSeen',
  'online',
  'presence',
  'missedSweeps',
  'presenceReason',
];

export function differs(a: Device, b: Device): boolean {
  return DEVICE_KEYS.some((k) => a[k] !== b[k]);
}

/** The most recently seen device that holds `ip` (ties: first in inventory order). */
function latestHolder(devices: Device[], ip: string): Device | undefined {
  let best: Device | undefined;
  for (const d of devices) {
    if (d.ip !== ip) continue;
    if (!best || d.lastSeen > best.lastSeen) best = d;
  }
  return best;
}

export function newDevice(
  mac: string,
  ip: string | null,
  hostname: string | null,
  vendor: string | null,
  now: string,
): Device {
  return {
    mac,
    ip,
    hostname,
    name: null,
    vendor,
    randomized: isRandomizedMac(mac),
    firstSeen: now,
    lastSeen: now,
    online: true,
    presence: 'home',
    missedSweeps: 0,
    known: false,
    watched: false,
    ignored: false,
    notes: null,
    considerHome: null,
    ports: [],
    portsScannedAt: null,
    riskScore: 0,
    risk: 'unknown',
    isNew: true,
  };
}

export function applySweep(prev: Device[], result: ScanResult, ctx: SweepContext): SweepOutcome {
  const now = ctx.now.toISOString();
  const owns = ctx.owns ?? (() => true);
  const byMac = new Map<string, Device>();
  for (const d of prev) byMac.set(d.mac, d);

  // 1. Group up-hosts by MAC; collect MAC-less ones.
  const seen = new Map<string, SeenHost>();
  const macless: Array<{ ip: string; hostname: string | null; reason?: string }> = [];
  const claims = new Map<string, string[]>(); // ip -> macs claiming it in this sweep
  for (const h of result.hosts) {
    if (h.status !== 'up' || typeof h.ip !== 'string' || !h.ip) continue;
    const hostname = h.hostnames.map(cleanHostname).find((x) => x !== null) ?? null;
    const mac = h.mac ? normalizeMac(h.mac) : null;
    if (!mac) {
      macless.push({ ip: h.ip, hostname, ...(h.reason ? { reason: h.reason } : {}) });
      continue;
    }
    let s = seen.get(mac);
    if (!s) {
      s = { mac, ips: [], hostname: null, reason: evidence(h.reason) };
      seen.set(mac, s);
    }
    if (!s.ips.includes(h.ip)) s.ips.push(h.ip);
    if (!s.hostname && hostname) s.hostname = hostname;
    const c = claims.get(h.ip) ?? [];
    if (!c.includes(mac)) c.push(mac);
    claims.set(h.ip, c);
  }

  // 2. Attribute MAC-less hosts by IP when unambiguous.
  const skipped: SweepOutcome['skipped'] = [];
  for (const h of macless) {
    if (claims.has(h.ip)) {
      skipped.push({ ip: h.ip, reason: 'reported without MAC, but a host with a MAC holds this IP' });
      continue;
    }
    const holders = prev.filter((d) => d.ip === h.ip && owns(d.mac));
    if (holders.length === 0 && ctx.identifyByIp?.(h.ip) && !prev.some((d) => d.ip === h.ip)) {
      const key = ipKey(h.ip);
      if (!seen.has(key))
        seen.set(key, { mac: key, ips: [h.ip], hostname: h.hostname, reason: evidence(h.reason) });
      claims.set(h.ip, [key]);
      continue;
    }
    if (holders.length !== 1) {
      skipped.push({
        ip: h.ip,
        reason:
          holders.length === 0
            ? 'no MAC and no known device at this IP'
            : `no MAC and ${holders.length} known devices had this IP`,
      });
      continue;
    }
    const d = holders[0]!;
    if (seen.has(d.mac)) {
      skipped.push({ ip: h.ip, reason: `no MAC; ${d.mac} was already seen by MAC in this sweep` });
      continue;
    }
    seen.set(d.mac, { mac: d.mac, ips: [h.ip], hostname: h.hostname, reason: evidence(h.reason) });
    claims.set(h.ip, [d.mac]);
  }

  const changes: Change[] = [];
  const devices: Device[] = [];
  const observations: SweepObservation[] = [];
  const nextByMac = new Map<string, Device>();

  // 3. Seen devices.
  for (const s of seen.values()) {
    const old = byMac.get(s.mac);
    if (!old) {
      const ip = s.ips[0] ?? null;
      const randomized = isRandomizedMac(s.mac);
      const d = newDevice(s.mac, ip, s.hostname, randomized ? null : ctx.lookupVendor(s.mac), now);
      d.presenceReason = s.reason;
      if (ctx.baseline) d.isNew = false;
      devices.push(d);
      nextByMac.set(d.mac, d);
      if (ip) observations.push({ mac: d.mac, ip, hostname: d.hostname });
      if (ctx.baseline) continue;
      changes.push(newDeviceChange(d, now));
      continue;
    }
    const ip = old.ip && s.ips.includes(old.ip) ? old.ip : (s.ips[0] ?? old.ip);
    const step = nextPresence(old, true, ctx.now, effectiveConsiderHome(old.considerHome, ctx.considerHome));
    const vendor = old.vendor ?? (old.randomized ? null : ctx.lookupVendor(old.mac));
    const d: Device = {
      ...old,
      ip,
      hostname: s.hostname ?? old.hostname,
      vendor,
      presence: step.presence,
      online: step.online,
      missedSweeps: step.missedSweeps,
      lastSeen: step.lastSeen,
      presenceReason: s.reason,
    };
    nextByMac.set(d.mac, d);
    if (ip) observations.push({ mac: d.mac, ip, hostname: d.hostname });
    if (differs(old, d)) devices.push(d);
    if (step.transition === 'arrived') changes.push(onlineChange(d, old.lastSeen, now));
    if (old.ip && ip && old.ip !== ip) changes.push(ipChange(d, old.ip, ip, now));
    if (old.hostname && s.hostname && old.hostname !== s.hostname) {
      changes.push(
        change(
          d,
          'hostname_changed',
          'info',
          `${label(d)} changed hostname from ${old.hostname} to ${s.hostname}`,
          now,
          { hostname: old.hostname },
          { hostname: s.hostname },
        ),
      );
    }
  }

  // 4. Unseen devices: presence bookkeeping.
  for (const old of prev) {
    if (seen.has(old.mac)) continue;
    if (ctx.inScope && !ctx.inScope(old.ip)) continue;
    if (!owns(old.mac)) {
      // another scanner's device: this sweep cannot say it is away
      nextByMac.set(old.mac, old);
      continue;
    }
    const step = nextPresence(old, false, ctx.now, effectiveConsiderHome(old.considerHome, ctx.considerHome));
    const d: Device = {
      ...old,
      presence: step.presence,
      online: step.online,
      missedSweeps: step.missedSweeps,
      lastSeen: step.lastSeen,
      presenceReason:
        step.transition === 'departed'
          ? (ctx.awayReason ?? `missed ${step.missedSweeps} sweeps`)
          : (old.presenceReason ?? null),
    };
    nextByMac.set(d.mac, d);
    if (differs(old, d)) devices.push(d);
    if (step.transition === 'departed') {
      changes.push(
        change(
          d,
          'device_offline',
          d.watched ? 'medium' : 'info',
          `${label(d)} left the network (last seen ${old.lastSeen})`,
          now,
          { presence: 'home' },
          { presence: 'not_home', lastSeen: old.lastSeen },
        ),
      );
    }
  }

  // Ignored devices: lifecycle changes capped at info.
  for (const c of changes) {
    const d = c.mac ? nextByMac.get(c.mac) : undefined;
    if (d) c.severity = capSeverity(d, c.severity);
  }

  // 5. Security signals (never capped).
  for (const [ip, macs] of claims) {
    if (macs.length < 2) continue;
    const holder = latestHolder(prev, ip);
    const newcomer = macs.find((m) => m !== holder?.mac) ?? macs[0]!;
    const d = nextByMac.get(newcomer)!;
    changes.push(
      change(
        { ...d, ip },
        'ip_conflict',
        'high',
        `IP address conflict: ${ip} is claimed by ${macs.length} devices (${macs.join(', ')})`,
        now,
        holder ? { ip, mac: holder.mac } : { ip },
        { ip, macs: [...macs] },
      ),
    );
  }
  const gw = ctx.gatewayIp ?? null;
  if (gw) {
    const holder = latestHolder(prev, gw);
    const claimants = claims.get(gw) ?? [];
    if (holder) {
      for (const mac of claimants) {
        if (mac === holder.mac) continue;
        const d = nextByMac.get(mac)!;
        changes.push(
          change(
            { ...d, ip: gw },
            'gateway_mac_changed',
            'high',
            `The gateway ${gw} now answers from ${mac} instead of ${holder.mac}: possible ARP spoofing or a replaced router`,
            now,
            { ip: gw, mac: holder.mac, vendor: holder.vendor },
            { ip: gw, mac, vendor: d.vendor },
          ),
        );
      }
    }
  }

  return { devices, changes, observations, skipped };
}
