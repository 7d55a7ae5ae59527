/**
 * Webhook delivery: JSON POST, HMAC-SHA256 signature of the raw body with the webhook's secret
 * (`X-LAN-Sentinel-Signature: sha256=<hex>`), a timestamp and delivery id header, 5 s timeout per attempt,
 * up to 3 retries with exponential backoff (base, 2×base, 4×base; base 1 s) on network errors, timeouts,
 * 408, 429 and 5xx. Redirects are not followed. Every attempt is written to the delivery log.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Webhook, WebhookDelivery } from '../store/webhooksRepo.js';
import type { Clock } from '../util/clock.js';
import type { WebhookPayload } from './types.js';

export const SIGNATURE_HEADER = 'X-LAN-Sentinel-Signature';
export const TIMESTAMP_HEADER = 'X-LAN-Sentinel-Timestamp';
export const DELIVERY_HEADER = 'X-LAN-Sentinel-Delivery';
export const EVENT_HEADER = 'X-LAN-Sentinel-Event';

export interface DeliveryOptions {
  timeoutMs?: number;
  retries?: number;
  baseDelayMs?: number;
  clock: Clock;
  log: (d: Omit<WebhookDelivery, 'id'>) => void;
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
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

export async function deliverWebhook(
  hook: Webhook,
  payload: WebhookPayload,
  o: DeliveryOptions,
): Promise<DeliveryResult> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const retries = o.retries ?? 3;
  const base = o.baseDelayMs ?? 1000;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const body = JSON.stringify(payload);
  const deliveryId = randomUUID();
  let last: DeliveryResult = { ok: false, attempts: 0, statusCode: null, error: 'not attempted', deliveryId };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) await sleep(base * 2 ** (attempt - 2));
    const started = Date.now();
    const ts = Math.floor(o.clock.now().getTime() / 1000).toString();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': o.userAgent ?? 'LAN-Sentinel-Webhook',
          [SIGNATURE_HEADER]: signBody(hook.secret, body),
          [TIMESTAMP_HEADER]: ts,
          [DELIVERY_HEADER]: deliveryId,
          [EVENT_HEADER]: payload.event_type,
        },
      });
      statusCode = res.status;
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      const e = err as Error;
      error =
        e.name === 'TimeoutError'
          ? `timed out after ${timeoutMs} ms`
          : `${e.message}${e.cause ? `: ${String((e.cause as Error).message ?? e.cause)}` : ''}`;
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
    if (ok) return last;
    if (statusCode !== null && !retryable(statusCode)) return last;
  }
  return last;
}
