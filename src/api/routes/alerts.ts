import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { auditChange } from '../auth.js';
import { toCsv } from '../csv.js';
import type { ApiDeps } from '../deps.js';
import { notFound, unavailable } from '../errors.js';
import type { AlertsPort, WebhooksPort } from '../ports.js';
import type { RouteRegistry } from '../route.js';
import {
  type AlertJson,
  alertAckManyBody,
  alertAckManySchema,
  alertExportQuery,
  alertListQuery,
  alertListSchema,
  alertRuleCreateSchema,
  alertRuleListSchema,
  alertRulePatchSchema,
  alertRulePreviewBody,
  alertRulePreviewQuery,
  alertRulePreviewSchema,
  alertRuleSchema,
  alertSchema,
  deliveryListSchema,
  deliverySchema,
  errorSchema,
  idParams,
  pageQuery,
  type WebhookJson,
  webhookCreateSchema,
  webhookListSchema,
  webhookPatchSchema,
  webhookSchema,
} from '../schemas.js';

function need<T>(port: T | undefined, what: string): T {
  if (!port) throw unavailable(what);
  return port;
}

const deleted = alertRuleSchema.pick({ id: true }).extend({});

/** Only the creation response carries the signing secret (generated when none was given); never again. */
const webhookCreatedSchema = webhookSchema.extend({
  secret: z
    .string()
    .describe(
      'HMAC-SHA256 signing secret, shown only in this response; verify X-LAN-Sentinel-Signature with it',
    )
    .optional(),
});

/** The columns of `GET api/alerts.csv`. */
const CSV_COLUMNS: Array<{ header: string; value: (a: AlertJson) => string | number | null }> = [
  { header: 'id', value: (a) => a.id },
  { header: 'time', value: (a) => a.time },
  { header: 'rule', value: (a) => a.rule_name },
  { header: 'type', value: (a) => a.kind },
  { header: 'severity', value: (a) => a.severity },
  { header: 'device', value: (a) => a.device_name },
  { header: 'mac', value: (a) => a.mac },
  { header: 'title', value: (a) => a.title },
  { header: 'message', value: (a) => a.message },
  { header: 'channels', value: (a) => a.channels.join(' ') },
  { header: 'delivery', value: (a) => a.delivery },
  {
    header: 'channel_results',
    value: (a) =>
      a.channel_results
        .map((r) => `${r.channel}: ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`)
        .join('; '),
  },
  { header: 'held_back', value: (a) => a.held_back },
  { header: 'change_id', value: (a) => a.change_id },
  { header: 'acked_at', value: (a) => a.acked_at },
  { header: 'acked_by', value: (a) => a.acked_by },
];
/**
 * What a read-scoped caller sees of a webhook URL: scheme and host only (paths and queries often carry
 * tokens, e.g. ntfy topics or Slack hooks).
 */
export function redactWebhookUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…(redacted)`;
  } catch {
    return '(redacted)';
  }
}

const canSeeSecrets = (request: FastifyRequest): boolean => request.principal?.scope === 'admin';
const forScope = (hook: WebhookJson, request: FastifyRequest): WebhookJson =>
  canSeeSecrets(request) ? hook : { ...hook, url: redactWebhookUrl(hook.url) };

/** Alerts, alert rules, webhooks and their deliveries. */
export function alertRoutes(r: RouteRegistry, deps: ApiDeps): void {
  const alerts = (): AlertsPort => need(deps.alerts, 'alerts');
  const hooks = (): WebhooksPort => need(deps.webhooks, 'webhooks');

  r.add({
    method: 'GET',
    url: '/api/alerts',
    tag: 'alerts',
    summary: 'Alerts sent, newest first',
    query: alertListQuery,
    responses: { 200: alertListSchema, 400: errorSchema },
    handler: ({ query }) =>
      deps.alerts
        ? deps.alerts.list(query)
        : { items: [], total: 0, limit: query.limit, offset: query.offset },
  });
  r.add({
    method: 'GET',
    url: '/api/alerts.csv',
    tag: 'alerts',
    summary: 'Alert history as CSV (same filters as api/alerts, newest first, at most 10 000 rows)',
    query: alertExportQuery,
    produces: 'text/csv',
    responses: { 200: null, 400: errorSchema },
    handler: ({ query }, _request, reply) => {
      const rows = deps.alerts ? deps.alerts.export(query) : [];
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="lan-sentinel-alerts.csv"')
        .header('cache-control', 'no-store')
        .send(toCsv(CSV_COLUMNS, rows));
    },
  });
  r.add({
    method: 'POST',
    url: '/api/alerts/ack',
    tag: 'alerts',
    summary: 'Acknowledge every open alert matching the filters',
    body: alertAckManyBody,
    responses: { 200: alertAckManySchema, 400: errorSchema, 503: errorSchema },
    handler: ({ body }, request) => {
      const acked = alerts().ackMany(body, request.principal?.actor ?? 'unknown');
      auditChange(deps, request, 'alert.ack', 'alerts', { ...body, acked });
      return { acked };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/alerts/:id/ack',
    tag: 'alerts',
    summary: 'Acknowledge an alert',
    params: idParams,
    responses: { 200: alertSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
    handler: ({ params }, request) => {
      const a = alerts().ack(params.id, request.principal?.actor ?? 'unknown');
      if (!a) throw notFound(`alert ${params.id}`);
      auditChange(deps, request, 'alert.ack', `alert:${params.id}`);
      return a;
    },
  });

  // alert rules
  r.add({
    method: 'GET',
    url: '/api/alert-rules',
    tag: 'alert-rules',
    summary: 'Alert rules',
    responses: { 200: alertRuleListSchema },
    handler: () => {
      const items = deps.alerts ? deps.alerts.rules.list() : [];
      return { items, total: items.length, limit: items.length, offset: 0 };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/alert-rules',
    tag: 'alert-rules',
    summary: 'Create an alert rule',
    body: alertRuleCreateSchema,
    responses: { 201: alertRuleSchema, 400: errorSchema, 503: errorSchema },
    handler: ({ body }, request, reply) => {
      const rule = alerts().rules.create(body);
      auditChange(deps, request, 'alert_rule.create', `alert_rule:${rule.id}`, body);
      reply.code(201);
      return rule;
    },
  });
  r.add({
    method: 'POST',
    url: '/api/alert-rules/preview',
    tag: 'alert-rules',
    summary: 'How often a rule (not saved) would have fired in the last days (default 7)',
    scope: 'read',
    query: alertRulePreviewQuery,
    body: alertRulePreviewBody,
    responses: { 200: alertRulePreviewSchema, 400: errorSchema, 503: errorSchema },
    handler: ({ query, body }) => alerts().rules.preview(body, query.days),
  });
  r.add({
    method: 'GET',
    url: '/api/alert-rules/:id/preview',
    tag: 'alert-rules',
    summary: 'How often a saved rule would have fired in the last days (default 7)',
    params: idParams,
    query: alertRulePreviewQuery,
    responses: { 200: alertRulePreviewSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
    handler: ({ params, query }) => {
      const p = alerts().rules.previewSaved(params.id, query.days);
      if (!p) throw notFound(`alert rule ${params.id}`);
      return p;
    },
  });
  r.add({
    method: 'GET',
    url: '/api/alert-rules/:id',
    tag: 'alert-rules',
    summary: 'One alert rule',
    params: idParams,
    responses: { 200: alertRuleSchema, 404: errorSchema },
    handler: ({ params }) => {
      const rule = deps.alerts?.rules.get(params.id);
      if (!rule) throw notFound(`alert rule ${params.id}`);
      return rule;
    },
  });
  r.add({
    method: 'PATCH',
    url: '/api/alert-rules/:id',
    tag: 'alert-rules',
    summary: 'Change an alert rule',
    params: idParams,
    body: alertRulePatchSchema,
    responses: { 200: alertRuleSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
    handler: ({ params, body }, request) => {
      const rule = alerts().rules.update(params.id, body);
      if (!rule) throw notFound(`alert rule ${params.id}`);
      auditChange(deps, request, 'alert_rule.update', `alert_rule:${params.id}`, body);
      return rule;
    },
  });
  r.add({
    method: 'DELETE',
    url: '/api/alert-rules/:id',
    tag: 'alert-rules',
    summary: 'Delete an alert rule',
    params: idParams,
    responses: { 200: deleted, 404: errorSchema, 503: errorSchema },
    handler: ({ params }, request) => {
      if (!alerts().rules.delete(params.id)) throw notFound(`alert rule ${params.id}`);
      auditChange(deps, request, 'alert_rule.delete', `alert_rule:${params.id}`);
      return { id: params.id };
    },
  });

  // webhooks
  r.add({
    method: 'GET',
    url: '/api/webhooks',
    tag: 'webhooks',
    summary: 'Webhooks (secrets are never returned; read-scoped keys see URLs redacted)',
    responses: { 200: webhookListSchema },
    handler: (_input, request) => {
      const items = (deps.webhooks ? deps.webhooks.list() : []).map((h) => forScope(h, request));
      return { items, total: items.length, limit: items.length, offset: 0 };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/webhooks',
    tag: 'webhooks',
    summary: 'Create a webhook',
    body: webhookCreateSchema,
    responses: { 201: webhookCreatedSchema, 400: errorSchema, 503: errorSchema },
    handler: async ({ body }, request, reply) => {
      await hooks().checkUrl?.(body.url);
      const hook = hooks().create(body);
      auditChange(deps, request, 'webhook.create', `webhook:${hook.id}`, { name: body.name, url: body.url });
      reply.code(201);
      return hook;
    },
  });
  r.add({
    method: 'GET',
    url: '/api/webhooks/:id',
    tag: 'webhooks',
    summary: 'One webhook',
    params: idParams,
    responses: { 200: webhookSchema, 404: errorSchema },
    handler: ({ params }, request) => {
      const hook = deps.webhooks?.get(params.id);
      if (!hook) throw notFound(`webhook ${params.id}`);
      return forScope(hook, request);
    },
  });
  r.add({
    method: 'PATCH',
    url: '/api/webhooks/:id',
    tag: 'webhooks',
    summary: 'Change a webhook (secret null removes it)',
    params: idParams,
    body: webhookPatchSchema,
    responses: { 200: webhookSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
    handler: async ({ params, body }, request) => {
      if (body.url !== undefined) await hooks().checkUrl?.(body.url);
      const hook = hooks().update(params.id, body);
      if (!hook) throw notFound(`webhook ${params.id}`);
      const { secret, ...rest } = body;
      auditChange(deps, request, 'webhook.update', `webhook:${params.id}`, {
        ...rest,
        ...(secret !== undefined ? { secret: secret === null ? 'removed' : 'changed' } : {}),
      });
      return hook;
    },
  });
  r.add({
    method: 'DELETE',
    url: '/api/webhooks/:id',
    tag: 'webhooks',
    summary: 'Delete a webhook',
    params: idParams,
    responses: { 200: deleted, 404: errorSchema, 503: errorSchema },
    handler: ({ params }, request) => {
      if (!hooks().delete(params.id)) throw notFound(`webhook ${params.id}`);
      auditChange(deps, request, 'webhook.delete', `webhook:${params.id}`);
      return { id: params.id };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/webhooks/:id/test',
    tag: 'webhooks',
    summary: 'Send a test event to a webhook now',
    params: idParams,
    responses: { 200: deliverySchema, 404: errorSchema, 503: errorSchema },
    handler: async ({ params }, request) => {
      const d = await hooks().test(params.id);
      if (!d) throw notFound(`webhook ${params.id}`);
      auditChange(deps, request, 'webhook.test', `webhook:${params.id}`);
      return d;
    },
  });
  r.add({
    method: 'GET',
    url: '/api/webhooks/:id/deliveries',
    tag: 'webhooks',
    summary: 'Delivery log of a webhook, newest first',
    params: idParams,
    query: pageQuery.strict(),
    responses: { 200: deliveryListSchema, 404: errorSchema },
    handler: ({ params, query }) => {
      if (!deps.webhooks?.get(params.id)) throw notFound(`webhook ${params.id}`);
      return deps.webhooks.deliveries(params.id, query);
    },
  });
}
