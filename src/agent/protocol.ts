/**
 * The satellite protocol (DESIGN §16), pure: topics, payload schemas, the wire form of a ScanResult and
 * its chunking. Everything an agent sends is hostile to the hub: every payload is validated here with zod
 * and bounded before any of it is used; nothing in it is ever executed.
 *
 * Topics (`<base>` = base_topic, `<id>` = agent id):
 *   <base>/agent/<id>/status     agent → hub  retained `online` | `offline` (the agent's LWT)
 *   <base>/agent/<id>/heartbeat  agent → hub  retained JSON AgentHeartbeat
 *   <base>/agent/<id>/result     agent → hub  QoS 1 chunks: one JSON header line, "\n", a slice of the body
 *   <base>/agent/<id>/cmd        hub → agent  QoS 1 JSON AgentCommand
 *   <base>/agent/<id>/ack        hub → agent  QoS 1 JSON AgentAck (result ingested or refused for good)
 * The body of a result is gzip(JSON WireScanResult); its sha256 is in every chunk header.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { ScanHost, ScanResult } from '../scan/types.js';

export const PROTOCOL_VERSION = 1;
/** Each MQTT message of a result stays under this (DESIGN §16: chunked under 256 KiB). */
export const MAX_CHUNK_BYTES = 256 * 1024;
/** Body bytes per chunk: leaves room for the header line. */
export const CHUNK_BODY_BYTES = 240 * 1024;
/** A result body (compressed) may have at most this many chunks. */
export const MAX_CHUNKS = 64;
/** Decompressed JSON bound (zip bombs). */
export const MAX_RESULT_JSON_BYTES = 64 * 1024 * 1024;
export const MAX_HOSTS = 65_536;

/** Agent ids are topic segments and HA id parts: lowercase letters, digits, `_`, `-`. */
export const AGENT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const agentIdSchema = z.string().regex(AGENT_ID_PATTERN, {
  message: 'must be 1-32 characters of a-z, 0-9, "_" or "-", starting with a letter or digit (e.g. "iot")',
});
/** Result ids: chosen by the agent, unique per agent. */
const RESULT_ID = /^[A-Za-z0-9_-]{8,64}$/;

export interface AgentTopics {
  status: string;
  heartbeat: string;
  result: string;
  cmd: string;
  ack: string;
}

export function agentTopics(base: string, id: string): AgentTopics {
  const root = `${base}/agent/${id}`;
  return {
    status: `${root}/status`,
    heartbeat: `${root}/heartbeat`,
    result: `${root}/result`,
    cmd: `${root}/cmd`,
    ack: `${root}/ack`,
  };
}

export type AgentTopicKind = 'status' | 'heartbeat' | 'result';

/** `<base>/agent/<id>/<kind>` → {id, kind}; null for anything else (including ids that are not valid). */
export function parseAgentTopic(base: string, topic: string): { id: string; kind: AgentTopicKind } | null {
  const prefix = `${base}/agent/`;
  if (!topic.startsWith(prefix)) return null;
  const rest = topic.slice(prefix.length).split('/');
  if (rest.length !== 2) return null;
  const [id, kind] = rest as [string, string];
  if (!AGENT_ID_PATTERN.test(id)) return null;
  if (kind !== 'status' && kind !== 'heartbeat' && kind !== 'result') return null;
  return { id, kind };
}

// --- ScanResult on the wire -------------------------------------------------------------------------

const str = (max: number) => z.string().max(max);
const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, 'an IPv4 address');
const target = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(\/(3[0-2]|[12]?\d))?$/,
    'an IPv4 address or CIDR',
  );
const isoTime = z.string().datetime({ offset: true });

const wireService = z
  .object({
    name: str(128).optional(),
    product: str(256).optional(),
    version: str(128).optional(),
    extrainfo: str(256).optional(),
    ostype: str(128).optional(),
    devicetype: str(128).optional(),
    tunnel: str(32).optional(),
    method: str(32).optional(),
    conf: z.number().int().min(0).max(10).optional(),
    cpe: z.array(str(256)).max(32),
  })
  .strict();

const wirePort = z
  .object({
    protocol: z.enum(['tcp', 'udp']),
    port: z.number().int().min(1).max(65535),
    state: str(32),
    service: wireService.optional(),
  })
  .strict();

const wireHost = z
  .object({
    ip: ipv4,
    mac: z
      .string()
      .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'a lowercase MAC aa:bb:cc:dd:ee:ff')
      .optional(),
    nmapVendor: str(256).optional(),
    hostnames: z.array(str(253)).max(16),
    status: z.enum(['up', 'down']),
    reason: str(64).optional(),
    ports: z.array(wirePort).max(70_000),
    portsScanned: z.boolean(),
    timedOut: z.boolean().optional(),
  })
  .strict();

export const wireScanResultSchema = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    agent: agentIdSchema,
    id: z.string().regex(RESULT_ID),
    kind: z.enum(['sweep', 'ports']),
    /** why the agent ran it: schedule, a hub command (its id), new device */
    reason: str(128),
    targets: z.array(target).min(1).max(256),
    startedAt: isoTime,
    finishedAt: isoTime,
    nmapVersion: str(64).optional(),
    hosts: z.array(wireHost).max(MAX_HOSTS),
    hostsUp: z
      .number()
      .int()
      .min(0)
      .max(1 << 24),
    hostsTotal: z
      .number()
      .int()
      .min(0)
      .max(1 << 24),
  })
  .strict();
export type WireScanResult = z.infer<typeof wireScanResultSchema>;

/** A ScanResult in wire form (plain JSON; the argv string is not sent: the hub never needs it). */
export function toWire(agent: string, id: string, reason: string, r: ScanResult): WireScanResult {
  const hosts = r.hosts.map((h) => {
    const o: WireScanResult['hosts'][number] = {
      ip: h.ip,
      hostnames: h.hostnames.slice(0, 16),
      status: h.status,
      ports: h.ports.map((p) => ({
        protocol: p.protocol,
        port: p.port,
        state: p.state,
        ...(p.service ? { service: { ...p.service, cpe: p.service.cpe.slice(0, 32) } } : {}),
      })),
      portsScanned: h.portsScanned,
    };
    if (h.mac) o.mac = h.mac;
    if (h.nmapVendor) o.nmapVendor = h.nmapVendor;
    if (h.reason) o.reason = h.reason;
    if (h.timedOut) o.timedOut = true;
    return o;
  });
  return {
    v: PROTOCOL_VERSION,
    agent,
    id,
    kind: r.kind,
    reason: reason.slice(0, 128),
    targets: r.targets,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt.toISOString(),
    ...(r.nmapVersion ? { nmapVersion: r.nmapVersion.slice(0, 64) } : {}),
    hosts,
    hostsUp: r.hostsUp,
    hostsTotal: r.hostsTotal,
  };
}

export function fromWire(w: WireScanResult): ScanResult {
  const hosts: ScanHost[] = w.hosts.map((h) => {
    const o: ScanHost = {
      ip: h.ip,
      hostnames: h.hostnames,
      status: h.status,
      ports: h.ports.map((p) => {
        const port: ScanHost['ports'][number] = { protocol: p.protocol, port: p.port, state: p.state };
        if (p.service) {
          const s: NonNullable<typeof port.service> = { cpe: p.service.cpe };
          for (const k of [
            'name',
            'product',
            'version',
            'extrainfo',
            'ostype',
            'devicetype',
            'tunnel',
            'method',
          ] as const) {
            const v = p.service[k];
            if (v !== undefined) s[k] = v;
          }
          if (p.service.conf !== undefined) s.conf = p.service.conf;
          port.service = s;
        }
        return port;
      }),
      portsScanned: h.portsScanned,
    };
    if (h.mac) o.mac = h.mac;
    if (h.nmapVendor) o.nmapVendor = h.nmapVendor;
    if (h.reason) o.reason = h.reason;
    if (h.timedOut) o.timedOut = true;
    return o;
  });
  return {
    kind: w.kind,
    targets: w.targets,
    startedAt: new Date(w.startedAt),
    finishedAt: new Date(w.finishedAt),
    ...(w.nmapVersion ? { nmapVersion: w.nmapVersion } : {}),
    hosts,
    hostsUp: w.hostsUp,
    hostsTotal: w.hostsTotal,
  };
}

// --- chunks ----------------------------------------------------------------------------------------

export const chunkHeaderSchema = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    agent: agentIdSchema,
    rid: z.string().regex(RESULT_ID),
    kind: z.enum(['sweep', 'ports']),
    seq: z
      .number()
      .int()
      .min(0)
      .max(MAX_CHUNKS - 1),
    total: z.number().int().min(1).max(MAX_CHUNKS),
    /** bytes of the whole (compressed) body */
    size: z
      .number()
      .int()
      .min(1)
      .max(MAX_CHUNKS * CHUNK_BODY_BYTES),
    /** sha256 hex of the whole body */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict()
  .refine((h) => h.seq < h.total, { message: 'seq must be below total' });
export type ChunkHeader = z.infer<typeof chunkHeaderSchema>;

export interface EncodedResult {
  rid: string;
  kind: 'sweep' | 'ports';
  /** the MQTT payloads, in order */
  chunks: Buffer[];
  /** JSON bytes before compression */
  jsonBytes: number;
  /** compressed body bytes */
  bodyBytes: number;
}

/** Serialises, compresses and chunks one result. Throws when it cannot fit MAX_CHUNKS chunks. */
export function encodeResult(w: WireScanResult, chunkBodyBytes = CHUNK_BODY_BYTES): EncodedResult {
  const json = Buffer.from(JSON.stringify(w));
  const body = gzipSync(json, { level: 6 });
  const total = Math.max(1, Math.ceil(body.length / chunkBodyBytes));
  if (total > MAX_CHUNKS)
    throw new Error(`result ${w.id} is ${body.length} bytes compressed: more than ${MAX_CHUNKS} chunks`);
  const sha256 = createHash('sha256').update(body).digest('hex');
  const chunks: Buffer[] = [];
  for (let seq = 0; seq < total; seq++) {
    const header: ChunkHeader = {
      v: PROTOCOL_VERSION,
      agent: w.agent,
      rid: w.id,
      kind: w.kind,
      seq,
      total,
      size: body.length,
      sha256,
    };
    chunks.push(
      Buffer.concat([
        Buffer.from(`${JSON.stringify(header)}\n`),
        body.subarray(seq * chunkBodyBytes, (seq + 1) * chunkBodyBytes),
      ]),
    );
  }
  return { rid: w.id, kind: w.kind, chunks, jsonBytes: json.length, bodyBytes: body.length };
}

export type ChunkParse = { ok: true; header: ChunkHeader; body: Buffer } | { ok: false; error: string };

export function parseChunk(payload: Buffer): ChunkParse {
  if (payload.length > MAX_CHUNK_BYTES)
    return { ok: false, error: `chunk of ${payload.length} bytes exceeds ${MAX_CHUNK_BYTES}` };
  const nl = payload.indexOf(0x0a);
  if (nl < 0 || nl > 1024) return { ok: false, error: 'no header line (JSON, then a newline)' };
  let raw: unknown;
  try {
    raw = JSON.parse(payload.subarray(0, nl).toString('utf8'));
  } catch {
    return { ok: false, error: 'header is not JSON' };
  }
  if (raw && typeof raw === 'object' && 'v' in raw && (raw as { v: unknown }).v !== PROTOCOL_VERSION)
    return {
      ok: false,
      error: `protocol version ${String((raw as { v: unknown }).v)} is not supported (this hub speaks ${PROTOCOL_VERSION})`,
    };
  const h = chunkHeaderSchema.safeParse(raw);
  if (!h.success) return { ok: false, error: `bad header: ${describeIssues(h.error)}` };
  return { ok: true, header: h.data, body: payload.subarray(nl + 1) };
}

/** Decompresses (bounded), parses and validates a complete body. */
export function decodeBody(
  body: Buffer,
): { ok: true; result: WireScanResult } | { ok: false; error: string } {
  let json: Buffer;
  try {
    json = gunzipSync(body, { maxOutputLength: MAX_RESULT_JSON_BYTES });
  } catch (err) {
    return { ok: false, error: `body does not decompress: ${(err as Error).message}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch {
    return { ok: false, error: 'body is not JSON' };
  }
  const r = wireScanResultSchema.safeParse(raw);
  if (!r.success) return { ok: false, error: `bad result: ${describeIssues(r.error)}` };
  return { ok: true, result: r.data };
}

export function describeIssues(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

export function sha256Hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

// --- heartbeat, commands, acks ------------------------------------------------------------------------

export const heartbeatSchema = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    agent: agentIdSchema,
    version: str(32),
    time: isoTime,
    started_at: isoTime,
    subnets: z.array(target).max(32),
    scanning: z.boolean(),
    last_sweep: isoTime.nullable(),
    last_error: str(500).nullable(),
    queue: z
      .object({
        pending: z.number().int().min(0).max(1_000_000),
        max: z.number().int().min(1).max(1_000_000),
        dropped: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      })
      .strict(),
    interval_s: z.number().int().min(1).max(3600),
    /** results this agent produced since it started (acknowledged + pending + dropped) */
    results_total: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  })
  .strict();
export type AgentHeartbeat = z.infer<typeof heartbeatSchema>;

export const commandSchema = z.discriminatedUnion('command', [
  z.object({ v: z.literal(PROTOCOL_VERSION), id: str(64), command: z.literal('scan_now') }).strict(),
  z
    .object({
      v: z.literal(PROTOCOL_VERSION),
      id: str(64),
      command: z.literal('deep_scan'),
      /** an IPv4 inside the agent's subnets */
      ip: ipv4,
    })
    .strict(),
  z
    .object({
      v: z.literal(PROTOCOL_VERSION),
      id: str(64),
      /** Wake-on-LAN of a device only this agent sees (its VLAN): the agent sends the magic packet on its LAN */
      command: z.literal('wake'),
      mac: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'a lowercase MAC aa:bb:cc:dd:ee:ff'),
      /** the device's last IPv4, inside the agent's subnets: its subnet's broadcast address is the target */
      ip: ipv4,
      /** UDP port of the magic packet (the hub's wol_port) */
      port: z.union([z.literal(7), z.literal(9)]),
    })
    .strict(),
]);
export type AgentCommand = z.infer<typeof commandSchema>;

export const ackSchema = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    rid: z.string().regex(RESULT_ID),
    status: z.enum(['ingested', 'duplicate', 'refused']),
    reason: str(300).optional(),
  })
  .strict();
export type AgentAck = z.infer<typeof ackSchema>;

export function parseJson<T>(
  schema: z.ZodType<T>,
  payload: Buffer,
  maxBytes = 16 * 1024,
): { ok: true; value: T } | { ok: false; error: string } {
  if (payload.length > maxBytes) return { ok: false, error: `payload over ${maxBytes} bytes` };
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: describeIssues(r.error) };
}
