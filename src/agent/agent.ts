/**
 * `lan-sentinel agent`: sweeps and port scans its VLAN with the local scan code and reports to the hub
 * through the MQTT broker (DESIGN §16). Results wait in a bounded outbox until the hub acknowledges them,
 * so a broker outage, a hub restart or a bridge that is down loses nothing; when the outbox is full the
 * oldest result goes and is counted (heartbeat `queue.dropped`). Commands from the hub are validated and
 * can only ask for one of three things (a sweep now, a port scan of one address inside the agent's subnets, a
 * Wake-on-LAN magic packet for a device inside them).
 */

import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import cron, { type ScheduledTask } from 'node-cron';
import { cidrRange, type Ipv4Range, ipv4ToInt, parseCidrOrIp } from '../scan/ipv4.js';
import type { ScanKind } from '../scan/types.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { magicPacket, parseWakeMac } from '../wol/magicPacket.js';
import { udpWakeSender, type WakeSender } from '../wol/sender.js';
import { wakeTargets } from '../wol/targets.js';
import type { AgentOptions } from './config.js';
import { Outbox } from './outbox.js';
import {
  type AgentHeartbeat,
  type AgentTopics,
  ackSchema,
  agentTopics,
  commandSchema,
  encodeResult,
  PROTOCOL_VERSION,
  parseJson,
  toWire,
} from './protocol.js';
import type { AgentScanFn } from './scanner.js';

export interface AgentDeps {
  options: AgentOptions;
  scan: AgentScanFn;
  clock: Clock;
  logger: Logger;
  version: string;
  /** default mqtt.connect */
  connect?: (url: string, opts: IClientOptions) => MqttClient;
  /** resend an unacknowledged result after this long (default 30 s) */
  resendMs?: number;
  /** outbox flush tick (default 2 s) */
  flushTickMs?: number;
  /** monotonic milliseconds for resend timing (default performance.now; wall clocks jump) */
  monotonic?: () => number;
  /** body bytes per chunk (default CHUNK_BODY_BYTES; tests use small chunks to cut uploads mid-way) */
  chunkBodyBytes?: number;
  /** Wake-on-LAN sender (default UDP broadcast over node:dgram) */
  wakeSender?: WakeSender;
}

interface Job {
  kind: ScanKind;
  targets: string[];
  reason: string;
}

export interface AgentStats {
  connected: boolean;
  pending: number;
  dropped: number;
  published: number;
  acked: number;
  produced: number;
  lastSweep: string | null;
}

export class Agent {
  private client: MqttClient | null = null;
  private readonly topics: AgentTopics;
  readonly outbox: Outbox;
  private readonly ranges: Ipv4Range[];
  private readonly jobs: Job[] = [];
  private running: Job | null = null;
  private abort: AbortController | null = null;
  private timers: NodeJS.Timeout[] = [];
  private portTask: ScheduledTask | null = null;
  private stopped = false;
  private readonly seenMacs = new Set<string>();
  private lastUp: string[] = [];
  private lastSweep: string | null = null;
  private lastError: string | null = null;
  private readonly startedAt: string;
  private published = 0;
  private produced = 0;
  private acked = 0;
  private flushing = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly deps: AgentDeps) {
    const o = deps.options;
    this.topics = agentTopics(o.base_topic, o.agent_id);
    this.outbox = new Outbox(o.queue_max);
    this.ranges = o.subnets.map((s) => cidrRange(parseCidrOrIp(s)!));
    this.startedAt = deps.clock.now().toISOString();
  }

  private mono(): number {
    return (this.deps.monotonic ?? (() => performance.now()))();
  }

  get log(): Logger {
    return this.deps.logger;
  }

  start(): void {
    const o = this.deps.options;
    const opts: IClientOptions = {
      clientId: `lan_sentinel_agent_${o.agent_id}`,
      // a persistent session: hub commands and acks sent while we are away are kept by the broker
      clean: false,
      keepalive: 30,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      protocolVersion: 4,
      resubscribe: true,
      queueQoSZero: false,
      // no mqtt-packet number cache: 65,536 two-byte Buffers (~6 MB of heap, resident for good) for message ids
      // it can write as cheaply on the fly (issue 18: idle memory)
      writeCache: false,
      will: { topic: this.topics.status, payload: Buffer.from('offline'), retain: true, qos: 1 },
    };
    if (o.mqtt_username) opts.username = o.mqtt_username;
    if (o.mqtt_password) opts.password = o.mqtt_password;
    const client = (this.deps.connect ?? mqtt.connect)(o.mqtt_url, opts);
    this.client = client;
    let lastErr = '';
    client.on('connect', () => {
      lastErr = '';
      this.log.info(`connected to the broker; publishing under ${o.base_topic}/agent/${o.agent_id}/`);
      void this.onConnect(client);
    });
    client.on('error', (err) => {
      if (err.message !== lastErr) this.log.error(`broker: ${err.message}`);
      lastErr = err.message;
    });
    client.on('close', () => {
      if (!this.stopped) this.log.debug('broker connection closed; reconnecting');
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));

    this.enqueue({ kind: 'sweep', targets: o.subnets, reason: 'start' });
    this.timers.push(
      setInterval(
        () => this.enqueue({ kind: 'sweep', targets: o.subnets, reason: 'schedule' }),
        o.sweep_interval * 1000,
      ),
    );
    this.timers.push(setInterval(() => this.publishHeartbeat(), o.heartbeat_interval * 1000));
    this.timers.push(setInterval(() => void this.flush(), this.deps.flushTickMs ?? 2000));
    if (o.port_scan_schedule && o.port_scan_schedule !== 'off') {
      this.portTask = cron.schedule(o.port_scan_schedule, () =>
        this.requestPortScan(this.lastUp, 'schedule'),
      );
    }
  }

  private async onConnect(client: MqttClient): Promise<void> {
    try {
      await client.subscribeAsync([this.topics.cmd, this.topics.ack], { qos: 1 });
      await client.publishAsync(this.topics.status, 'online', { qos: 1, retain: true });
    } catch (err) {
      this.log.warn(`after connect: ${(err as Error).message}`);
    }
    this.outbox.markAllUnsent();
    this.publishHeartbeat();
    void this.flush();
  }

  stats(): AgentStats {
    return {
      connected: this.client?.connected === true,
      pending: this.outbox.length,
      dropped: this.outbox.dropped,
      published: this.published,
      acked: this.acked,
      produced: this.produced,
      lastSweep: this.lastSweep,
    };
  }

  /** Resolves when no scan is running or queued. */
  whenIdle(): Promise<void> {
    if (!this.running && this.jobs.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  requestSweep(reason: string): void {
    this.enqueue({ kind: 'sweep', targets: this.deps.options.subnets, reason });
  }

  /** Port scan of these addresses, 4 per nmap run. Addresses outside the agent's subnets are refused. */
  requestPortScan(ips: string[], reason: string): void {
    const inside = ips.filter((ip) => this.inside(ip));
    for (let i = 0; i < inside.length; i += 4)
      this.enqueue({ kind: 'ports', targets: inside.slice(i, i + 4), reason });
  }

  inside(ip: string): boolean {
    const n = ipv4ToInt(ip);
    return n !== undefined && this.ranges.some((r) => n >= r.first && n <= r.last);
  }

  private enqueue(job: Job): void {
    if (this.stopped) return;
    const key = `${job.kind}:${job.targets.join(',')}`;
    const same = (j: Job | null) => j && `${j.kind}:${j.targets.join(',')}` === key;
    // a sweep never overlaps the previous one, and an identical waiting request is coalesced
    if (this.jobs.some(same) || (job.kind === 'sweep' && same(this.running))) return;
    if (job.kind === 'sweep') this.jobs.unshift(job);
    else this.jobs.push(job);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    let job = this.jobs.shift();
    while (job && !this.stopped) {
      this.running = job;
      await this.runJob(job);
      this.running = null;
      job = this.jobs.shift();
    }
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private async runJob(job: Job): Promise<void> {
    this.abort = new AbortController();
    const out = await this.deps.scan(job.kind, job.targets, this.abort.signal);
    this.abort = null;
    if (!out.ok) {
      // a failed scan is reported in the heartbeat only: the hub marks nothing absent for it
      this.lastError = `${job.kind}: ${out.error}`;
      this.log.warn(`${job.kind} scan failed: ${out.error}`);
      this.publishHeartbeat();
      return;
    }
    this.lastError = null;
    const r = out.result;
    const rid = `${r.startedAt.getTime().toString(36)}-${randomBytes(6).toString('hex')}`;
    const wire = toWire(this.deps.options.agent_id, rid, job.reason, r);
    let encoded: ReturnType<typeof encodeResult>;
    try {
      encoded = encodeResult(wire, this.deps.chunkBodyBytes);
    } catch (err) {
      this.lastError = (err as Error).message;
      this.log.error(this.lastError);
      return;
    }
    this.produced++;
    const dropped = this.outbox.push(encoded, this.mono());
    for (const d of dropped)
      this.log.warn(
        `outbox full (${this.outbox.max}): dropped the oldest unacknowledged ${d.result.kind} result ${d.result.rid} (${this.outbox.dropped} dropped so far)`,
      );
    this.log.debug(
      `${job.kind} result ${rid}: ${r.hosts.length} hosts, ${encoded.jsonBytes} B JSON, ${encoded.bodyBytes} B compressed, ${encoded.chunks.length} chunk(s)`,
    );
    if (job.kind === 'sweep') {
      this.lastSweep = r.finishedAt.toISOString();
      const up = r.hosts.filter((h) => h.status === 'up');
      this.lastUp = up.map((h) => h.ip);
      const fresh = up.filter((h) => h.mac && !this.seenMacs.has(h.mac));
      for (const h of fresh) this.seenMacs.add(h.mac!);
      if (this.deps.options.scan_new_devices && fresh.length > 0)
        this.requestPortScan(
          fresh.map((h) => h.ip),
          'new device',
        );
    }
    void this.flush();
  }

  /**
   * Sends what is due, oldest first; stops at the first failure (the next connect resends). Results queued
   * while it is sending are sent in the same call, not left for the next flush tick. A result acknowledged
   * while the flush is under way is skipped (or its remaining chunks are), never published again.
   */
  async flush(): Promise<void> {
    const c = this.client;
    if (this.flushing || !c?.connected) return;
    this.flushing = true;
    try {
      // first what is due (new or unacknowledged for resendMs), then only what was queued meanwhile
      for (let resendMs = this.deps.resendMs ?? 30_000; ; resendMs = Number.POSITIVE_INFINITY) {
        const due = this.outbox.due(this.mono(), resendMs);
        if (due.length === 0) break;
        for (const e of due) {
          // `due` is a snapshot: an ack that arrived while earlier entries were being published removed
          // this one from the outbox, and an acknowledged result is never sent again (not even its rest)
          let sent = 0;
          for (const chunk of e.result.chunks) {
            if (!c.connected) return;
            if (!this.outbox.has(e.result.rid)) break;
            await c.publishAsync(this.topics.result, chunk, { qos: 1 });
            sent++;
          }
          if (sent < e.result.chunks.length) continue;
          e.sentAt = Math.max(1, this.mono());
          e.attempts++;
          this.published++;
        }
      }
    } catch (err) {
      this.log.debug(`publish interrupted: ${(err as Error).message}`);
    } finally {
      this.flushing = false;
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.topics.ack) {
      const a = parseJson(ackSchema, payload);
      if (!a.ok) {
        this.log.warn(`ignored a malformed ack: ${a.error}`);
        return;
      }
      if (this.outbox.ack(a.value.rid)) {
        this.acked++;
        if (a.value.status === 'refused')
          this.log.error(`the hub refused result ${a.value.rid}: ${a.value.reason ?? 'no reason given'}`);
      }
      return;
    }
    if (topic === this.topics.cmd) {
      const c = parseJson(commandSchema, payload);
      if (!c.ok) {
        this.log.warn(`ignored a malformed command: ${c.error}`);
        return;
      }
      const cmd = c.value;
      if (cmd.command === 'scan_now') {
        this.log.info(`hub command ${cmd.id}: sweep now`);
        this.requestSweep(`hub ${cmd.id}`);
      } else if (!this.inside(cmd.ip)) {
        this.log.warn(`hub command ${cmd.id}: ${cmd.ip} is outside this agent's subnets; ignored`);
      } else if (cmd.command === 'wake') {
        void this.wake(cmd.id, cmd.mac, cmd.ip, cmd.port);
      } else {
        this.log.info(`hub command ${cmd.id}: deep scan ${cmd.ip}`);
        this.requestPortScan([cmd.ip], `hub ${cmd.id}`);
      }
    }
  }

  /** Wake-on-LAN on the agent's LAN (hub command `wake`): the subnet broadcast that holds `ip`, and 255.255.255.255. */
  private async wake(id: string, mac: string, ip: string, port: number): Promise<void> {
    const parsed = parseWakeMac(mac);
    const aim = wakeTargets(ip, this.deps.options.subnets, port);
    if (!parsed.ok || !aim.ok) {
      this.log.warn(
        `hub command ${id}: cannot wake ${mac}: ${parsed.ok ? (aim.ok ? '' : aim.message) : parsed.message}`,
      );
      return;
    }
    const sent = await (this.deps.wakeSender ?? udpWakeSender()).send(magicPacket(parsed.bytes), aim.targets);
    const ok = sent.filter((s) => s.ok).map((s) => `${s.address}:${s.port}`);
    if (ok.length) this.log.info(`hub command ${id}: magic packet for ${mac} sent to ${ok.join(' and ')}`);
    else
      this.log.warn(
        `hub command ${id}: the magic packet for ${mac} could not be sent: ${sent.map((s) => `${s.address}:${s.port} ${s.error ?? 'failed'}`).join(', ')}`,
      );
  }

  heartbeat(): AgentHeartbeat {
    const o = this.deps.options;
    return {
      v: PROTOCOL_VERSION,
      agent: o.agent_id,
      version: this.deps.version.slice(0, 32),
      time: this.deps.clock.now().toISOString(),
      started_at: this.startedAt,
      subnets: o.subnets,
      scanning: this.running !== null,
      last_sweep: this.lastSweep,
      last_error: this.lastError?.slice(0, 500) ?? null,
      queue: { pending: this.outbox.length, max: this.outbox.max, dropped: this.outbox.dropped },
      interval_s: o.heartbeat_interval,
      results_total: this.produced,
    };
  }

  private publishHeartbeat(): void {
    const c = this.client;
    if (!c?.connected) return;
    c.publishAsync(this.topics.heartbeat, JSON.stringify(this.heartbeat()), { qos: 1, retain: true }).catch(
      () => {},
    );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.portTask?.stop();
    this.jobs.length = 0;
    this.abort?.abort();
    await this.whenIdle();
    const c = this.client;
    if (c) {
      try {
        if (c.connected) await c.publishAsync(this.topics.status, 'offline', { qos: 1, retain: true });
      } catch {
        /* the will covers it */
      }
      await c.endAsync().catch(() => {});
    }
  }
}
