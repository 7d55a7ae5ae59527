/**
 * The sweep ingest: read what the diff needs from the store, diff (applySweep, pure), and have the store persist
 * the outcome — all in ONE transaction, so a sweep is stored whole or not at all.
 * `agent` = the satellite agent that swept (DESIGN §16), null = the hub itself: a sweep decides presence only for
 * the devices its scanner saw last, and every device it sees becomes its scanner's.
 */
import type { ScanResult } from '../scan/types.js';
import type { Store } from '../store/store.js';
import type { IngestResult } from './ingestResult.js';
import { upgradeIpDevices } from './ipUpgrade.js';
import { reguessKinds } from './kindGuess.js';
import { normalizeMac } from './mac.js';
import { applySweep, type SweepContext, type SweepOutcome } from './sweep.js';
import type { Presence } from './types.js';

/** IP → MAC for the hosts nmap reported without a (usable) MAC that the sweep matched to a device. */
function attribution(result: ScanResult, observations: SweepOutcome['observations']): Map<string, string> {
  const macless = new Set(result.hosts.filter((h) => !h.mac || !normalizeMac(h.mac)).map((h) => h.ip));
  const m = new Map<string, string>();
  for (const o of observations) if (macless.has(o.ip)) m.set(o.ip, o.mac);
  return m;
}

/** Sweep hosts answering from a device's further MAC count for that device (the further MAC is marked seen). */
function throughAliases(store: Store, result: ScanResult, t: string): ScanResult {
  const aliases = store.macs.map();
  if (aliases.size === 0) return result;
  return {
    ...result,
    hosts: result.hosts.map((h) => {
      const mac = h.mac ? normalizeMac(h.mac) : null;
      const to = mac ? aliases.get(mac) : undefined;
      if (!to || !mac) return h;
      if (h.status === 'up') store.macs.seen(mac, t);
      return { ...h, mac: to };
    }),
  };
}

/** Which devices a sweep by `agent` speaks for: the ones no other scanner saw last. */
function ownedBy(store: Store, agent: string | null) {
  const owners = store.agents.owners();
  return { owners, owns: (mac: string) => (owners.get(mac) ?? null) === agent };
}

/**
 * Ingest a successful sweep: finish the scan row with its hosts, diff against the inventory, store the changed
 * devices, IP and presence history and the changes; the first sweep of a fresh database takes the install
 * baseline.
 */
export function ingestSweep(
  store: Store,
  scanId: number,
  sweep: ScanResult,
  ctx: SweepContext,
  seq = 0,
  agent: string | null = null,
): IngestResult {
  return store.transaction(() => {
    const t = ctx.now.toISOString();
    const result = throughAliases(store, sweep, t);
    // a MAC seen where a device identified by IP is: that device becomes the MAC's (before the diff reads them)
    const upgraded = upgradeIpDevices(store, result.hosts, ctx.lookupVendor, ctx.now);
    const { owners, owns } = ownedBy(store, agent);
    // Sweeps neither read nor write ports: diff the light rows, then attach ports to what is handed on.
    const before = store.devices.allWithoutPorts();
    // the first successful sweep of a fresh database takes the install baseline (once per database)
    const baseline = before.length === 0 && store.install.baselinePending();
    const outcome = applySweep(before, result, { ...ctx, owns, baseline });
    reguessKinds(before, outcome.devices, ctx.gatewayIp, (macs) => store.devices.portsOf(macs));
    store.scans.finishBatch(scanId, seq, result, {
      attributed: attribution(result, outcome.observations),
      changes: outcome.changes.length,
      hosts: result.hostsTotal,
    });
    store.devices.saveChanged(outcome.devices, new Map(before.map((d) => [d.mac, d])));
    const seen = outcome.observations.map((o) => o.mac);
    store.agents.assign(agent === null ? seen.filter((m) => owners.has(m)) : seen, agent, t);
    store.history.recordIps(outcome.observations, t);
    const presences: Array<{ mac: string; presence: Presence }> = [];
    for (const c of outcome.changes) {
      if (!c.mac) continue;
      if (c.type === 'new_device' || c.type === 'device_online')
        presences.push({ mac: c.mac, presence: 'home' });
      else if (c.type === 'device_offline') presences.push({ mac: c.mac, presence: 'not_home' });
    }
    let found: string[] | undefined;
    if (baseline && outcome.devices.length > 0) {
      found = outcome.devices.map((d) => d.mac);
      for (const mac of found) presences.push({ mac, presence: 'home' });
    }
    store.history.recordPresences(presences, t);
    if (found) store.install.applyBaseline(found, ctx.now);
    const changes = store.changes.insertMany(outcome.changes.map((c) => ({ ...c, scanId })));
    return {
      changes,
      devices: store.devices.attachPorts(outcome.devices),
      skipped: outcome.skipped,
      ...(found ? { baseline: found } : {}),
      ...(upgraded.length ? { upgraded } : {}),
    };
  });
}

/**
 * The devices this sweep would mark away (a dry run of ingestSweep's diff, nothing written): they get a direct
 * probe first (multi-probe confirmation, DESIGN §15).
 */
export function departureCandidates(
  store: Store,
  result: ScanResult,
  ctx: SweepContext,
  agent: string | null = null,
): Array<{ mac: string; ip: string | null }> {
  const { owns } = ownedBy(store, agent);
  const before = store.devices.allWithoutPorts();
  if (before.length === 0) return [];
  const byMac = new Map(before.map((d) => [d.mac, d]));
  return applySweep(before, result, { ...ctx, owns, baseline: false })
    .changes.filter((c) => c.type === 'device_offline' && c.mac)
    .map((c) => ({ mac: c.mac as string, ip: byMac.get(c.mac as string)?.ip ?? null }));
}
