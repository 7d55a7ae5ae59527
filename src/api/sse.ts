/**
 * `api/events`: Server-Sent Events from the bus. Events: `change` (ChangeJson), `scan` (SseScanJson),
 * `device` (SseDeviceJson), `finding` (FindingJson), `scanning` ({running}). A comment line every
 * heartbeat period keeps proxies (HA ingress) from closing an idle stream. Every bus listener is removed when
 * the client goes away or the server closes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus } from '../util/events.js';
import type { SseEventName } from '../vocabulary.js';
import { changeJson, deviceJson, findingJson, type Mappers } from './mappers.js';
import type { SseScanJson } from './schemas.js';

export interface SseOptions {
  bus: EventBus;
  heartbeatMs: number;
  now: () => Date;
  mappers: Mappers;
  /** close every open stream (server shutdown) */
  register: (close: () => void) => () => void;
}

/** One SSE frame; data is JSON on a single line, so no newline from hostile text can split a frame. */
export function sseFrame(event: SseEventName, data: unknown, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function streamEvents(request: FastifyRequest, reply: FastifyReply, o: SseOptions): void {
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  let seq = 0;
  const send = (event: SseEventName, data: unknown) => {
    if (!res.writableEnded) res.write(sseFrame(event, data, ++seq));
  };
  res.write(`retry: 3000\n: connected\n\n`);
  const offs = [
    o.bus.on('change', (c) => send('change', changeJson(c))),
    o.bus.on('device:updated', (d) =>
      send('device', { action: 'updated', mac: d.mac, device: deviceJson(d, o.mappers) }),
    ),
    o.bus.on('device:removed', (r) =>
      send('device', {
        action: 'removed',
        mac: r.mac,
        reason: r.reason,
        ...(r.reason === 'merged' ? { into: r.into } : {}),
      }),
    ),
    o.bus.on('finding:updated', (f) => send('finding', findingJson(f, o.mappers))),
    o.bus.on('scanning', (s) => send('scanning', { running: s.running })),
    scanEvents(o.bus, o.now, (e) => send('scan', e)),
  ];
  const heartbeat = setInterval(() => {
    if (!res.writableEnded) res.write(`: ping ${o.now().toISOString()}\n\n`);
  }, o.heartbeatMs);
  heartbeat.unref();

  let closed = false;
  const cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const off of offs) off();
    unregister();
    if (!res.writableEnded) res.end();
  };
  const unregister = o.register(cleanup);
  request.raw.on('close', cleanup);
  res.on('close', cleanup);
  res.on('error', cleanup);
}

/** The `scan` SSE events (started/progress/finished/failed) from the bus; returns the unsubscribe. */
export function scanEvents(bus: EventBus, now: () => Date, cb: (e: SseScanJson) => void): () => void {
  const scan = (s: Omit<SseScanJson, 'time'>) => cb({ ...s, time: now().toISOString() });
  const offs = [
    bus.on('scan:started', (s) =>
      scan({
        phase: 'started',
        scan_id: s.scanId,
        kind: s.kind,
        percent: 0,
        message: s.reason,
        hosts_done: 0,
        hosts_total: null,
        eta_seconds: null,
        hosts_up: null,
        collapsed_into: null,
        changes: null,
        error: null,
      }),
    ),
    bus.on('scan:progress', (s) =>
      scan({
        phase: 'progress',
        scan_id: s.scanId,
        kind: s.kind,
        percent: s.percent,
        message: s.message ?? null,
        hosts_done: s.hostsDone,
        hosts_total: s.hostsTotal,
        eta_seconds: s.etaSeconds,
        hosts_up: null,
        collapsed_into: null,
        changes: null,
        error: null,
      }),
    ),
    bus.on('scan:finished', (s) =>
      scan({
        phase: 'finished',
        scan_id: s.scanId,
        kind: s.kind,
        percent: 100,
        message: null,
        hosts_done: null,
        hosts_total: null,
        eta_seconds: 0,
        hosts_up: s.hostsUp,
        collapsed_into: s.collapsedInto ?? null,
        changes: s.changes,
        error: null,
      }),
    ),
    bus.on('scan:failed', (s) =>
      scan({
        phase: 'failed',
        scan_id: s.scanId,
        kind: s.kind,
        percent: null,
        message: null,
        hosts_done: null,
        hosts_total: null,
        eta_seconds: null,
        hosts_up: null,
        changes: null,
        collapsed_into: null,
        error: s.error,
      }),
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}
