/**
 * A fake Home Assistant websocket API (ws on 127.0.0.1:0) that follows Core's protocol as described in
 * shared/reference/ha-reference.md §4.2: auth_required → auth → auth_ok/auth_invalid(+close), supported_features
 * (then coalesced array frames), strictly increasing ids (`id_reuse`), result frames, subscribe/unsubscribe_events,
 * ping/pong, call_service (logged), fire_event, get_states/get_config/get_services, lovelace/info|config and the
 * lovelace resource collection (storage mode only: in YAML mode the write commands are unknown, like Core).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakeServiceCall {
  domain: string;
  service: string;
  service_data: Record<string, unknown>;
  target: Record<string, unknown> | undefined;
  return_response: boolean | undefined;
  time: string;
}

export interface FakeResource {
  id: string;
  type: string;
  url: string;
}

export interface FakeHaOptions {
  token?: string;
  haVersion?: string;
  resourceMode?: 'storage' | 'yaml';
  resources?: FakeResource[];
  /** If set, only these `domain.service` exist; others fail with `not_found` like Core. Default: all exist. */
  services?: string[];
  /** Simulate a non-admin user: lovelace resource commands answer `unauthorized`. */
  admin?: boolean;
  states?: Record<string, unknown>[];
}

interface Sub {
  eventType: string | undefined;
}

interface Client {
  ws: WebSocket;
  authed: boolean;
  lastId: number;
  coalesce: boolean;
  subs: Map<number, Sub>;
  queue: unknown[];
  flushScheduled: boolean;
}

type Msg = Record<string, unknown> & { id: number; type: string };

const RES_TYPES = new Set(['js', 'css', 'module', 'html']);

type Frame = Record<string, unknown>;
const ok = (id: number, result: unknown): Frame => ({ id, type: 'result', success: true, result });
const err = (id: number, code: string, message: string): Frame => ({
  id,
  type: 'result',
  success: false,
  error: { code, message },
});

export class FakeHaServer {
  readonly token: string;
  haVersion: string;
  resourceMode: 'storage' | 'yaml';
  admin: boolean;
  readonly calls: FakeServiceCall[] = [];
  readonly firedEvents: { event_type: string; event_data: Record<string, unknown> }[] = [];
  /** Every command received after auth, in order (auth frames excluded so tokens never leak into assertions). */
  readonly received: Msg[] = [];
  resources: FakeResource[];
  states: Record<string, unknown>[];
  /** Per `domain.service` forced failures: `{code, message}`. */
  readonly serviceFailures = new Map<string, { code: string; message: string }>();
  authAttempts = 0;
  /** Successful authentications so far (grows by one per reconnect). */
  authOk = 0;
  /** How many frames carried a coalesced JSON array (client opted in via supported_features). */
  arrayFrames = 0;
  private readonly services: Set<string> | undefined;
  private readonly clients = new Set<Client>();
  private wss!: WebSocketServer;
  private port = 0;

  private constructor(o: FakeHaOptions) {
    this.token = o.token ?? 'test-token';
    this.haVersion = o.haVersion ?? '2026.8.0';
    this.resourceMode = o.resourceMode ?? 'storage';
    this.admin = o.admin ?? true;
    this.resources = [...(o.resources ?? [])];
    this.states = o.states ?? [];
    this.services = o.services ? new Set(o.services) : undefined;
  }

  static async start(o: FakeHaOptions = {}): Promise<FakeHaServer> {
    const s = new FakeHaServer(o);
    await s.listen();
    return s;
  }

  private listen(): Promise<void> {
    return new Promise((resolve) => {
      this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/websocket' }, () => {
        this.port = (this.wss.address() as AddressInfo).port;
        resolve();
      });
      this.wss.on('connection', (ws) => this.onConnection(ws));
    });
  }

  /** ws://127.0.0.1:<port>/api/websocket */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/api/websocket`;
  }

  /** http://127.0.0.1:<port> (what a user would type as ha_url) */
  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get connectionCount(): number {
    return [...this.clients].filter((c) => c.authed).length;
  }

  /** Number of live event subscriptions (optionally for one event type) across authenticated connections. */
  subscriptionCount(eventType?: string): number {
    let n = 0;
    for (const c of this.clients)
      for (const s of c.subs.values()) if (eventType === undefined || s.eventType === eventType) n++;
    return n;
  }

  /** Fire an event on the bus: delivered to every matching subscription (and the match-all ones). */
  fireEvent(eventType: string, data: Record<string, unknown> = {}): void {
    const event = {
      event_type: eventType,
      data,
      origin: 'LOCAL',
      time_fired: new Date().toISOString(),
      context: { id: randomBytes(13).toString('hex').toUpperCase(), parent_id: null, user_id: null },
    };
    for (const c of this.clients) {
      if (!c.authed) continue;
      for (const [id, sub] of c.subs) {
        if (sub.eventType === undefined || sub.eventType === eventType)
          this.send(c, { id, type: 'event', event });
      }
    }
  }

  /** Kill every socket abruptly (no close handshake), like a Core restart or a proxy drop. */
  dropAllConnections(): void {
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
  }

  async close(): Promise<void> {
    this.dropAllConnections();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** Resolve once `pred()` holds (polls every 10 ms) or reject after `ms`. */
  async waitFor(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`fake HA: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private onConnection(ws: WebSocket): void {
    const c: Client = {
      ws,
      authed: false,
      lastId: 0,
      coalesce: false,
      subs: new Map(),
      queue: [],
      flushScheduled: false,
    };
    this.clients.add(c);
    ws.on('close', () => this.clients.delete(c));
    ws.on('error', () => this.clients.delete(c));
    ws.send(JSON.stringify({ type: 'auth_required', ha_version: this.haVersion }));
    ws.on('message', (raw) => {
      let msg: unknown;
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        msg = undefined;
      }
      if (!c.authed) return this.onAuth(c, msg);
      this.send(c, this.onCommand(c, msg));
    });
  }

  private onAuth(c: Client, msg: unknown): void {
    const m = msg as { type?: unknown; access_token?: unknown } | undefined;
    this.authAttempts++;
    if (m?.type !== 'auth' || typeof m.access_token !== 'string') {
      c.ws.send(
        JSON.stringify({
          type: 'auth_invalid',
          message: 'Auth message incorrectly formatted: expected auth',
        }),
      );
      c.ws.close();
      return;
    }
    if (m.access_token !== this.token) {
      c.ws.send(JSON.stringify({ type: 'auth_invalid', message: 'Invalid access token or password' }));
      c.ws.close();
      return;
    }
    c.authed = true;
    this.authOk++;
    c.ws.send(JSON.stringify({ type: 'auth_ok', ha_version: this.haVersion }));
  }

  private onCommand(c: Client, raw: unknown): Frame {
    const m = raw as Partial<Msg> | undefined;
    if (!m || typeof m !== 'object' || typeof m.id !== 'number' || typeof m.type !== 'string') {
      const id = m && typeof m.id === 'number' ? m.id : null;
      return {
        id,
        type: 'result',
        success: false,
        error: { code: 'invalid_format', message: 'Message incorrectly formatted.' },
      };
    }
    const msg = m as Msg;
    if (msg.id <= c.lastId) {
      return err(msg.id, 'id_reuse', 'Identifier values have to increase.');
    }
    c.lastId = msg.id;
    this.received.push(msg);
    if (msg.type.startsWith('supervisor/') || msg.type.startsWith('hassio/')) {
      return err(msg.id, 'unauthorized', 'Unauthorized');
    }
    switch (msg.type) {
      case 'supported_features': {
        const f = msg.features as Record<string, unknown> | undefined;
        c.coalesce = f?.coalesce_messages === 1;
        return ok(msg.id, null);
      }
      case 'ping':
        return { id: msg.id, type: 'pong' };
      case 'subscribe_events': {
        const et = typeof msg.event_type === 'string' ? msg.event_type : undefined;
        c.subs.set(msg.id, { eventType: et });
        return ok(msg.id, null);
      }
      case 'unsubscribe_events': {
        const sid = msg.subscription;
        if (typeof sid === 'number' && c.subs.delete(sid)) return ok(msg.id, null);
        return err(msg.id, 'not_found', 'Subscription not found.');
      }
      case 'call_service':
        return this.onCallService(msg);
      case 'fire_event': {
        const et = String(msg.event_type ?? '');
        const data = (msg.event_data as Record<string, unknown> | undefined) ?? {};
        this.firedEvents.push({ event_type: et, event_data: data });
        setImmediate(() => this.fireEvent(et, data));
        return ok(msg.id, { context: this.context() });
      }
      case 'get_states':
        return ok(msg.id, this.states);
      case 'get_config':
        return ok(msg.id, { version: this.haVersion, location_name: 'Fake Home', time_zone: 'UTC' });
      case 'get_services': {
        const out: Record<string, Record<string, unknown>> = {};
        for (const s of this.services ?? []) {
          const [d = '', sv = ''] = s.split('.');
          out[d] ??= {};
          out[d][sv] = { name: sv, description: '', fields: {} };
        }
        return ok(msg.id, out);
      }
      case 'lovelace/info':
        return ok(msg.id, { resource_mode: this.resourceMode });
      case 'lovelace/config':
        if (this.resourceMode === 'yaml') return ok(msg.id, { title: 'Home', views: [] });
        return err(msg.id, 'config_not_found', 'No config found.');
      case 'lovelace/resources':
        if (!this.admin) return err(msg.id, 'unauthorized', 'Unauthorized');
        return ok(
          msg.id,
          this.resources.map((r) => ({ ...r })),
        );
      case 'lovelace/resources/create':
      case 'lovelace/resources/update':
      case 'lovelace/resources/delete':
        // Core registers these only for the storage collection: in YAML mode they do not exist.
        if (this.resourceMode === 'yaml') return err(msg.id, 'unknown_command', 'Unknown command.');
        if (!this.admin) return err(msg.id, 'unauthorized', 'Unauthorized');
        return this.onResource(msg);
      default:
        return err(msg.id, 'unknown_command', 'Unknown command.');
    }
  }

  private onCallService(msg: Msg): Frame {
    const domain = String(msg.domain ?? '');
    const service = String(msg.service ?? '');
    const key = `${domain}.${service}`;
    if (this.services && !this.services.has(key)) {
      return err(msg.id, 'not_found', `Action ${key} not found.`);
    }
    const failure = this.serviceFailures.get(key);
    if (failure) return err(msg.id, failure.code, failure.message);
    this.calls.push({
      domain,
      service,
      service_data: (msg.service_data as Record<string, unknown> | undefined) ?? {},
      target: msg.target as Record<string, unknown> | undefined,
      return_response: msg.return_response as boolean | undefined,
      time: new Date().toISOString(),
    });
    return ok(msg.id, { context: this.context(), response: null });
  }

  private onResource(msg: Msg): Frame {
    const validUrl = (u: unknown): u is string => typeof u === 'string' && u.length > 0;
    const validType = (t: unknown): t is string => typeof t === 'string' && RES_TYPES.has(t);
    if (msg.type === 'lovelace/resources/create') {
      if (!validUrl(msg.url) || !validType(msg.res_type)) {
        return err(msg.id, 'invalid_format', "required key not provided @ data['url'] or bad res_type");
      }
      const item = { id: randomBytes(16).toString('hex'), type: msg.res_type, url: msg.url };
      this.resources.push(item);
      return ok(msg.id, { ...item });
    }
    const id = msg.resource_id;
    const item = this.resources.find((r) => r.id === id);
    if (!item) return err(msg.id, 'not_found', `Unable to find resource_id ${String(id)}`);
    if (msg.type === 'lovelace/resources/delete') {
      this.resources = this.resources.filter((r) => r !== item);
      return ok(msg.id, null);
    }
    if (msg.url !== undefined && !validUrl(msg.url)) return err(msg.id, 'invalid_format', 'bad url');
    if (msg.res_type !== undefined && !validType(msg.res_type))
      return err(msg.id, 'invalid_format', 'bad res_type');
    if (validUrl(msg.url)) item.url = msg.url;
    if (validType(msg.res_type)) item.type = msg.res_type;
    return ok(msg.id, { ...item });
  }

  private context() {
    return { id: randomBytes(13).toString('hex').toUpperCase(), parent_id: null, user_id: 'fake-admin' };
  }

  /** Like Core: queue, then flush; with coalesce_messages several pending messages go out as one JSON array. */
  private send(c: Client, msg: unknown): void {
    c.queue.push(msg);
    if (c.flushScheduled) return;
    c.flushScheduled = true;
    setImmediate(() => {
      c.flushScheduled = false;
      const batch = c.queue.splice(0);
      if (c.ws.readyState !== c.ws.OPEN || batch.length === 0) return;
      if (c.coalesce && batch.length > 1) {
        this.arrayFrames++;
        c.ws.send(JSON.stringify(batch));
      } else for (const m of batch) c.ws.send(JSON.stringify(m));
    });
  }
}
