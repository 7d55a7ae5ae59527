/**
 * The passive ingests: one sighting (DHCP / mDNS / ARP heard on the link) and one NDP discovery pass. Each reads
 * the device, applies the sighting (applySighting, pure) and has the store persist it, in ONE transaction.
 * Nothing is handed on while the install baseline is still pending (the first sweep takes it).
 */
import type { NeighbourSighting } from '../ndp/neighbourSightings.js';
import type { IdentityPatch } from '../store/identityRepo.js';
import type { Store } from '../store/store.js';
import type { IngestResult } from './ingestResult.js';
import { upgradeIpDevices } from './ipUpgrade.js';
import { reguessKinds } from './kindGuess.js';
import { isRandomizedMac } from './mac.js';
import { applySighting, type Sighting, type SightingContext } from './sighting.js';
import type { Change, Device } from './types.js';

/**
 * A private MAC no device knows, whose DHCP fingerprint (parameter-request list, hostname, client id) is exactly
 * one existing private-MAC device's: the phone rotated its address. The MAC is linked to that device
 * (DESIGN §15). Returns the device's MAC when it linked.
 */
function linkRotated(store: Store, mac: string, fingerprint: string | null, t: string): string | null {
  if (!fingerprint || !isRandomizedMac(mac) || store.macs.deviceOf(mac) || store.devices.get(mac))
    return null;
  const owners = [
    ...new Set(
      store.identity
        .withFingerprint(fingerprint)
        .map((i) => i.mac)
        .filter((m) => m !== mac && isRandomizedMac(m) && store.devices.get(m) !== null),
    ),
  ];
  if (owners.length !== 1) return null;
  store.macs.link(mac, owners[0] as string, 'dhcp', t);
  return owners[0] as string;
}

const portsOf = (store: Store) => (macs: string[]) => store.devices.portsOf(macs);

/**
 * Ingest one passive sighting: the device appears or is home at once, its IP and presence history grow, what it
 * said about itself is kept.
 */
export function ingestSighting(
  store: Store,
  s: Sighting,
  ctx: SightingContext,
  identity?: Omit<IdentityPatch, 'heardVia' | 'heardAt'>,
): IngestResult {
  return store.transaction(() => {
    if (store.install.baselinePending()) return { changes: [], devices: [], skipped: [] };
    const t = ctx.now.toISOString();
    const heard = s.mac;
    const linked = linkRotated(store, s.mac, identity?.dhcp?.fingerprint ?? null, t);
    s = { ...s, mac: store.macs.deviceOf(s.mac) ?? s.mac };
    if (s.mac !== heard) store.macs.seen(heard, t);
    const upgraded = s.ip
      ? upgradeIpDevices(store, [{ mac: s.mac, ip: s.ip }], ctx.lookupVendor, ctx.now)
      : [];
    const prev = store.devices.get(s.mac);
    const out = applySighting(prev, s, ctx);
    let devices: Device[] = [];
    if (out.device) {
      reguessKinds(prev ? [prev] : [], [out.device], null, portsOf(store));
      store.devices.upsertMany([out.device]);
      devices = store.devices.attachPorts([out.device]);
    }
    if (out.observedIp) store.history.recordIp(s.mac, out.observedIp, t);
    for (const c of out.changes) {
      if (c.type === 'new_device' || c.type === 'device_online')
        store.history.recordPresence(s.mac, 'home', t);
    }
    store.identity.record(s.mac, { ...identity, heardVia: s.source, heardAt: t });
    const changes = store.changes.insertMany(out.changes);
    return {
      changes,
      devices,
      skipped: [],
      ...(linked ? { linked: { mac: heard, device: linked } } : {}),
      ...(upgraded.length ? { upgraded } : {}),
    };
  });
}

/**
 * Ingest one NDP discovery pass (IPv6 neighbours that just answered, grouped by MAC): each MAC's addresses are
 * stored; an unknown MAC becomes a device (an IPv6-only host no sweep sees); a device that is away, or has no
 * IPv4 for sweeps to see, is home at once. A home dual-stack device only gains addresses: its presence stays the
 * sweep's. `joinBaseline`: this pass belongs to the sweep that took the install baseline, so what it finds was
 * there at install (no `new_device`, added to the baseline). At most `newMax` devices are created per pass (a
 * flood of spoofed neighbours stays bounded).
 */
export function ingestNeighbours(
  store: Store,
  seen: readonly NeighbourSighting[],
  ctx: SightingContext,
  opts: { joinBaseline?: boolean; newMax?: number } = {},
): IngestResult & { newDropped: number } {
  return store.transaction(() => {
    const none = { changes: [], devices: [], skipped: [], newDropped: 0 };
    if (store.install.baselinePending()) return none;
    const t = ctx.now.toISOString();
    const out: Device[] = [];
    const changes: Change[] = [];
    const joined: string[] = [];
    let created = 0;
    let newDropped = 0;
    for (const n of seen) {
      const mac = store.macs.deviceOf(n.mac) ?? n.mac;
      if (mac !== n.mac) store.macs.seen(n.mac, t);
      const prev = store.devices.get(mac);
      if (!prev && created >= (opts.newMax ?? 32)) {
        newDropped++;
        continue;
      }
      let device: Device | null = null;
      if (prev?.presence !== 'home' || !prev.ip) {
        const step = applySighting(prev, { source: 'ndp', mac, ip: null, name: null }, ctx, 'ndp: answered');
        device = step.device;
        let stepChanges = step.changes;
        if (!prev) {
          created++;
          if (opts.joinBaseline && device) {
            device.isNew = false;
            stepChanges = stepChanges.filter((c) => c.type !== 'new_device');
            joined.push(mac);
          }
        }
        if (device) {
          reguessKinds(prev ? [prev] : [], [device], null, portsOf(store));
          store.devices.upsertMany([device]);
        }
        if (!prev || stepChanges.some((c) => c.type === 'device_online'))
          store.history.recordPresence(mac, 'home', t);
        changes.push(...stepChanges);
      }
      const gained = store.ipv6.record(mac, n.addresses, t);
      const current = device ?? (gained ? prev : null);
      if (current) out.push(current);
    }
    if (joined.length > 0) store.install.extendBaseline(joined);
    return {
      changes: store.changes.insertMany(changes),
      devices: store.devices.attachPorts(out),
      skipped: [],
      newDropped,
    };
  });
}
