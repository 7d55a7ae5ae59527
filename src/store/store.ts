/**
 * The store facade: repositories plus the two transactional ingest operations the scan loop calls.
 * All methods are synchronous (better-sqlite3); never pass async functions to `transaction`.
 */
import { isIpKey } from '../inventory/deviceKey.js';
import { classifyKind, type KindGuess } from '../inventory/kinds.js';
import { isRandomizedMac, normalizeMac } from '../inventory/mac.js';
import { applyPortScan } from '../inventory/ports.js';
import { applySighting, type Sighting, type SightingContext } from '../inventory/sighting.js';
import { applySweep, type SweepContext, type SweepOutcome } from '../inventory/sweep.js';
import type { Change, Device, DevicePort, Presence } from '../inventory/types.js';
import type { NeighbourSighting } from '../ndp/neighbourSightings.js';
import type { ScanResult } from '../scan/types.js';
import type { Logger } from '../util/logger.js';
import { AgentsRepo } from './agentsRepo.js';
import { ChangesRepo, type StoredChange } from './changesRepo.js';
import { closeDatabase, type Db, openDatabase } from './db.js';
import { DevicesRepo } from './devicesRepo.js';
import { HistoryRepo } from './historyRepo.js';
import { type IdentityPatch, IdentityRepo } from './identityRepo.js';
import { InstallRepo } from './installRepo.js';
import { type IpUpgrade, upgradeIpDevices } from './ipUpgrade.js';
import { Ipv6Repo } from './ipv6Repo.js';
import { MacsRepo } from './macsRepo.js';
import { RekeyRepo } from './rekeyRepo.js';
import { ScansRepo } from './scansRepo.js';
import { StatsRepo } from './statsRepo.js';

export interface IngestResult {
  /** Stored changes (with ids and scanId), in order. */
  changes: StoredChange[];
  /** Devices that are new or changed, as stored. */
  devices: Device[];
  /** Up-hosts that could not be attributed to a device (no MAC and no unique IP match). */
  skipped: SweepOutcome['skipped'];
  /** set when this sweep took the install baseline: the MACs found at install */
  baseline?: string[];
  /** a passive sighting linked a rotated private MAC to this existing device (no new device) */
  linked?: { mac: string; device: string };
  /** devices identified by IP that became (or joined) a MAC's device: their HA entities go (DESIGN §15) */
  upgraded?: IpUpgrade[];
}

/** The port fields the kind patterns read (kinds.ts `values`) are the same, port by port (no key string built). */
function sameKindEvidence(a: readonly DevicePort[], b: readonly DevicePort[]): boolean {
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
function guessKind(d: Device, gatewayIp: string | null | undefined): KindGuess | null {
  return classifyKind({
    vendor: d.vendor,
    hostname: d.hostname,
    isGateway: Boolean(gatewayIp && d.ip === gatewayIp),
    ports: d.ports,
  });
}

function sameGuess(d: Device, g: KindGuess | null): boolean {
  if (!g) return (d.kind ?? null) === null;
  return (
    d.kind === g.kind &&
    d.kindConfidence === g.confidence &&
    JSON.stringify(d.kindReasons ?? []) === JSON.stringify(g.reasons)
  );
}

function applyGuess(d: Device, g: KindGuess | null): void {
  d.kind = g?.kind ?? null;
  d.kindConfidence = g?.confidence ?? 0;
  d.kindReasons = g?.reasons ?? [];
}

/** IP → MAC for the hosts nmap reported without a (usable) MAC that the sweep matched to a device. */
function attribution(result: ScanResult, observations: SweepOutcome['observations']): Map<string, string> {
  const macless = new Set(result.hosts.filter((h) => !h.mac || !normalizeMac(h.mac)).map((h) => h.ip));
  const m = new Map<string, string>();
  for (const o of observations) if (macless.has(o.ip)) m.set(o.ip, o.mac);
  return m;
}

export class Store {
  readonly devices: DevicesRepo;
  readonly scans: ScansRepo;
  readonly changes: ChangesRepo;
  readonly history: HistoryRepo;
  readonly stats: StatsRepo;
  readonly agents: AgentsRepo;
  readonly install: InstallRepo;
  readonly identity: IdentityRepo;
  readonly macs: MacsRepo;
  readonly ipv6: Ipv6Repo;
  private readonly rekey: RekeyRepo;

  constructor(readonly db: Db) {
    this.rekey = new RekeyRepo(db);
    this.ipv6 = new Ipv6Repo(db);
    this.agents = new AgentsRepo(db);
    this.install = new InstallRepo(db);
    this.identity = new IdentityRepo(db);
    this.macs = new MacsRepo(db);
    this.devices = new DevicesRepo(db);
    this.scans = new ScansRepo(db);
    this.changes = new ChangesRepo(db);
    this.history = new HistoryRepo(db);
    this.stats = new StatsRepo(db);
  }

  /** Run `fn` in one (IMMEDIATE) transaction; nested calls become savepoints. `fn` must be synchronous. */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(fn)();
    return this.db.transaction(fn).immediate();
  }

  /**
   * Ingest a successful sweep in ONE transaction: finish the scan row with its hosts, diff against the
   * inventory, upsert changed devices, write IP and presence history, insert the changes.
   * `agent` = the satellite agent that swept (DESIGN §16), null = the hub itself: a sweep decides presence
   * only for the devices its scanner saw last, and every device it sees becomes its scanner's.
   */
  recordSweep(
    scanId: number,
    sweep: ScanResult,
    ctx: SweepContext,
    seq = 0,
    agent: string | null = null,
  ): IngestResult {
    return this.transaction(() => {
      const owners = this.agents.owners();
      const owns = (mac: string) => (owners.get(mac) ?? null) === agent;
      const result = this.throughAliases(sweep, ctx.now.toISOString());
      const upgraded = this.upgradeByIp(result.hosts, ctx.lookupVendor, ctx.now);
      // Sweeps neither read nor write ports: diff the light rows, then attach ports to what is handed on.
      const before = this.devices.allWithoutPorts();
      // the first successful sweep of a fresh database takes the install baseline (once per database)
      const baseline = before.length === 0 && this.install.baselinePending();
      const outcome = applySweep(before, result, { ...ctx, owns, baseline });
      this.reguessKinds(before, outcome.devices, ctx.gatewayIp);
      this.scans.finishBatch(scanId, seq, result, {
        attributed: attribution(result, outcome.observations),
        changes: outcome.changes.length,
        hosts: result.hostsTotal,
      });
      this.devices.saveChanged(outcome.devices, new Map(before.map((d) => [d.mac, d])));
      const t = ctx.now.toISOString();
      const seen = outcome.observations.map((o) => o.mac);
      this.agents.assign(agent === null ? seen.filter((m) => owners.has(m)) : seen, agent, t);
      this.history.recordIps(outcome.observations, t);
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
      this.history.recordPresences(presences, t);
      if (found) this.install.applyBaseline(found, ctx.now);
      const changes = this.changes.insertMany(outcome.changes.map((c) => ({ ...c, scanId })));
      return {
        changes,
        devices: this.devices.attachPorts(outcome.devices),
        skipped: outcome.skipped,
        ...(found ? { baseline: found } : {}),
        ...(upgraded.length ? { upgraded } : {}),
      };
    });
  }

  /**
   * The devices this sweep would mark away (a dry run of recordSweep's diff, nothing written): they get a
   * direct probe first (multi-probe confirmation, DESIGN §15).
   */
  departureCandidates(
    result: ScanResult,
    ctx: SweepContext,
    agent: string | null = null,
  ): Array<{ mac: string; ip: string | null }> {
    const owners = this.agents.owners();
    const owns = (mac: string) => (owners.get(mac) ?? null) === agent;
    const before = this.devices.allWithoutPorts();
    if (before.length === 0) return [];
    const byMac = new Map(before.map((d) => [d.mac, d]));
    return applySweep(before, result, { ...ctx, owns, baseline: false })
      .changes.filter((c) => c.type === 'device_offline' && c.mac)
      .map((c) => ({ mac: c.mac as string, ip: byMac.get(c.mac as string)?.ip ?? null }));
  }

  /**
   * Ingest one passive sighting (DHCP / mDNS / ARP heard on the link) in ONE transaction: the device appears
   * or is home at once, its IP and presence history grow, what it said about itself is kept. Returns
   * nothing to publish while the install baseline is still pending (the first sweep takes it).
   */
  recordSighting(
    s: Sighting,
    ctx: SightingContext,
    identity?: Omit<IdentityPatch, 'heardVia' | 'heardAt'>,
  ): IngestResult {
    return this.transaction(() => {
      if (this.install.baselinePending()) return { changes: [], devices: [], skipped: [] };
      const t = ctx.now.toISOString();
      const heard = s.mac;
      const linked = this.linkRotated(s.mac, identity?.dhcp?.fingerprint ?? null, t);
      s = { ...s, mac: this.macs.deviceOf(s.mac) ?? s.mac };
      if (s.mac !== heard) this.macs.seen(heard, t);
      const upgraded = s.ip ? this.upgradeByIp([{ mac: s.mac, ip: s.ip }], ctx.lookupVendor, ctx.now) : [];
      const prev = this.devices.get(s.mac);
      const out = applySighting(prev, s, ctx);
      let devices: Device[] = [];
      if (out.device) {
        this.reguessKinds(prev ? [prev] : [], [out.device], null);
        this.devices.upsertMany([out.device]);
        devices = this.devices.attachPorts([out.device]);
      }
      if (out.observedIp) this.history.recordIp(s.mac, out.observedIp, t);
      for (const c of out.changes) {
        if (c.type === 'new_device' || c.type === 'device_online')
          this.history.recordPresence(s.mac, 'home', t);
      }
      this.identity.record(s.mac, { ...identity, heardVia: s.source, heardAt: t });
      const changes = this.changes.insertMany(out.changes);
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
   * Ingest one NDP discovery pass (IPv6 neighbours that just answered, grouped by MAC) in ONE transaction:
   * each MAC's addresses are stored; an unknown MAC becomes a device (an IPv6-only host no sweep sees); a
   * device that is away, or has no IPv4 for sweeps to see, is home at once. A home dual-stack device only
   * gains addresses: its presence stays the sweep's. `joinBaseline`: this pass belongs to the sweep that took
   * the install baseline, so what it finds was there at install (no `new_device`, added to the baseline).
   * At most `newMax` devices are created per pass (a flood of spoofed neighbours stays bounded).
   */
  recordNeighbours(
    seen: readonly NeighbourSighting[],
    ctx: SightingContext,
    opts: { joinBaseline?: boolean; newMax?: number } = {},
  ): IngestResult & { newDropped: number } {
    return this.transaction(() => {
      const none = { changes: [], devices: [], skipped: [], newDropped: 0 };
      if (this.install.baselinePending()) return none;
      const t = ctx.now.toISOString();
      const out: Device[] = [];
      const changes: Change[] = [];
      const joined: string[] = [];
      let created = 0;
      let newDropped = 0;
      for (const n of seen) {
        const mac = this.macs.deviceOf(n.mac) ?? n.mac;
        if (mac !== n.mac) this.macs.seen(n.mac, t);
        const prev = this.devices.get(mac);
        if (!prev && created >= (opts.newMax ?? 32)) {
          newDropped++;
          continue;
        }
        let device: Device | null = null;
        if (prev?.presence !== 'home' || !prev.ip) {
          const step = applySighting(
            prev,
            { source: 'ndp', mac, ip: null, name: null },
            ctx,
            'ndp: answered',
          );
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
            this.reguessKinds(prev ? [prev] : [], [device], null);
            this.devices.upsertMany([device]);
          }
          if (!prev || stepChanges.some((c) => c.type === 'device_online'))
            this.history.recordPresence(mac, 'home', t);
          changes.push(...stepChanges);
        }
        const gained = this.ipv6.record(mac, n.addresses, t);
        const current = device ?? (gained ? prev : null);
        if (current) out.push(current);
      }
      if (joined.length > 0) this.install.extendBaseline(joined);
      return {
        changes: this.changes.insertMany(changes),
        devices: this.devices.attachPorts(out),
        skipped: [],
        newDropped,
      };
    });
  }

  /**
   * A private MAC no device knows, whose DHCP fingerprint (parameter-request list, hostname, client id) is
   * exactly one existing private-MAC device's: the phone rotated its address. The MAC is linked to that device
   * (DESIGN §15). Returns the device's MAC when it linked.
   */
  private linkRotated(mac: string, fingerprint: string | null, t: string): string | null {
    if (!fingerprint || !isRandomizedMac(mac) || this.macs.deviceOf(mac) || this.devices.get(mac))
      return null;
    const owners = [
      ...new Set(
        this.identity
          .withFingerprint(fingerprint)
          .map((i) => i.mac)
          .filter((m) => m !== mac && isRandomizedMac(m) && this.devices.get(m) !== null),
      ),
    ];
    if (owners.length !== 1) return null;
    this.macs.link(mac, owners[0] as string, 'dhcp', t);
    return owners[0] as string;
  }

  /** Hosts seen with a MAC where a device identified by IP is: it becomes that MAC's device (ipUpgrade.ts). */
  private upgradeByIp(
    hosts: Parameters<typeof upgradeIpDevices>[1],
    lookupVendor: (mac: string) => string | null,
    now: Date,
  ): IpUpgrade[] {
    return upgradeIpDevices(
      {
        db: this.db,
        rekey: this.rekey,
        macs: this.macs,
        lookupVendor,
        merge: (into, from) => this.mergeDevices(into, from, now),
      },
      hosts,
    );
  }

  /** Sweep hosts answering from a device's further MAC count for that device. */
  private throughAliases(result: ScanResult, t: string): ScanResult {
    const aliases = this.macs.map();
    if (aliases.size === 0) return result;
    return {
      ...result,
      hosts: result.hosts.map((h) => {
        const mac = h.mac ? normalizeMac(h.mac) : null;
        const to = mac ? aliases.get(mac) : undefined;
        if (!to || !mac) return h;
        if (h.status === 'up') this.macs.seen(mac, t);
        return { ...h, mac: to };
      }),
    };
  }

  /**
   * Merge device `from` into device `into` (the user says they are one device): `from`'s MAC and its further
   * MACs become `into`'s, its IP and presence history move over, then `from` is deleted. Returns the surviving
   * device, or null when either is unknown or they are the same.
   */
  mergeDevices(into: string, from: string, now: Date): Device | null {
    return this.transaction(() => {
      if (into === from) return null;
      const a = this.devices.get(into);
      const b = this.devices.get(from);
      if (!a || !b) return null;
      const t = now.toISOString();
      this.history.moveDevice(from, into);
      this.macs.repoint(from, into);
      this.ipv6.moveDevice(from, into);
      this.devices.forget(from);
      // a device identified by IP has no MAC to become a further MAC of `into` (HA connections)
      if (!isIpKey(from)) this.macs.link(from, into, 'manual', t);
      const merged: Device = {
        ...a,
        firstSeen: a.firstSeen < b.firstSeen ? a.firstSeen : b.firstSeen,
        ...(b.lastSeen > a.lastSeen
          ? {
              lastSeen: b.lastSeen,
              ip: b.ip ?? a.ip,
              online: b.online,
              presence: b.presence,
              missedSweeps: b.missedSweeps,
              presenceReason: b.presenceReason ?? null,
            }
          : {}),
        hostname: a.hostname ?? b.hostname,
        name: a.name ?? b.name,
        notes: a.notes ?? b.notes,
        known: a.known || b.known,
        isNew: a.isNew && b.isNew,
      };
      this.devices.upsertMany([merged]);
      return this.devices.get(into);
    });
  }

  /** Split a further MAC off its device again: it is a device of its own from its next sighting. */
  splitMac(deviceMac: string, mac: string): boolean {
    return this.transaction(() => this.macs.deviceOf(mac) === deviceMac && this.macs.unlink(mac));
  }

  /**
   * Ingest a successful port/service scan in ONE transaction. Hosts are matched by MAC, or by IP when
   * nmap gave no MAC and exactly one device holds the IP. Port scans never create devices (sweeps do):
   * unmatched hosts are reported in `skipped`.
   */
  recordPortScan(
    scanId: number,
    result: ScanResult,
    now: Date,
    seq = 0,
    gatewayIp: string | null = null,
  ): IngestResult {
    return this.transaction(() => {
      const t = now.toISOString();
      const attributed = new Map<string, string>();
      const all = this.devices.allWithoutPorts();
      const byMac = new Map(all.map((d) => [d.mac, d]));
      const devices: Device[] = [];
      const changes: Change[] = [];
      const skipped: IngestResult['skipped'] = [];
      const matched: Array<{ host: (typeof result.hosts)[number]; device: Device }> = [];
      for (const host of result.hosts) {
        if (host.status !== 'up' || !host.portsScanned) continue;
        let device = host.mac ? byMac.get(normalizeMac(host.mac) ?? '') : undefined;
        if (!device && !host.mac) {
          const holders = all.filter((d) => d.ip === host.ip);
          if (holders.length === 1) device = holders[0];
        }
        if (!device) {
          skipped.push({
            ip: host.ip,
            reason: host.mac
              ? `device ${host.mac} is not in the inventory`
              : 'no MAC and no unique device at this IP',
          });
          continue;
        }
        matched.push({ host, device });
      }
      // the current ports of every matched device in one query
      const current = this.devices.portsOf(matched.map((m) => m.device.mac));
      const stored: Array<{ mac: string; ports: DevicePort[]; previous: DevicePort[] }> = [];
      for (const { host, device: light } of matched) {
        const device: Device = { ...(byMac.get(light.mac) ?? light) };
        device.ports = current.get(device.mac) ?? [];
        if (!host.mac) attributed.set(host.ip, device.mac);
        const out = applyPortScan(device, host, now);
        byMac.set(device.mac, out.device);
        current.set(device.mac, out.device.ports);
        // a port scan changes only the device's ports and ports_scanned_at (written below, for all at once)
        stored.push({ mac: device.mac, ports: out.device.ports, previous: device.ports });
        // the guess is the pattern table over vendor, hostname, gateway and ports: the sweep guesses again when
        // the others move, so here only when the ports' evidence did
        if (!sameKindEvidence(device.ports, out.device.ports)) {
          const guess = guessKind(out.device, gatewayIp);
          if (!sameGuess(out.device, guess)) {
            this.devices.setKind(device.mac, guess);
            applyGuess(out.device, guess);
          }
        }
        devices.push(out.device);
        // each port fact is stored once, as its change: the port history is a view of those (migration 012)
        for (const c of out.changes) changes.push({ ...c, scanId });
      }
      this.devices.setPortsMany(stored, t);
      this.scans.finishBatch(scanId, seq, result, {
        attributed,
        changes: changes.length,
        hosts: result.targets.length,
      });
      return { changes: this.changes.insertMany(changes), devices, skipped };
    });
  }

  /**
   * Guess the kind again for the sweep's devices that are new, never guessed, or whose vendor, hostname or IP
   * changed (the evidence a sweep can move); their ports come from one query. Sets the fields on the
   * devices about to be upserted.
   */
  private reguessKinds(before: Device[], changed: Device[], gatewayIp: string | null | undefined): void {
    const old = new Map(before.map((d) => [d.mac, d]));
    const stale = changed.filter((d) => {
      const o = old.get(d.mac);
      return !o || o.kind == null || o.vendor !== d.vendor || o.hostname !== d.hostname || o.ip !== d.ip;
    });
    if (stale.length === 0) return;
    const ports = this.devices.portsOf(stale.filter((d) => old.has(d.mac)).map((d) => d.mac));
    for (const d of stale) {
      const guess = guessKind({ ...d, ports: ports.get(d.mac) ?? [] }, gatewayIp);
      if (!sameGuess(d, guess)) applyGuess(d, guess);
    }
  }

  /** A failed scan: recorded as failed, nothing is marked absent. */
  recordFailedScan(scanId: number, error: string, now: Date, batch?: { seq: number; hosts: number }): void {
    if (batch) this.scans.failBatch(scanId, batch.seq, error, now, batch.hosts);
    else this.scans.fail(scanId, error, now);
  }

  close(): void {
    closeDatabase(this.db);
  }
}

/** Open the database file (migrating it) and wrap it in a Store. */
export function openStore(file: string, logger: Logger): Store {
  return new Store(openDatabase(file, logger));
}
