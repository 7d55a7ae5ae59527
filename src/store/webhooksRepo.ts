/** Webhook targets and their delivery log. Secrets are generated when not given and never logged. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { withoutControl } from '../util/textSchema.js';
import type { Db } from './db.js';

export interface Webhook {
  id: number;
  name: string;
  url: string;
  secret: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDelivery {
  id: number;
  webhookId: number;
  deliveryId: string;
  eventType: string;
  attempt: number;
  time: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** One delivery (all its attempts) as the delivery log shows it: the last attempt decides the outcome. */
export interface DeliverySummary {
  /** row id of the first attempt */
  id: number;
  webhookId: number;
  deliveryId: string;
  eventType: string;
  attempts: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** time of the first and of the last attempt */
  firstTime: string;
  lastTime: string;
}

export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine(
    (u) => {
      try {
        const p = new URL(u).protocol;
        return p === 'http:' || p === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'must be an http:// or https:// URL, e.g. https://example.com/hooks/lan-sentinel' },
  );

export const webhookInputSchema = z
  .object({
    name: withoutControl(z.string().trim().min(1).max(100)),
    url: webhookUrlSchema,
    secret: z.string().min(16, 'a webhook secret needs at least 16 characters').max(256).optional(),
    enabled: z.boolean().default(true),
  })
  .strict();
export type WebhookInput = z.input<typeof webhookInputSchema>;

interface HookRow {
  id: number;
  name: string;
  url: string;
  secret: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}
interface DeliveryRow {
  id: number;
  webhook_id: number;
  delivery_id: string;
  event_type: string;
  attempt: number;
  time: string;
  ok: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

interface SummaryRow extends DeliveryRow {
  first_id: number;
  first_time: string;
  attempts: number;
}

const toHook = (r: HookRow): Webhook => ({
  id: r.id,
  name: r.name,
  url: r.url,
  secret: r.secret,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  webhookId: r.webhook_id,
  deliveryId: r.delivery_id,
  eventType: r.event_type,
  attempt: r.attempt,
  time: r.time,
  ok: r.ok === 1,
  statusCode: r.status_code,
  error: r.error,
  durationMs: r.duration_ms,
});

export class WebhooksRepo {
  constructor(private readonly db: Db) {}

  list(): Webhook[] {
    return (this.db.prepare('SELECT * FROM webhooks ORDER BY id').all() as HookRow[]).map(toHook);
  }

  get(id: number): Webhook | null {
    const r = this.db.prepare('SELECT * FROM webhooks WHERE id = ?').get(id) as HookRow | undefined;
    return r ? toHook(r) : null;
  }

  /** Validated create; a random 32-byte hex secret is generated when none is given. */
  create(input: WebhookInput, now: Date): Webhook {
    const v = webhookInputSchema.parse(input);
    const t = now.toISOString();
    // Standard Webhooks form: `whsec_` + base64 of 24 random bytes (the HMAC key is those bytes)
    const secret = v.secret ?? `whsec_${randomBytes(24).toString('base64')}`;
    const info = this.db
      .prepare(
        'INSERT INTO webhooks (name, url, secret, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(v.name, v.url, secret, v.enabled ? 1 : 0, t, t);
    return this.get(Number(info.lastInsertRowid)) as Webhook;
  }

  update(id: number, input: Partial<WebhookInput>, now: Date): Webhook | null {
    const cur = this.get(id);
    if (!cur) return null;
    const v = webhookInputSchema.parse({
      name: input.name ?? cur.name,
      url: input.url ?? cur.url,
      secret: input.secret ?? cur.secret,
      enabled: input.enabled ?? cur.enabled,
    });
    this.db
      .prepare('UPDATE webhooks SET name = ?, url = ?, secret = ?, enabled = ?, updated_at = ? WHERE id = ?')
      .run(v.name, v.url, v.secret ?? cur.secret, v.enabled ? 1 : 0, now.toISOString(), id);
    return this.get(id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM webhooks WHERE id = ?').run(id).changes > 0;
  }

  logDelivery(d: Omit<WebhookDelivery, 'id'>): void {
    this.db
      .prepare(
        `INSERT INTO webhook_deliveries (webhook_id, delivery_id, event_type, attempt, time, ok, status_code, error, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        d.webhookId,
        d.deliveryId,
        d.eventType,
        d.attempt,
        d.time,
        d.ok ? 1 : 0,
        d.statusCode,
        d.error,
        d.durationMs,
      );
  }

  deliveries(webhookId: number, limit = 100): WebhookDelivery[] {
    return (
      this.db
        .prepare('SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?')
        .all(webhookId, Math.max(1, Math.min(limit, 1000))) as DeliveryRow[]
    ).map(toDelivery);
  }

  /** Deliveries of a webhook grouped per delivery id, newest first, with the number of deliveries. */
  deliveryLog(
    webhookId: number,
    page: { limit: number; offset: number },
  ): { items: DeliverySummary[]; total: number } {
    const total = (
      this.db
        .prepare('SELECT count(DISTINCT delivery_id) AS n FROM webhook_deliveries WHERE webhook_id = ?')
        .get(webhookId) as { n: number }
    ).n;
    const items = this.summaries('webhook_id = ?', [webhookId], page.limit, page.offset);
    return { items, total };
  }

  /** How many of the latest deliveries failed in a row (up to `max`), with the last error. */
  failureStreak(webhookId: number, max: number): { count: number; lastError: string | null } {
    const recent = this.summaries('webhook_id = ?', [webhookId], max, 0);
    let count = 0;
    for (const d of recent) {
      if (d.ok) break;
      count++;
    }
    return { count, lastError: recent[0] && !recent[0].ok ? recent[0].error : null };
  }

  /** One delivery of a webhook by its delivery id (e.g. from a DeliveryResult), or null. */
  delivery(webhookId: number, deliveryId: string): DeliverySummary | null {
    return this.summaries('webhook_id = ? AND delivery_id = ?', [webhookId, deliveryId], 1, 0)[0] ?? null;
  }

  private summaries(
    where: string,
    params: (string | number)[],
    limit: number,
    offset: number,
  ): DeliverySummary[] {
    const rows = this.db
      .prepare(
        `SELECT d.*, g.first_id, g.first_time, g.attempts FROM webhook_deliveries d
         JOIN (SELECT min(id) AS first_id, max(id) AS last_id, min(time) AS first_time, max(attempt) AS attempts
               FROM webhook_deliveries WHERE ${where} GROUP BY delivery_id) g ON d.id = g.last_id
         ORDER BY g.first_id DESC LIMIT ? OFFSET ?`,
      )
      .all(...params, Math.max(1, Math.min(limit, 1000)), Math.max(0, offset)) as SummaryRow[];
    return rows.map((r) => ({
      id: r.first_id,
      webhookId: r.webhook_id,
      deliveryId: r.delivery_id,
      eventType: r.event_type,
      attempts: r.attempts,
      ok: r.ok === 1,
      statusCode: r.status_code,
      error: r.error,
      firstTime: r.first_time,
      lastTime: r.time,
    }));
  }
}
