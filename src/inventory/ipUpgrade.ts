/**
 * Upgrading identity by IP (DESIGN §15): when a host is seen with a MAC at an address that a device identified by
 * IP holds (an agent in that subnet reports it, the hub became attached to it, a passive sighting), that device is
 * the MAC's from now on. If no device has the MAC yet, the IP device is re-keyed to it (the store's RekeyRepo: its
 * history, ports, findings and changes stay); if one has (an agent saw it under its MAC while the hub saw it by
 * IP), the IP device is merged into it. Either way the IP device's HA entities go (the caller emits
 * `device:removed`, service/ipUpgradeEvents.ts). Runs inside the ingest's transaction.
 */
import type { Store } from '../store/store.js';
import { ipKey } from './deviceKey.js';
import { isRandomizedMac, normalizeMac } from './mac.js';

export interface IpUpgrade {
  /** the IP key that went */
  from: string;
  /** the MAC device it became or joined */
  into: string;
  how: 'rekeyed' | 'merged';
}

export function upgradeIpDevices(
  store: Pick<Store, 'rekey' | 'macs' | 'mergeDevices'>,
  seen: Iterable<{ mac?: string | null | undefined; ip: string; status?: string }>,
  lookupVendor: (mac: string) => string | null,
  now: Date,
): IpUpgrade[] {
  let keys: Set<string> | null = null;
  const out: IpUpgrade[] = [];
  for (const h of seen) {
    if (h.status === 'down' || !h.mac) continue;
    const mac = normalizeMac(h.mac);
    if (!mac) continue;
    // one indexed query, and only when a host with a MAC is there: empty on networks without routed targets
    keys ??= store.rekey.ipKeys();
    if (keys.size === 0) return out;
    let key: string;
    try {
      key = ipKey(h.ip);
    } catch {
      continue;
    }
    if (!keys.has(key)) continue;
    keys.delete(key);
    const into = store.macs.deviceOf(mac) ?? mac;
    const randomized = isRandomizedMac(mac);
    if (store.rekey.rekey(key, into, { vendor: randomized ? null : lookupVendor(mac), randomized })) {
      out.push({ from: key, into, how: 'rekeyed' });
      continue;
    }
    store.mergeDevices(into, key, now);
    // the IP key is no MAC: it must not stay behind as one of the device's further MACs (HA connections)
    store.macs.unlink(key);
    out.push({ from: key, into, how: 'merged' });
  }
  return out;
}
