/**
 * NDP discovery (DESIGN §15, IPv6): after every sweep — and every `periodMs` while passive listening is on —
 * ping the all-nodes group on each LAN interface and read the kernel's neighbour table. What answered is
 * mapped to devices by MAC: a device gains its IPv6 addresses (API `ipv6_addresses`, UI, HA attribute), an
 * IPv6-only host that no IPv4 sweep can see becomes a device by its MAC.
 *
 * A MAC no device has must answer two passes in a row before it becomes a device: a rotated private MAC gets
 * the time to be linked by its DHCP fingerprint (passive listening) or found by the next sweep first, so NDP
 * never raises a `new_device` the sweep would not. Bounded: one pass at a time (a request during a pass runs
 * once after it), at most `newMax` new devices per pass, `pendingMax` unknown MACs remembered.
 */

import { ingestNeighbours } from '../inventory/ingestSighting.js';
import { lookupVendor } from '../inventory/vendor.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { canonicalIpv6, ipv6Scope } from './ipv6.js';
import type { NdpTools } from './ndpTools.js';
import { type NeighbourSighting, neighbourSightings } from './neighbourSightings.js';
import { parseNeighbourTable, parsePingReplies } from './neighbours.js';

export interface NdpInterface {
  iface: string;
  /** the host's MAC there (its own addresses are not neighbours) */
  mac: string | null;
  /** the host's unique-local / global IPv6 addresses there: one extra ping from each */
  sources: string[];
}

export interface NdpDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  tools: NdpTools;
  /** the LAN interfaces with an IPv6 address, read at each pass */
  interfaces: () => NdpInterface[];
  considerHome: number;
  /** also run every this many ms (passive listening on); 0 = only after sweeps */
  periodMs?: number;
  newMax?: number;
  pendingMax?: number;
}

export interface NdpStats {
  passes: number;
  failures: number;
  /** devices created from NDP (IPv6-only hosts) */
  created: number;
  /** neighbour-table lines that were not an entry with a MAC */
  skippedLines: number;
  newDropped: number;
  lastPassAt: string | null;
}

export interface NdpDiscovery {
  /** one pass now (or once more after the running one); resolves when it is done */
  run(opts?: { joinBaseline?: boolean }): Promise<void>;
  stats(): NdpStats;
  stop(): Promise<void>;
}

/** The interfaces to run on: each listened LAN interface, with its unicast non-link-local IPv6 addresses. */
export function ndpInterfaces(
  lanIfaces: ReadonlyArray<{ iface: string; mac: string | null }>,
  all: NodeJS.Dict<Array<{ family: string | number; address: string; internal: boolean }>>,
): NdpInterface[] {
  const out: NdpInterface[] = [];
  for (const l of lanIfaces) {
    const v6 = (all[l.iface] ?? []).filter((a) => (a.family === 'IPv6' || a.family === 6) && !a.internal);
    if (v6.length === 0) continue; // no IPv6 on this interface: nothing to ping from
    const sources = v6
      .map((a) => canonicalIpv6(a.address))
      .filter((a): a is string => a !== null && ipv6Scope(a) !== 'link-local');
    out.push({ iface: l.iface, mac: l.mac, sources: [...new Set(sources)].slice(0, 4) });
  }
  return out;
}

export function startNdpDiscovery(deps: NdpDeps): NdpDiscovery {
  const log = deps.logger;
  const newMax = deps.newMax ?? 32;
  const pendingMax = deps.pendingMax ?? 1024;
  const stats: NdpStats = {
    passes: 0,
    failures: 0,
    created: 0,
    skippedLines: 0,
    newDropped: 0,
    lastPassAt: null,
  };
  const abort = new AbortController();
  /** unknown MACs that answered the previous pass */
  let pending = new Set<string>();
  let running: Promise<void> | null = null;
  let again: { joinBaseline: boolean } | null = null;
  let stopped = false;
  let warned = false;

  const pass = async (joinBaseline: boolean): Promise<void> => {
    const ifaces = deps.interfaces();
    if (ifaces.length === 0) return;
    const seen: NeighbourSighting[] = [];
    for (const i of ifaces) {
      const answered = new Set<string>();
      for (const source of [null, ...i.sources]) {
        const out = await deps.tools.pingAllNodes(i.iface, source, abort.signal);
        for (const a of parsePingReplies(out)) answered.add(a);
      }
      const table = parseNeighbourTable(await deps.tools.neighbours(i.iface, abort.signal));
      stats.skippedLines += table.skipped;
      const own = new Set(ifaces.map((x) => x.mac).filter((m): m is string => Boolean(m)));
      const here = table.entries.filter((e) => e.iface === null || e.iface === i.iface);
      seen.push(...neighbourSightings(here, answered, own));
    }
    if (stopped) return;
    const store = deps.store;
    const known = (mac: string) => store.devices.get(store.macs.deviceOf(mac) ?? mac) !== null;
    const next = new Set<string>();
    const admitted = seen.filter((s) => {
      // at install everything found is "present at install": no new_device to guard against
      if (joinBaseline || known(s.mac)) return true;
      if (pending.has(s.mac)) return true;
      if (next.size < pendingMax) next.add(s.mac);
      return false;
    });
    pending = next;
    const r = ingestNeighbours(
      store,
      admitted,
      { now: deps.clock.now(), considerHome: deps.considerHome, lookupVendor },
      { joinBaseline, newMax },
    );
    stats.passes++;
    stats.newDropped += r.newDropped;
    stats.lastPassAt = deps.clock.now().toISOString();
    if (r.newDropped > 0)
      log.warn(`NDP: more than ${newMax} unknown MACs answered at once; the rest wait for the next pass`);
    for (const d of r.devices) deps.bus.emit('device:updated', d);
    for (const c of r.changes) {
      if (c.type === 'new_device') {
        stats.created++;
        log.info(`${c.message} (IPv6 only: answered the all-nodes ping)`);
      }
      deps.bus.emit('change', c);
    }
    const addrs = seen.reduce((n, s) => n + s.addresses.length, 0);
    log.debug(
      `NDP pass: ${seen.length} neighbours, ${addrs} IPv6 addresses, ${r.devices.length} devices updated`,
    );
  };

  const run = (opts: { joinBaseline?: boolean } = {}): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = { joinBaseline: (again?.joinBaseline ?? false) || Boolean(opts.joinBaseline) };
      return running;
    }
    running = (async () => {
      let join = Boolean(opts.joinBaseline);
      for (;;) {
        try {
          await pass(join);
          warned = false;
        } catch (err) {
          stats.failures++;
          if (!stopped) {
            const msg = `NDP discovery failed: ${(err as Error).message}`;
            if (warned) log.debug(msg);
            else log.warn(`${msg} (IPv6 addresses are not updated until it works again)`);
            warned = true;
          }
        }
        const more = again;
        again = null;
        if (!more || stopped) break;
        join = more.joinBaseline;
      }
      running = null;
    })();
    return running;
  };

  const off = deps.bus.on('scan:finished', (e) => {
    if (e.kind !== 'sweep') return;
    const info = deps.store.install.info();
    // the sweep that took the install baseline: what NDP finds now was there at install too
    const joinBaseline =
      info.state === 'applied' && info.baselineAt !== null && info.baselineAt >= e.startedAt;
    void run({ joinBaseline });
  });
  const timer = deps.periodMs && deps.periodMs > 0 ? setInterval(() => void run(), deps.periodMs) : null;
  timer?.unref();

  return {
    run,
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      off();
      if (timer) clearInterval(timer);
      abort.abort();
      await running;
    },
  };
}
