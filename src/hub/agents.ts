/**
 * Hub side of the satellites (DESIGN §16): ingests agent results exactly like local scans (same store
 * operations, same bus events, so the one inventory, HA, API and alerts see them), keeps each agent's
 * health, publishes one HA device per agent and relays hub commands to agents.
 *
 * Trust: only agents named in option `agents` are heard; the broker's per-agent ACL guarantees the topic,
 * and the payload must name the same agent. Every payload is validated (src/agent/protocol.ts) and
 * bounded; a refusal is logged with its reason (rate-limited) and counted. Nothing an agent sends is
 * executed or put into a shell, a topic or HTML: it is data for the inventory.
 */
import { randomBytes } from 'node:crypto';
import {
  type AgentHeartbeat,
  agentTopics,
  decodeBody,
  fromWire,
  heartbeatSchema,
  PROTOCOL_VERSION,
  parseAgentTopic,
  parseChunk,
  parseJson,
  type WireScanResult,
} from '../agent/protocol.js';
import { Reassembler } from '../agent/reassembler.js';
import { ingestPortScan } from '../inventory/ingestPortScan.js';
import { ingestSweep } from '../inventory/ingestSweep.js';
import type { Change, Device } from '../inventory/types.js';
import type { MessageHandler, PublishOptions, PublishOutcome } from '../mqtt/client.js';
import { announceIpUpgrades } from '../service/ipUpgradeEvents.js';
import type { ThreatAssessor } from '../service/threatAssessor.js';
import type { AgentRow } from '../store/agentsRepo.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { wakeTargets } from '../wol/targets.js';
import { type AgentState, type AgentTopicCtx, agentDiscovery, agentStateTopic } from './agentDiscovery.js';

export interface AgentMqtt {
  subscribe(filter: string, handler: MessageHandler): Promise<() => Promise<void>>;
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<PublishOutcome>;
  onConnect(cb: () => void | Promise<void>): () => void;
}

export interface AgentHubDeps {
  mqtt: AgentMqtt;
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  threats?: ThreatAssessor;
  /** option `agents`: the agent ids this hub accepts */
  known: string[];
  ctx: AgentTopicCtx;
  considerHome: number;
  lookupVendor: (mac: string) => string | null;
  /** heartbeat age (in heartbeat intervals) after which an agent counts as stale; default 3 */
  staleIntervals?: number;
}

export interface AgentHubStats {
  ingested: number;
  duplicates: number;
  /** sweeps that arrived after a newer sweep of the same agent: recorded, not applied to presence */
  superseded: number;
  refused: number;
  chunks: number;
  duplicateChunks: number;
}

export class AgentHub {
  private readonly known: Set<string>;
  private readonly reassembler = new Reassembler();
  private readonly unsub: Array<() => Promise<void> | void> = [];
  private readonly lastLog = new Map<string, number>();
  private readonly published = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  readonly stats: AgentHubStats = {
    ingested: 0,
    duplicates: 0,
    superseded: 0,
    refused: 0,
    chunks: 0,
    duplicateChunks: 0,
  };
  /** finish time of each agent's last ingested sweep: an older sweep arriving late must not flip presence */
  private readonly lastSweepAt = new Map<string, number>();
  /** serialises ingest: chunks arrive concurrently, the store is synchronous but threats/publish are not */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: AgentHubDeps) {
    this.known = new Set(deps.known);
  }

  async start(): Promise<void> {
    const { mqtt, ctx } = this.deps;
    const base = ctx.baseTopic;
    for (const kind of ['result', 'heartbeat', 'status'] as const) {
      this.unsub.push(await mqtt.subscribe(`${base}/agent/+/${kind}`, (t, p) => this.onMessage(t, p)));
    }
    this.unsub.push(
      await mqtt.subscribe(`${base}/hub/agent/+/scan_now`, (t) => {
        const id = t.slice(`${base}/hub/agent/`.length).split('/')[0] ?? '';
        if (this.known.has(id)) this.scanNow(id, 'ha button');
      }),
    );
    this.unsub.push(
      await mqtt.subscribe(`${ctx.discoveryPrefix}/status`, (_t, p) => {
        if (p.toString() === 'online') this.publishAll(true);
      }),
    );
    this.unsub.push(mqtt.onConnect(() => this.publishAll(true)));
    this.publishAll(true);
    // health changes without any message (a heartbeat that stops coming): re-evaluate every 15 s
    this.timer = setInterval(() => this.publishAll(false), 15_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const u of this.unsub.splice(0)) await u();
    await this.chain;
  }

  /** Resolves once everything received so far is ingested (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** The agent that last saw this device, or null (the hub's own sweep). */
  agentOf(mac: string): string | null {
    return this.deps.store.agents.agentOf(mac);
  }

  scanNow(id: string, reason: string): boolean {
    if (!this.known.has(id)) return false;
    return this.command(id, { v: PROTOCOL_VERSION, id: cmdId(), command: 'scan_now' }, reason);
  }

  /** Asks the agent that owns `mac` for a port/service scan of it; false when no agent owns it. */
  deepScan(mac: string, reason: string): boolean {
    const id = this.agentOf(mac);
    const d = this.deps.store.devices.get(mac);
    if (!id || !d?.ip || !this.known.has(id)) return false;
    return this.command(id, { v: PROTOCOL_VERSION, id: cmdId(), command: 'deep_scan', ip: d.ip }, reason);
  }

  /**
   * Wake-on-LAN of a device only an agent sees (its VLAN: the hub's magic packet would not cross the router): the
   * agent that owns `mac` is asked to send the packet on its LAN. Null when no configured agent owns it or it has
   * no IPv4; else the agent and the subnet of its heartbeat that holds the device (null when not reported yet).
   */
  wake(mac: string, port: 7 | 9, reason: string): { agent: string; subnet: string | null } | null {
    const id = this.agentOf(mac);
    const d = this.deps.store.devices.get(mac);
    if (!id || !d?.ip || !this.known.has(id) || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) return null;
    this.command(id, { v: PROTOCOL_VERSION, id: cmdId(), command: 'wake', mac, ip: d.ip, port }, reason);
    const hb = this.deps.store.agents.get(id)?.heartbeat as { subnets?: unknown } | null | undefined;
    const subnets = Array.isArray(hb?.subnets)
      ? hb.subnets.filter((s): s is string => typeof s === 'string')
      : [];
    const aim = wakeTargets(d.ip, subnets, port);
    return { agent: id, subnet: aim.ok ? aim.subnet : null };
  }

  private command(id: string, cmd: Record<string, unknown>, reason: string): boolean {
    this.deps.logger.info(`command to agent ${id}: ${String(cmd.command)} (${reason})`);
    void this.deps.mqtt.publish(agentTopics(this.deps.ctx.baseTopic, id).cmd, JSON.stringify(cmd), {
      qos: 1,
    });
    return true;
  }

  list(): Array<AgentRow & { state: AgentState; configured: boolean }> {
    const rows = new Map(this.deps.store.agents.list().map((r) => [r.id, r]));
    const ids = [...new Set([...this.known, ...rows.keys()])].sort();
    return ids.map((id) => {
      const row = rows.get(id) ?? emptyRow(id);
      return { ...row, state: this.stateOf(row), configured: this.known.has(id) };
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const t = parseAgentTopic(this.deps.ctx.baseTopic, topic);
    if (!t) return;
    if (!this.known.has(t.id)) {
      this.refuse(
        t.id,
        `agent "${t.id}" is not in option agents (known: ${[...this.known].join(', ') || 'none'})`,
        false,
      );
      return;
    }
    const now = this.deps.clock.now();
    if (t.kind === 'status') {
      const s = payload.toString('utf8');
      if (s !== 'online' && s !== 'offline') {
        this.refuse(t.id, 'status must be "online" or "offline"');
        return;
      }
      this.deps.store.agents.setStatus(t.id, s, now.toISOString());
      this.deps.logger.info(`agent ${t.id} is ${s}`);
      this.publishState(t.id, false);
      return;
    }
    if (t.kind === 'heartbeat') {
      if (payload.length === 0) return; // a cleared retained heartbeat
      const h = parseJson(heartbeatSchema, payload);
      if (!h.ok) {
        this.refuse(t.id, `malformed heartbeat: ${h.error}`);
        return;
      }
      if (h.value.agent !== t.id) {
        this.refuse(t.id, `heartbeat names agent "${h.value.agent}" on agent ${t.id}'s topic`);
        return;
      }
      this.deps.store.agents.setHeartbeat(t.id, h.value, now.toISOString());
      this.publishState(t.id, false);
      return;
    }
    this.stats.chunks++;
    const c = parseChunk(payload);
    if (!c.ok) {
      this.refuse(t.id, `malformed result chunk: ${c.error}`);
      return;
    }
    if (c.header.agent !== t.id) {
      this.refuse(t.id, `result chunk names agent "${c.header.agent}" on agent ${t.id}'s topic`);
      return;
    }
    if (this.deps.store.agents.hasResult(t.id, c.header.rid)) {
      // a chunk of a result already received (a QoS 1 redelivery, a bridge, or an agent that missed the
      // ack): never reassembled again; the last chunk of a whole resend re-acknowledges it
      this.stats.duplicateChunks++;
      if (c.header.seq === c.header.total - 1) {
        this.stats.duplicates++;
        this.ack(t.id, c.header.rid, 'duplicate');
      }
      return;
    }
    const out = this.reassembler.accept(c.header, c.body, now.getTime());
    if (out.status === 'duplicate_chunk') {
      this.stats.duplicateChunks++;
      return;
    }
    if (out.status === 'partial') return;
    if (out.status === 'refused') {
      this.refuse(t.id, out.reason, true, c.header.rid);
      return;
    }
    const rid = out.header.rid;
    this.chain = this.chain
      .then(() => this.ingest(t.id, rid, out.header.kind, out.body))
      .catch((err: unknown) => {
        this.deps.logger.error(`ingest of agent ${t.id} result ${rid} failed: ${(err as Error).message}`);
      });
  }

  private async ingest(id: string, rid: string, kind: 'sweep' | 'ports', body: Buffer): Promise<void> {
    const { store } = this.deps;
    if (store.agents.hasResult(id, rid)) {
      this.stats.duplicates++;
      this.ack(id, rid, 'duplicate');
      return;
    }
    const d = decodeBody(body);
    if (!d.ok) {
      this.refuse(id, `result ${rid}: ${d.error}`, true, rid);
      return;
    }
    const w = d.result;
    if (w.agent !== id || w.id !== rid || w.kind !== kind) {
      this.refuse(id, `result ${rid} does not match its chunk headers (agent, id or kind)`, true, rid);
      return;
    }
    const problem = sanity(w);
    if (problem) {
      this.refuse(id, `result ${rid}: ${problem}`, true, rid);
      return;
    }
    const result = fromWire(w);
    const hubNow = this.deps.clock.now();
    if (kind === 'sweep' && result.finishedAt.getTime() < (this.lastSweepAt.get(id) ?? 0)) {
      this.stats.superseded++;
      store.agents.recordResult(id, rid, kind, null, hubNow.toISOString());
      this.deps.logger.info(`agent ${id}: sweep ${rid} is older than the last one applied; not applied`);
      this.ack(id, rid, 'duplicate', 'superseded by a newer sweep');
      return;
    }
    if (kind === 'sweep') this.lastSweepAt.set(id, result.finishedAt.getTime());
    // presence is computed at the agent's finish time, never in the hub's future
    const now = result.finishedAt.getTime() < hubNow.getTime() ? result.finishedAt : hubNow;
    const reason = `agent ${id}: ${w.reason}`;
    const ctx = {
      now,
      considerHome: this.deps.considerHome,
      gatewayIp: null,
      lookupVendor: this.deps.lookupVendor,
    };
    const { scanId, changes, devices, upgraded } = store.transaction(() => {
      const sid = store.scans.start(
        kind,
        result.targets,
        reason.slice(0, 200),
        `agent ${id}`,
        result.startedAt,
      );
      const r =
        kind === 'sweep'
          ? ingestSweep(store, sid, result, ctx, 0, id)
          : ingestPortScan(store, sid, result, now);
      store.agents.recordResult(id, rid, kind, sid, hubNow.toISOString());
      return { scanId: sid, changes: r.changes as Change[], devices: r.devices, upgraded: r.upgraded };
    });
    let outChanges: Change[] = changes;
    const updated = new Map<string, Device>(devices.map((x) => [x.mac, x]));
    if (kind === 'ports' && this.deps.threats) {
      const t = this.deps.threats.assess([...updated.keys()], now);
      outChanges = [...outChanges, ...t.changes];
      for (const x of t.devices) updated.set(x.mac, x);
    }
    const { bus } = this.deps;
    announceIpUpgrades(upgraded, bus, this.deps.logger);
    bus.emit('scan:started', {
      scanId,
      kind,
      targets: result.targets,
      reason,
      startedAt: result.startedAt.toISOString(),
    });
    for (const x of updated.values()) bus.emit('device:updated', x);
    for (const c of outChanges) bus.emit('change', c);
    bus.emit('scan:finished', {
      scanId,
      kind,
      startedAt: result.startedAt.toISOString(),
      finishedAt: now.toISOString(),
      hostsUp: result.hosts.filter((h) => h.status === 'up').length,
      changes: outChanges.length,
    });
    this.stats.ingested++;
    this.deps.logger.debug(
      `agent ${id}: ${kind} result ${rid} ingested as scan ${scanId} (${outChanges.length} changes)`,
    );
    this.ack(id, rid, 'ingested');
    this.publishState(id, false);
  }

  private ack(id: string, rid: string, status: 'ingested' | 'duplicate' | 'refused', reason?: string): void {
    const ack = { v: PROTOCOL_VERSION, rid, status, ...(reason ? { reason: reason.slice(0, 300) } : {}) };
    void this.deps.mqtt.publish(agentTopics(this.deps.ctx.baseTopic, id).ack, JSON.stringify(ack), {
      qos: 1,
    });
  }

  private refuse(id: string, reason: string, count = true, rid?: string): void {
    this.stats.refused++;
    const now = this.deps.clock.now();
    if (count && this.known.has(id)) this.deps.store.agents.noteRefusal(id, reason, now.toISOString());
    // a refused result is acknowledged as refused so the agent stops resending it (and logs why)
    if (rid && this.known.has(id)) this.ack(id, rid, 'refused', reason);
    const key = `${id}:${reason.slice(0, 40)}`;
    const last = this.lastLog.get(key) ?? 0;
    if (now.getTime() - last >= 60_000) {
      this.lastLog.set(key, now.getTime());
      if (this.lastLog.size > 1000) this.lastLog.clear();
      this.deps.logger.warn(
        `refused from agent topic ${JSON.stringify(id.slice(0, 40))}: ${reason.slice(0, 300)}`,
      );
    }
  }

  private stateOf(row: AgentRow): AgentState {
    const hb = row.heartbeat as AgentHeartbeat | null;
    const now = this.deps.clock.now().getTime();
    const interval = (hb?.interval_s ?? 30) * 1000;
    const fresh =
      row.lastHeartbeat !== null &&
      now - Date.parse(row.lastHeartbeat) <= interval * (this.deps.staleIntervals ?? 3);
    const health: AgentState['health'] =
      row.status === 'offline'
        ? 'offline'
        : row.status === 'online'
          ? fresh
            ? 'online'
            : 'stale'
          : fresh
            ? 'online'
            : 'unknown';
    return {
      agent: row.id,
      online: health === 'online',
      health,
      last_heartbeat: row.lastHeartbeat,
      last_sweep: hb?.last_sweep ?? null,
      last_result: row.lastResultAt,
      last_error: hb?.last_error ?? null,
      version: hb?.version ?? null,
      subnets: hb?.subnets ?? [],
      devices: row.devices,
      devices_online: row.devicesOnline,
      queue_pending: hb?.queue.pending ?? 0,
      queue_dropped: hb?.queue.dropped ?? 0,
      results: row.results,
      refused: row.refused,
    };
  }

  private publishState(id: string, force: boolean): void {
    const row = this.deps.store.agents.get(id) ?? emptyRow(id);
    const body = JSON.stringify(this.stateOf(row));
    if (!force && this.published.get(id) === body) return;
    this.published.set(id, body);
    void this.deps.mqtt.publish(agentStateTopic(this.deps.ctx, id), body, { retain: true, qos: 1, force });
  }

  private publishAll(withDiscovery: boolean): void {
    for (const id of this.known) {
      if (withDiscovery) {
        const d = agentDiscovery(this.deps.ctx, id);
        void this.deps.mqtt.publish(d.topic, JSON.stringify(d.payload), { retain: true, qos: 1 });
      }
      this.publishState(id, withDiscovery);
    }
  }
}

function sanity(w: WireScanResult): string | null {
  const s = Date.parse(w.startedAt);
  const f = Date.parse(w.finishedAt);
  if (f < s) return 'finishedAt is before startedAt';
  if (w.hostsUp > w.hostsTotal) return 'hostsUp exceeds hostsTotal';
  if (w.kind === 'sweep' && w.hosts.some((h) => h.portsScanned)) return 'a sweep carries port results';
  return null;
}

function cmdId(): string {
  return randomBytes(6).toString('hex');
}

function emptyRow(id: string): AgentRow {
  return {
    id,
    firstSeen: '',
    status: 'unknown',
    statusAt: null,
    lastHeartbeat: null,
    heartbeat: null,
    lastResultAt: null,
    results: 0,
    refused: 0,
    lastRefusal: null,
    devices: 0,
    devicesOnline: 0,
  };
}
