/**
 * Webhook delivery in the Standard Webhooks format (DESIGN §8): JSON POST with
 * `webhook-id` (the same for every attempt of one delivery, so receivers can de-duplicate),
 * `webhook-timestamp` (unix seconds of the attempt) and `webhook-signature` = `v1,` + base64
 * HMAC-SHA256 of `<id>.<timestamp>.<body>`, so receivers can reject replays. The key is the secret's
 * bytes: base64 after `whsec_` for secrets in that form (the generated ones), else the secret's UTF-8
 * bytes (verify with `new Webhook(secret, { format: 'raw' })` of the standardwebhooks package).
 * The older `X-LAN-Sentinel-Signature: sha256=<hex of HMAC(body)>` header is still sent.
 * 5 s timeout per attempt, up to 3 retries with exponential backoff (base, 2×base, 4×base; base 1 s) on
 * network errors, timeouts, 408, 429 and 5xx, then it gives up. Every request goes through the target
 * policy (webhookTarget.ts) after DNS resolution, and again for each redirect (at most 3 are followed);
 * a refused target is not retried. Every attempt is written to the delivery log.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Webhook, WebhookDelivery } from '../store/webhooksRepo.js';
import type { Clock } from '../util/clock.js';
import type { WebhookPayload } from './types.js';
import { defaultPort, RefusedTargetError, resolveTarget, type TargetPolicy } from './webhookTarget.js';

export const SIGNATURE_HEADER = 'X-LAN-Sentinel-Signature';
export const TIMESTAMP_HEADER = 'X-LAN-Sentinel-Timestamp';
export const DELIVERY_HEADER = 'X-LAN-Sentinel-Delivery';
export const EVENT_HEADER = 'X-LAN-Sentinel-Event';
export const SW_ID_HEADER = 'webhook-id';
export const SW_TIMESTAMP_HEADER = 'webhook-timestamp';
export const SW_SIGNATURE_HEADER = 'webhook-signature';
export const MAX_REDIRECTS = 3;
const SECRET_PREFIX = 'whsec_';

/** The HMAC key of a secret (see the module comment). */
export function signingKey(secret: string): Buffer {
  if (secret.startsWith(SECRET_PREFIX)) {
    const raw = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
    if (raw.length > 0) return raw;
  }
  return Buffer.from(secret, 'utf8');
}

/** `v1,<base64>` over `<id>.<timestamp>.<body>`. */
export function standardSignature(secret: string, id: string, timestamp: string, body: string): string {
  const mac = createHmac('sha256', signingKey(secret))
    .update(`${id}.${timestamp}.${body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

/** A new secret in the Standard Webhooks form. */
export function generateWebhookSecret(random: Buffer): string {
  return `${SECRET_PREFIX}${random.toString('base64')}`;
}

export interface DeliveryOptions {
  timeoutMs?: number;
  retries?: number;
  baseDelayMs?: number;
  clock: Clock;
  log: (d: Omit<WebhookDelivery, 'id'>) => void;
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
  /** where a webhook may not go; without it only link-local and unspecified addresses are refused */
  policy?: TargetPolicy;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  statusCode: number | null;
  error: string | null;
  deliveryId: string;
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

const NO_OWN_PORTS: TargetPolicy = { ownPorts: () => new Set<number>() };

interface Answer {
  status: number;
  location: string | null;
}

/** One POST to exactly the checked address (the lookup is pinned), no redirect following. */
function postOnce(
  url: URL,
  address: { address: string; family: 4 | 6 },
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Answer> {
  const lookup: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: unknown[]) => void)(null, [address]);
    else cb(null, address.address, address.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolveAnswer, reject) => {
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { name: 'TimeoutError' }));
    }, timeoutMs);
    const req = send(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: defaultPort(url),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup,
        ...(url.username
          ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }
          : {}),
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => clearTimeout(timer));
        res.on('error', () => clearTimeout(timer));
        const location = res.headers.location;
        resolveAnswer({
          status: res.statusCode ?? 0,
          location: typeof location === 'string' ? location : null,
        });
      },
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

/** POST with the target policy on every hop, following up to MAX_REDIRECTS redirects. */
async function post(
  urlText: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  policy: TargetPolicy,
): Promise<number> {
  let url = new URL(urlText);
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new RefusedTargetError(`webhook redirect refused: ${url.protocol} is not http or https`);
    const address = await resolveTarget(url, policy);
    const a = await postOnce(url, address, body, headers, timeoutMs);
    if (![301, 302, 303, 307, 308].includes(a.status) || !a.location) return a.status;
    if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    url = new URL(a.location, url);
  }
}

export async function deliverWebhook(
  hook: Webhook,
  payload: WebhookPayload,
  o: DeliveryOptions,
): Promise<DeliveryResult> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const retries = o.retries ?? 3;
  const base = o.baseDelayMs ?? 1000;
  const policy = o.policy ?? NO_OWN_PORTS;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const body = JSON.stringify(payload);
  const deliveryId = `msg_${randomUUID()}`;
  let last: DeliveryResult = { ok: false, attempts: 0, statusCode: null, error: 'not attempted', deliveryId };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) await sleep(base * 2 ** (attempt - 2));
    const started = Date.now();
    const ts = Math.floor(o.clock.now().getTime() / 1000).toString();
    let statusCode: number | null = null;
    let error: string | null = null;
    let refused = false;
    try {
      statusCode = await post(
        hook.url,
        body,
        {
          'Content-Type': 'application/json',
          'User-Agent': o.userAgent ?? 'LAN-Sentinel-Webhook',
          [SW_ID_HEADER]: deliveryId,
          [SW_TIMESTAMP_HEADER]: ts,
          [SW_SIGNATURE_HEADER]: standardSignature(hook.secret, deliveryId, ts, body),
          [SIGNATURE_HEADER]: signBody(hook.secret, body),
          [TIMESTAMP_HEADER]: ts,
          [DELIVERY_HEADER]: deliveryId,
          [EVENT_HEADER]: payload.event_type,
        },
        timeoutMs,
        policy,
      );
      if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
    } catch (err) {
      const e = err as Error & { code?: string };
      refused = e instanceof RefusedTargetError;
      error =
        e.name === 'TimeoutError'
          ? `timed out after ${timeoutMs} ms`
          : `${e.message}${e.code && !e.message.includes(e.code) ? ` (${e.code})` : ''}`;
    }
    const ok = error === null;
    o.log({
      webhookId: hook.id,
      deliveryId,
      eventType: payload.event_type,
      attempt,
      time: o.clock.now().toISOString(),
      ok,
      statusCode,
      error,
      durationMs: Date.now() - started,
    });
    last = { ok, attempts: attempt, statusCode, error, deliveryId };
    if (ok || refused) return last;
    if (statusCode !== null && !retryable(statusCode)) return last;
  }
  return last;
}
