/**
 * Passive listening (DESIGN §15, option `passive`): DHCP requests, mDNS announcements and ARP heard on the
 * swept networks mark a device home — or new — at once and give it names, without waiting for a sweep.
 *
 * Hostile and bounded: every packet is parsed as data (./dhcp, ./mdns, ./arpLine); packets are taken at most
 * `perSecond` per second overall; one MAC is written at most once per `refreshMs` unless what it says changed;
 * at most `newPerMinute` devices are created per minute (a MAC flood cannot fill the inventory); the memory
 * kept (ip→MAC from ARP, last write per MAC) is capped. Addresses outside the swept networks or inside the
 * excludes, the host's own MACs and the install-baseline period (the first sweep decides what was there at
 * install) are ignored.
 */

import { ingestSighting } from '../inventory/ingestSighting.js';
import type { Sighting, SightingSource } from '../inventory/sighting.js';
import { lookupVendor } from '../inventory/vendor.js';
import { cidrRange, ipv4ToInt, parseCidrOrIp } from '../scan/ipv4.js';
import { announceIpUpgrades } from '../service/ipUpgradeEvents.js';
import type { IdentityPatch } from '../store/identityRepo.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { parseArpLine } from './arpLine.js';
import { dhcpFingerprint, parseDhcp } from './dhcp.js';
import { CappedMap, TokenBucket } from './limits.js';
import { mdnsHostLabel, parseMdns } from './mdns.js';
import { type Closable, listenDhcp, listenMdns, TcpdumpArp } from './sources.js';

export interface PassiveInterface {
  iface: string;
  /** the host's IPv4 there */
  address: string;
  /** the host's MAC there (its own frames are not sightings) */
  mac: string | null;
}

export interface PassiveDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** swept networks and excludes (CIDRs / addresses), read at each packet (config can change) */
  scope: () => { targets: string[]; exclude: string[] };
  considerHome: number;
  interfaces: PassiveInterface[];
  tcpdumpPath?: string;
  /** sources to run (default all three) */
  sources?: SightingSource[];
  dhcpPort?: number;
  mdnsPort?: number;
  limits?: Partial<PassiveLimits>;
}

export interface PassiveLimits {
  perSecond: number;
  burst: number;
  refreshMs: number;
  newPerMinute: number;
  memory: number;
}

const DEFAULT_LIMITS: PassiveLimits = {
  perSecond: 200,
  burst: 400,
  refreshMs: 15_000,
  newPerMinute: 30,
  memory: 4096,
};

export interface PassiveStats {
  packets: Record<SightingSource, number>;
  sightings: number;
  dropped: {
    malformed: number;
    rate: number;
    outOfScope: number;
    newDeviceLimit: number;
    unattributed: number;
  };
  tcpdumpRestarts: number;
}

export interface PassiveListening {
  stop(): Promise<void>;
  stats(): PassiveStats;
  /** the packet handlers, for tests that inject hostile input through the same path as the sockets */
  readonly handle: {
    dhcp(msg: Buffer): void;
    mdns(msg: Buffer, from: string): void;
    arp(line: string): void;
  };
}

function inAny(ip: string, cidrs: readonly string[]): boolean {
  const n = ipv4ToInt(ip);
  if (n === undefined) return false;
  for (const c of cidrs) {
    const p = parseCidrOrIp(c);
    if (!p) continue;
    const r = cidrRange(p);
    if (n >= r.first && n <= r.last) return true;
  }
  return false;
}

export function createPassiveListening(deps: PassiveDeps): PassiveListening {
  const lim = { ...DEFAULT_LIMITS, ...deps.limits };
  const log = deps.logger;
  const now = () => deps.clock.now().getTime();
  const bucket = new TokenBucket(lim.perSecond, lim.burst, now());
  const newBucket = new TokenBucket(lim.newPerMinute / 60, lim.newPerMinute, now());
  const ipToMac = new CappedMap<string, string>(lim.memory);
  const lastWrite = new CappedMap<string, { at: number; key: string }>(lim.memory);
  const own = new Set(deps.interfaces.map((i) => i.mac).filter((m): m is string => Boolean(m)));
  const stats: PassiveStats = {
    packets: { dhcp: 0, mdns: 0, arp: 0 },
    sightings: 0,
    dropped: { malformed: 0, rate: 0, outOfScope: 0, newDeviceLimit: 0, unattributed: 0 },
    tcpdumpRestarts: 0,
  };
  let lastLimitWarn = 0;

  const usable = (ip: string | null): boolean => {
    if (!ip) return true;
    const { targets, exclude } = deps.scope();
    return inAny(ip, targets) && !inAny(ip, exclude);
  };

  const ingest = (
    s: Sighting,
    identity: Omit<IdentityPatch, 'heardVia' | 'heardAt'> | undefined,
    key: string,
  ) => {
    if (own.has(s.mac)) return;
    if (!usable(s.ip)) {
      stats.dropped.outOfScope++;
      return;
    }
    const t = now();
    const last = lastWrite.get(s.mac);
    if (last && last.key === key && t - last.at < lim.refreshMs) return;
    const store = deps.store;
    const known = store.devices.get(s.mac);
    if (known?.ip && !usable(known.ip) && !s.ip) return;
    if (!known && !newBucket.take(t)) {
      stats.dropped.newDeviceLimit++;
      if (t - lastLimitWarn > 60_000) {
        lastLimitWarn = t;
        log.warn(
          `passive listening: more than ${lim.newPerMinute} unknown MACs per minute; the rest wait for a sweep`,
        );
      }
      return;
    }
    lastWrite.set(s.mac, { at: t, key });
    stats.sightings++;
    const r = ingestSighting(
      store,
      s,
      { now: deps.clock.now(), considerHome: deps.considerHome, lookupVendor },
      identity,
    );
    announceIpUpgrades(r.upgraded, deps.bus, log);
    if (r.linked)
      log.info(
        `${r.linked.mac} is ${r.linked.device} with a rotated private MAC (same DHCP fingerprint): linked, no new device`,
      );
    for (const d of r.devices) deps.bus.emit('device:updated', d);
    for (const c of r.changes) {
      if (c.type === 'new_device') log.info(`${c.message} (heard via ${s.source})`);
      deps.bus.emit('change', c);
    }
  };

  const admit = (source: SightingSource): boolean => {
    stats.packets[source]++;
    if (bucket.take(now())) return true;
    stats.dropped.rate++;
    return false;
  };

  const handle = {
    dhcp(msg: Buffer): void {
      if (!admit('dhcp')) return;
      const m = parseDhcp(msg);
      if (!m) {
        stats.dropped.malformed++;
        return;
      }
      if (m.type === 'release' || m.type === 'decline') return;
      const fingerprint = dhcpFingerprint(m);
      ingest(
        { source: 'dhcp', mac: m.mac, ip: m.ip, name: m.hostname },
        {
          dhcp: {
            hostname: m.hostname,
            clientId: m.clientId,
            params: m.paramList,
            vendorClass: m.vendorClass,
            fingerprint,
          },
        },
        `dhcp|${m.ip}|${fingerprint}|${m.vendorClass}`,
      );
    },
    mdns(msg: Buffer, from: string): void {
      if (!admit('mdns')) return;
      const a = parseMdns(msg);
      if (!a) {
        stats.dropped.malformed++;
        return;
      }
      if (a.hosts.length === 0 && a.services.length === 0) return; // a plain query says nothing
      let mac = ipToMac.get(from);
      if (!mac) {
        const holders = deps.store.devices.all().filter((d) => d.ip === from);
        if (holders.length === 1) mac = holders[0]?.mac;
      }
      if (!mac) {
        stats.dropped.unattributed++;
        return;
      }
      const own =
        a.addresses.find((x) => x.ip === from)?.name ?? (a.addresses.length === 0 ? a.hosts[0] : undefined);
      ingest(
        { source: 'mdns', mac, ip: from, name: own ? mdnsHostLabel(own) : null },
        { mdns: { hosts: a.hosts, services: a.services, instances: a.instances } },
        `mdns|${from}|${a.hosts.join(',')}|${a.services.join(',')}|${a.instances.join(',')}`,
      );
    },
    arp(line: string): void {
      if (!admit('arp')) return;
      const s = parseArpLine(line);
      if (!s) {
        stats.dropped.malformed++;
        return;
      }
      if (s.ip && usable(s.ip)) ipToMac.set(s.ip, s.mac);
      ingest({ source: 'arp', mac: s.mac, ip: s.ip, name: null }, undefined, `arp|${s.ip}`);
    },
  };

  const closers: Closable[] = [];
  const tcpdumps: TcpdumpArp[] = [];
  const sources = new Set(deps.sources ?? ['dhcp', 'mdns', 'arp']);
  const starting = (async () => {
    if (sources.has('dhcp')) {
      try {
        closers.push(await listenDhcp((m) => handle.dhcp(m), deps.dhcpPort));
      } catch (err) {
        log.warn(
          `passive listening: DHCP (UDP ${deps.dhcpPort ?? 67}) not available: ${(err as Error).message}`,
        );
      }
    }
    if (sources.has('mdns') && deps.interfaces.length > 0) {
      try {
        closers.push(
          await listenMdns(
            (m, from) => handle.mdns(m, from),
            deps.interfaces.map((i) => i.address),
            log,
            deps.mdnsPort,
          ),
        );
      } catch (err) {
        log.warn(
          `passive listening: mDNS (UDP ${deps.mdnsPort ?? 5353}) not available: ${(err as Error).message}`,
        );
      }
    }
    if (sources.has('arp')) {
      for (const i of deps.interfaces) {
        const t = new TcpdumpArp({
          tcpdumpPath: deps.tcpdumpPath ?? 'tcpdump',
          iface: i.iface,
          onLine: handle.arp,
          log,
        });
        t.start();
        tcpdumps.push(t);
        closers.push(t);
      }
    }
    log.info(
      `passive listening on ${deps.interfaces.map((i) => i.iface).join(', ') || 'no interface'}: ${[...sources].join(', ')}`,
    );
  })();

  return {
    handle,
    stats() {
      stats.tcpdumpRestarts = tcpdumps.reduce((n, t) => n + t.restarts, 0);
      return structuredClone(stats);
    },
    async stop() {
      await starting;
      await Promise.all(closers.map((c) => c.close()));
      closers.length = 0;
    },
  };
}

/** The interfaces whose attached network overlaps a swept target: where passive listening hears the LAN. */
export function passiveInterfaces(
  detected: ReadonlyArray<{ iface: string; cidr: string; address: string }>,
  targets: readonly string[],
  macOf: (iface: string) => string | null,
): PassiveInterface[] {
  const out: PassiveInterface[] = [];
  for (const d of detected) {
    const net = parseCidrOrIp(d.cidr);
    if (!net) continue;
    const r = cidrRange(net);
    const overlaps = targets.some((t) => {
      const p = parseCidrOrIp(t);
      if (!p) return false;
      const tr = cidrRange(p);
      return tr.first <= r.last && r.first <= tr.last;
    });
    if (overlaps && !out.some((o) => o.iface === d.iface))
      out.push({ iface: d.iface, address: d.address, mac: macOf(d.iface) });
  }
  return out;
}

/** The machine's interfaces as `os.networkInterfaces()` reports them (only what the LAN helpers read). */
export type HostInterfaces = NodeJS.Dict<
  Array<{ family: string | number; address: string; internal: boolean; mac: string }>
>;

/** The host's own MAC on an interface (from its IPv4 entry), lower case; null when it has none or all zeros. */
export function ownIpv4Mac(all: HostInterfaces, iface: string): string | null {
  const mac = all[iface]?.find((a) => a.family === 'IPv4')?.mac;
  return mac && mac !== '00:00:00:00:00:00' ? mac.toLowerCase() : null;
}

/** `passiveInterfaces` with each interface's own MAC read from the machine's interfaces. */
export function lanInterfaces(
  detected: ReadonlyArray<{ iface: string; cidr: string; address: string }>,
  targets: readonly string[],
  all: HostInterfaces,
): PassiveInterface[] {
  return passiveInterfaces(detected, targets, (name) => ownIpv4Mac(all, name));
}
