/**
 * Upgrading identity by IP (DESIGN §15): when a host is seen with a MAC at an address that a device identified by
 * IP holds (an agent in that subnet reports it, the hub became attached to it, a passive sighting), that device is
 * the MAC's from now on. If no device has the MAC yet, the IP device is re-keyed to it (rekeyRepo: its history,
 * ports, findings and changes stay); if one has (an agent saw it under its MAC while the hub saw it by IP), the IP
 * device is merged into it. Either way the IP device's HA entities go (the caller emits `device:removed`).
 */
import { ipKey, isIpKey } from '../inventory/deviceKey.js';
import { isRandomizedMac, normalizeMac } from '../inventory/mac.js';
import { isIpv4 } from '../scan/ipv4.js';
import type { Db } from './db.js';
import type { MacsRepo } from './macsRepo.js';
import type { RekeyRepo } from './rekeyRepo.js';

export interface IpUpgrade {
  /** the IP key that went */
  from: string;
  /** the MAC device it became or joined */
  into: string;
  how: 'rekeyed' | 'merged';
}

export interface IpUpgradeDeps {
  db: Db;
  rekey: RekeyRepo;
  macs: MacsRepo;
  lookupVendor: (mac: string) => string | null;
  /** the store's merge (history and further MACs move over, `from` goes) */
  merge: (into: string, from: string) => unknown;
}

/** The IP keys in the inventory (one indexed query; empty on networks without routed targets). */
function ipKeys(db: Db): Set<string> {
  const rows = db.prepare("SELECT mac FROM devices WHERE mac LIKE 'ip\\_%' ESCAPE '\\'").all() as Array<{
    mac: string;
  }>;
  return new Set(rows.map((r) => r.mac).filter(isIpKey));
}

export function upgradeIpDevices(
  deps: IpUpgradeDeps,
  seen: Iterable<{ mac?: string | null | undefined; ip: string; status?: string }>,
): IpUpgrade[] {
  let keys: Set<string> | null = null;
  const out: IpUpgrade[] = [];
  for (const h of seen) {
    if (h.status === 'down' || !h.mac || !isIpv4(h.ip)) continue;
    const mac = normalizeMac(h.mac);
    if (!mac) continue;
    keys ??= ipKeys(deps.db);
    if (keys.size === 0) return out;
    const key = ipKey(h.ip);
    if (!keys.has(key)) continue;
    keys.delete(key);
    const into = deps.macs.deviceOf(mac) ?? mac;
    const randomized = isRandomizedMac(mac);
    if (deps.rekey.rekey(key, into, { vendor: randomized ? null : deps.lookupVendor(mac), randomized })) {
      out.push({ from: key, into, how: 'rekeyed' });
      continue;
    }
    deps.merge(into, key);
    out.push({ from: key, into, how: 'merged' });
  }
  return out;
}
