/**
 * MQTT publisher on mqtt.js 5 with the availability/retain discipline HA expects (DESIGN §7, engineering 2.1):
 * LWT `<base>/status` = `offline` (retained, QoS 1), `online` retained on every connect, retained payload dedup,
 * bounded latest-value buffering while disconnected (flushed on reconnect), explicit resubscribe, and a clean
 * close that publishes `offline` itself (a clean DISCONNECT discards the will).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import { publishTopicProblem, topicMatches } from './topics.js';

export type QoS = 0 | 1 | 2;
export type PublishOutcome = 'sent' | 'deduped' | 'buffered' | 'refused' | 'failed';

export interface PublishOptions {
  retain?: boolean;
  /** default: 1 when retained, else 0 */
  qos?: QoS;
  /** bypass the "unchanged retained payload" dedup (HA birth republish) */
  force?: boolean;
}

export interface MessageMeta {
  retain: boolean;
}
export type MessageHandler = (topic: string, payload: Buffer, meta: MessageMeta) => void;

export interface MqttPublisherOptions {
  url: string;
  username?: string;
  password?: string;
  /** availability topic, e.g. `lan_sentinel/status` */
  statusTopic: string;
  logger?: Logger;
  clientId?: string;
  /** seconds, default 30 */
  keepalive?: number;
  /** ms between reconnect attempts, default 2000 */
  reconnectPeriod?: number;
  /** ms, default 10000 */
  connectTimeout?: number;
  protocolVersion?: 4 | 5;
  /** TLS: verify the broker certificate (default true) */
  rejectUnauthorized?: boolean;
  /** retained topics remembered while disconnected (latest payload each), default 20000 */
  maxPendingRetained?: number;
  /** non-retained messages (events) kept while disconnected, oldest dropped first, default 100 */
  maxPendingEvents?: number;
}

export interface PublisherStats {
  sent: number;
  deduped: number;
  buffered: number;
  refused: number;
  failed: number;
  droppedRetained: number;
  droppedEvents: number;
  connects: number;
}

interface Pending {
  payload: string;
  qos: QoS;
}

/** Host part of a broker URL, for logs (never credentials). */
export function brokerLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return '(invalid url)';
  }
}

export class MqttPublisher {
  private client: MqttClient | null = null;
  private readonly log: Logger;
  private readonly lastSent = new Map<string, string>();
  private readonly pendingRetained = new Map<string, Pending>();
  private readonly pendingEvents: Array<{ topic: string } & Pending> = [];
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private readonly connectListeners = new Set<() => void | Promise<void>>();
  private closing = false;
  private lastError = '';
  private wasConnected = false;
  readonly stats: PublisherStats = {
    sent: 0,
    deduped: 0,
    buffered: 0,
    refused: 0,
    failed: 0,
    droppedRetained: 0,
    droppedEvents: 0,
    connects: 0,
  };

  constructor(private readonly opts: MqttPublisherOptions) {
    this.log = (opts.logger ?? silentLogger).child('mqtt');
    const problem = publishTopicProblem(opts.statusTopic);
    if (problem) throw new Error(`mqtt: status topic "${opts.statusTopic}" is invalid: ${problem}`);
  }

  get connected(): boolean {
    return this.client?.connected === true && !this.closing;
  }

  /** Starts connecting (and reconnecting forever). Never throws for an unreachable broker. */
  start(): void {
    if (this.client) return;
    const o = this.opts;
    const options: IClientOptions = {
      clientId: o.clientId ?? `lan_sentinel_${Math.random().toString(16).slice(2, 10)}`,
      keepalive: o.keepalive ?? 30,
      reconnectPeriod: o.reconnectPeriod ?? 2000,
      connectTimeout: o.connectTimeout ?? 10_000,
      protocolVersion: o.protocolVersion ?? 4,
      clean: true,
      resubscribe: false,
      queueQoSZero: false,
      // no mqtt-packet number cache: 65,536 two-byte Buffers (~6 MB of heap, resident for good) for message ids
      // it can write as cheaply on the fly (issue 18: idle memory)
      writeCache: false,
      rejectUnauthorized: o.rejectUnauthorized ?? true,
      will: { topic: o.statusTopic, payload: Buffer.from('offline'), retain: true, qos: 1 },
    };
    if (o.username !== undefined && o.username !== '') options.username = o.username;
    if (o.password !== undefined && o.password !== '') options.password = o.password;
    const client = mqtt.connect(o.url, options);
    this.client = client;
    client.on('connect', (connack) => {
      void this.onConnected(client, connack.sessionPresent === true);
    });
    client.on('message', (topic, payload, packet) =>
      this.dispatch(topic, payload, { retain: packet.retain === true }),
    );
    client.on('error', (err) => {
      if (err.message !== this.lastError) {
        this.lastError = err.message;
        this.log.error(`broker ${brokerLabel(o.url)}: ${err.message}`);
      }
    });
    client.on('close', () => {
      if (this.wasConnected && !this.closing)
        this.log.warn(`lost connection to ${brokerLabel(o.url)}; reconnecting`);
      this.wasConnected = false;
    });
  }

  /** Resolves once connected; rejects after `timeoutMs`. */
  waitConnected(timeoutMs = 10_000): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`mqtt: not connected to ${brokerLabel(this.opts.url)} after ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onConnect(() => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /** Called after every (re)connect, once `online`, resubscriptions and buffered messages went out. */
  onConnect(cb: () => void | Promise<void>): () => void {
    this.connectListeners.add(cb);
    return () => this.connectListeners.delete(cb);
  }

  private async onConnected(client: MqttClient, sessionPresent: boolean): Promise<void> {
    if (client !== this.client || this.closing) return;
    this.stats.connects++;
    this.wasConnected = true;
    this.lastError = '';
    this.log.info(`connected to ${brokerLabel(this.opts.url)}`);
    // The broker may have lost retained messages (no persistence): forget what we think it holds.
    if (!sessionPresent) this.lastSent.clear();
    const sends: Array<Promise<PublishOutcome>> = [];
    sends.push(this.send(this.opts.statusTopic, 'online', { retain: true, qos: 1 }));
    const filters = [...this.handlers.keys()];
    if (filters.length > 0) {
      try {
        await client.subscribeAsync(filters, { qos: 1 });
      } catch (err) {
        this.log.error(`resubscribe failed: ${(err as Error).message}`);
      }
    }
    const retained = [...this.pendingRetained.entries()];
    this.pendingRetained.clear();
    for (const [topic, p] of retained) {
      this.lastSent.set(topic, p.payload);
      sends.push(this.send(topic, p.payload, { retain: true, qos: p.qos }));
    }
    const events = this.pendingEvents.splice(0);
    for (const e of events) sends.push(this.send(e.topic, e.payload, { retain: false, qos: e.qos }));
    if (retained.length + events.length > 0) {
      this.log.info(
        `flushed ${retained.length} retained and ${events.length} event messages buffered while offline`,
      );
    }
    // listeners run concurrently: one slow listener (a 1,000-device republish) must not delay the others
    const listeners = [...this.connectListeners].map((cb) =>
      Promise.resolve()
        .then(cb)
        .catch((err: Error) => this.log.error(`connect listener failed: ${err.message}`)),
    );
    await Promise.all([...sends, ...listeners]);
  }

  /**
   * Publishes a message. Invalid topics (wildcards, NUL, empty levels) are refused and logged, never thrown.
   * Retained payloads equal to the last one sent on that topic are skipped unless `force`.
   * While disconnected: retained → latest payload per topic (bounded); others → small queue, oldest dropped.
   */
  publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<PublishOutcome> {
    const problem = publishTopicProblem(topic);
    if (problem) {
      this.stats.refused++;
      this.log.warn(`refused publish: ${problem}`, { topic: String(topic).slice(0, 120) });
      return Promise.resolve('refused');
    }
    const retain = options.retain ?? false;
    const qos: QoS = options.qos ?? (retain ? 1 : 0);
    const body = typeof payload === 'string' ? payload : payload.toString('utf8');
    if (!this.connected) {
      if (this.closing) return Promise.resolve('failed');
      this.stats.buffered++;
      if (retain) {
        this.pendingRetained.delete(topic);
        this.pendingRetained.set(topic, { payload: body, qos });
        const max = this.opts.maxPendingRetained ?? 20_000;
        while (this.pendingRetained.size > max) {
          const oldest = this.pendingRetained.keys().next().value as string;
          this.pendingRetained.delete(oldest);
          this.stats.droppedRetained++;
        }
      } else {
        this.pendingEvents.push({ topic, payload: body, qos });
        const max = this.opts.maxPendingEvents ?? 100;
        while (this.pendingEvents.length > max) {
          this.pendingEvents.shift();
          this.stats.droppedEvents++;
        }
      }
      return Promise.resolve('buffered');
    }
    if (retain && !options.force && this.lastSent.get(topic) === body) {
      this.stats.deduped++;
      return Promise.resolve('deduped');
    }
    if (retain) this.lastSent.set(topic, body);
    return this.send(topic, body, { retain, qos });
  }

  private send(topic: string, body: string, o: { retain: boolean; qos: QoS }): Promise<PublishOutcome> {
    const client = this.client;
    if (!client) return Promise.resolve('failed');
    return client.publishAsync(topic, body, { retain: o.retain, qos: o.qos }).then(
      () => {
        this.stats.sent++;
        return 'sent' as const;
      },
      (err: Error) => {
        this.stats.failed++;
        if (o.retain) this.lastSent.delete(topic);
        this.log.debug(`publish to ${topic} failed: ${err.message}`);
        return 'failed' as const;
      },
    );
  }

  /** Subscribes `handler` to a topic filter (kept across reconnects). Returns an unsubscribe function. */
  async subscribe(filter: string, handler: MessageHandler): Promise<() => Promise<void>> {
    let set = this.handlers.get(filter);
    const fresh = !set;
    if (!set) {
      set = new Set();
      this.handlers.set(filter, set);
    }
    set.add(handler);
    if (fresh && this.connected && this.client) {
      try {
        await this.client.subscribeAsync(filter, { qos: 1 });
      } catch (err) {
        this.log.error(`subscribe ${filter} failed: ${(err as Error).message}`);
      }
    }
    return async () => {
      const s = this.handlers.get(filter);
      if (!s) return;
      s.delete(handler);
      if (s.size > 0) return;
      this.handlers.delete(filter);
      if (this.connected && this.client) {
        try {
          await this.client.unsubscribeAsync(filter);
        } catch {
          /* connection went away: nothing to undo on a clean session */
        }
      }
    };
  }

  private dispatch(topic: string, payload: Buffer, meta: MessageMeta): void {
    for (const [filter, set] of this.handlers) {
      if (!topicMatches(filter, topic)) continue;
      for (const h of set) {
        try {
          h(topic, payload, meta);
        } catch (err) {
          this.log.error(`handler for ${filter} failed: ${(err as Error).message}`);
        }
      }
    }
  }

  /** Publishes `offline` (retained) then disconnects cleanly. Safe to call twice. */
  async close(timeoutMs = 3000): Promise<void> {
    const client = this.client;
    if (!client || this.closing) return;
    const wasConnected = this.connected;
    this.closing = true;
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]).catch(() => undefined);
    if (wasConnected) {
      await within(client.publishAsync(this.opts.statusTopic, 'offline', { retain: true, qos: 1 }));
      await within(client.endAsync(false));
    }
    if (!client.disconnected) await within(client.endAsync(true));
    this.log.info('disconnected');
  }
}
