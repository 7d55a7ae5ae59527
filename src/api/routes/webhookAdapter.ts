/**
 * The webhooks repository onto the HTTP API's webhooks port. It refuses with a 400 what the alert engine cannot
 * honour: an event filter (`events` must be empty = every event) and removing the secret (every delivery is
 * signed; give a new secret to rotate it). The secret is never part of a webhook's JSON, except in the
 * response to its creation (once).
 */
import type { Alerts } from '../../alerts/alerts.js';
import type { DeliverySummary, Webhook, WebhooksRepo } from '../../store/webhooksRepo.js';
import { type Clock, systemClock } from '../../util/clock.js';
import { ApiError, asBadRequest } from '../errors.js';
import type { WebhooksPort } from '../ports.js';
import type { DeliveryJson, WebhookJson } from '../schemas.js';

/** The 201 body of `POST api/webhooks`: the only response that carries the signing secret. */
export type WebhookCreatedJson = WebhookJson & { secret: string };

function deliveryJson(d: DeliverySummary): DeliveryJson {
  return {
    id: d.id,
    webhook_id: d.webhookId,
    event: d.eventType,
    status: d.ok ? 'ok' : 'failed',
    http_status: d.statusCode,
    attempts: d.attempts,
    error: d.error,
    created_at: d.firstTime,
    finished_at: d.lastTime,
  };
}

function hookEvents(events: readonly string[] | undefined): void {
  if (events && events.length > 0) {
    throw new ApiError(
      400,
      'bad_request',
      'invalid body: body.events: per-webhook event filters are not supported yet; leave events empty ' +
        '(a webhook receives every alert of the rules with the webhook channel)',
      [{ path: 'body.events', message: 'must be empty' }],
    );
  }
}

export function webhooksPort(repo: WebhooksRepo, alerts: Alerts, clock: Clock = systemClock): WebhooksPort {
  const hookJson = (h: Webhook): WebhookJson => {
    const last = repo.deliveryLog(h.id, { limit: 1, offset: 0 }).items[0];
    const health = alerts.webhookHealth(h.id);
    return {
      id: h.id,
      name: h.name,
      url: h.url,
      enabled: h.enabled,
      events: [],
      has_secret: h.secret.length > 0,
      created_at: h.createdAt,
      updated_at: h.updatedAt,
      last_delivery_at: last?.lastTime ?? null,
      last_status: last ? (last.ok ? 'ok' : 'failed') : null,
      consecutive_failures: health.consecutiveFailures,
      suspended: health.suspended,
      warning: health.warning,
    };
  };
  return {
    list: () => repo.list().map(hookJson),
    get(id) {
      const h = repo.get(id);
      return h ? hookJson(h) : null;
    },
    create(input): WebhookCreatedJson {
      hookEvents(input.events);
      const h = asBadRequest(() =>
        repo.create(
          {
            name: input.name,
            url: input.url,
            enabled: input.enabled,
            // null or absent: the repo generates a random secret, returned once below
            ...(input.secret ? { secret: input.secret } : {}),
          },
          clock.now(),
        ),
      );
      return { ...hookJson(h), secret: h.secret };
    },
    update(id, patch) {
      hookEvents(patch.events);
      if (patch.secret === null) {
        throw new ApiError(
          400,
          'bad_request',
          'invalid body: body.secret: a webhook secret cannot be removed (every delivery is signed); ' +
            'give a new secret of 16 to 256 characters to rotate it',
          [{ path: 'body.secret', message: 'must be a string of 16 to 256 characters' }],
        );
      }
      const h = asBadRequest(() =>
        repo.update(
          id,
          {
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.url !== undefined ? { url: patch.url } : {}),
            ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
            ...(typeof patch.secret === 'string' ? { secret: patch.secret } : {}),
          },
          clock.now(),
        ),
      );
      return h ? hookJson(h) : null;
    },
    delete: (id) => repo.delete(id),
    async checkUrl(url) {
      try {
        await alerts.checkWebhookUrl(url);
      } catch (err) {
        throw new ApiError(400, 'bad_request', `invalid body: body.url: ${(err as Error).message}`, [
          { path: 'body.url', message: (err as Error).message },
        ]);
      }
    },
    async test(id) {
      if (!repo.get(id)) return null;
      const r = await alerts.testWebhook(id);
      const d = repo.delivery(id, r.deliveryId);
      // null when the webhook was deleted while the test ran (its log rows went with it)
      return d ? deliveryJson(d) : null;
    },
    deliveries(id, page) {
      const { items, total } = repo.deliveryLog(id, page);
      return { items: items.map(deliveryJson), total, limit: page.limit, offset: page.offset };
    },
  };
}
