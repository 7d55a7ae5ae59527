/**
 * Apply one passive sighting (a DHCP request, an mDNS announcement or an ARP packet seen on the link) to the
 * inventory (pure). A sighting proves the MAC is on the link now, so:
 * - an unknown MAC becomes a device at once (`new_device`), named by its DHCP hostname / mDNS host;
 * - an away device is home again at once (`device_online`); a home device's last-seen moves on;
 * - an ARP sender address is the device's IP (an `ip_changed` when it moved); the address a DHCP client
 *   *requests* is only taken while the device has none (the server may refuse it);
 * - a name fills the hostname only while the device has none (a sweep's reverse DNS and the passive names
 *   must not flip-flop; the passive names are kept beside it in the identity record).
 * Sightings never mark anything away.
 */
import { isRandomizedMac } from './mac.js';
import { effectiveConsiderHome, nextPresence } from './presence.js';
import { differs, ipChange, newDevice, newDeviceChange, onlineChange } from './sweep.js';
import type { Change, Device } from './types.js';

export type SightingSource = 'dhcp' | 'mdns' | 'arp';
/** How a device's presence was proven between sweeps: passive listening, or NDP discovery (IPv6). */
export type PresenceSource = SightingSource | 'ndp';

export interface Sighting<S extends PresenceSource = SightingSource> {
  source: S;
  mac: string;
  /** the address the packet proves (ARP sender, mDNS source) or proposes (DHCP requested address) */
  ip: string | null;
  /** DHCP option 12 or the mDNS host label */
  name: string | null;
}

export interface SightingContext {
  now: Date;
  considerHome: number;
  lookupVendor: (mac: string) => string | null;
}

export interface SightingOutcome {
  /** the device as it is now, or null when nothing about it changed */
  device: Device | null;
  changes: Change[];
  /** the IP this sighting confirmed for the device (IP history), when any */
  observedIp: string | null;
}

export function applySighting(
  prev: Device | null,
  s: Sighting<PresenceSource>,
  ctx: SightingContext,
  reason = `passive: ${s.source}`,
): SightingOutcome {
  const now = ctx.now.toISOString();
  const proven = s.source === 'dhcp' ? null : s.ip;
  if (!prev) {
    const randomized = isRandomizedMac(s.mac);
    const d = newDevice(s.mac, s.ip, s.name, randomized ? null : ctx.lookupVendor(s.mac), now);
    d.presenceReason = reason;
    return { device: d, changes: [newDeviceChange(d, now)], observedIp: proven };
  }
  const step = nextPresence(prev, true, ctx.now, effectiveConsiderHome(prev.considerHome, ctx.considerHome));
  const ip = proven ?? prev.ip ?? s.ip;
  const d: Device = {
    ...prev,
    ip,
    hostname: prev.hostname ?? s.name,
    vendor: prev.vendor ?? (prev.randomized ? null : ctx.lookupVendor(prev.mac)),
    presence: step.presence,
    online: step.online,
    missedSweeps: step.missedSweeps,
    lastSeen: step.lastSeen,
    presenceReason: reason,
  };
  const changes: Change[] = [];
  if (step.transition === 'arrived') changes.push(onlineChange(d, prev.lastSeen, now));
  if (prev.ip && ip && prev.ip !== ip) changes.push(ipChange(d, prev.ip, ip, now));
  for (const c of changes) if (prev.ignored) c.severity = 'info';
  return { device: differs(prev, d) ? d : null, changes, observedIp: proven };
}
