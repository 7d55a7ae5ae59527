import { auditChange } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound, unavailable as unavailableErr } from '../errors.js';
import { acceptJson, findingGroupJson, findingJson, type Mappers, tlsFactJson } from '../mappers.js';
import type { RouteRegistry } from '../route.js';
import {
  acceptCreateSchema,
  acceptIdParams,
  acceptListQuery,
  acceptListSchema,
  acceptSchema,
  errorSchema,
  expectedPortsPutSchema,
  expectedPortsSchema,
  findingGroupListQuery,
  findingGroupListSchema,
  findingListQuery,
  findingListSchema,
  macParams,
  tlsFactListSchema,
} from '../schemas.js';

const unavailable = () => unavailableErr('the threats module');

/** `api/findings`: the findings, their groups, accepts (mutes) and expected ports (issue 15). */
export function findingRoutes(r: RouteRegistry, deps: ApiDeps, mappers: Mappers): void {
  const tag = 'findings';
  r.add({
    method: 'GET',
    url: '/api/findings',
    tag,
    summary: 'Threat findings with remediation (active by default)',
    query: findingListQuery,
    responses: { 200: findingListSchema, 400: errorSchema },
    handler: ({ query }) => {
      if (!deps.findings) return { items: [], total: 0, limit: query.limit, offset: query.offset };
      const page = deps.findings.list(query);
      return {
        items: page.items.map((f) => findingJson(f, mappers)),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/findings/groups',
    tag,
    summary:
      'Active findings grouped per (device, product, fix): known exploited first, then severity, then CVSS',
    query: findingGroupListQuery,
    responses: { 200: findingGroupListSchema, 400: errorSchema },
    handler: ({ query }) => {
      if (!deps.findings) return { items: [], total: 0, limit: query.limit, offset: query.offset };
      const page = deps.findings.groups(query);
      return {
        items: page.items.map((g) => findingGroupJson(g, mappers)),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/findings/accepts',
    tag,
    summary: 'Accepts (mutes) in force',
    query: acceptListQuery,
    responses: { 200: acceptListSchema, 400: errorSchema },
    handler: ({ query }) => {
      const items = (deps.findings?.accepts(query.mac) ?? []).map(acceptJson);
      return { items, total: items.length, limit: items.length, offset: 0 };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/findings/accepts',
    tag,
    summary: 'Accept (mute) a finding or a group with a reason and an optional expiry; audited',
    body: acceptCreateSchema,
    responses: { 201: acceptSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
    handler: ({ body }, request, reply) => {
      if (!deps.findings) throw unavailable();
      const now = new Date();
      if (body.expires_at && Date.parse(body.expires_at) <= now.getTime())
        throw new ApiError(400, 'bad_request', 'expires_at must be in the future');
      const a = deps.findings.accept(body, request.principal?.actor ?? 'unknown', now);
      if (!a) throw notFound(`active ${body.scope} ${body.target} on ${body.mac}`);
      auditChange(deps, request, 'finding.accept', body.mac, { ...body, id: a.id, version: a.version });
      void reply.code(201);
      return acceptJson(a);
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/findings/accepts/:id',
    tag,
    summary: 'Revoke an accept: the findings count again',
    params: acceptIdParams,
    responses: { 200: acceptSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
    handler: ({ params }, request) => {
      if (!deps.findings) throw unavailable();
      const a = deps.findings.revoke(params.id, new Date());
      if (!a) throw notFound(`accept ${params.id}`);
      auditChange(deps, request, 'finding.unaccept', a.mac, { id: a.id });
      return acceptJson(a);
    },
  });

  r.add({
    method: 'GET',
    url: '/api/devices/:mac/tls',
    tag: 'devices',
    summary:
      'TLS certificate (subject, issuer, validity, self-signed, SAN) and protocols per TLS port, from the last port scan',
    params: macParams,
    responses: { 200: tlsFactListSchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }) => {
      if (!deps.store.devices.get(params.mac)) throw notFound(`device ${params.mac}`);
      return { mac: params.mac, items: (deps.findings?.tls(params.mac) ?? []).map(tlsFactJson) };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/devices/:mac/expected-ports',
    tag: 'devices',
    summary: 'Expected (allowed) open ports of a device; null when not set',
    params: macParams,
    responses: { 200: expectedPortsSchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }) => {
      if (!deps.store.devices.get(params.mac)) throw notFound(`device ${params.mac}`);
      const e = deps.findings?.expectedPorts(params.mac) ?? null;
      return { mac: params.mac, ports: e?.ports ?? null, updated_at: e?.updatedAt ?? null };
    },
  });

  r.add({
    method: 'PUT',
    url: '/api/devices/:mac/expected-ports',
    tag: 'devices',
    summary:
      'Set expected ports by hand or "accept what is open now"; any other open port raises unexpected_port',
    params: macParams,
    body: expectedPortsPutSchema,
    responses: { 200: expectedPortsSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
    handler: ({ params, body }, request) => {
      if (!deps.findings) throw unavailable();
      const d = deps.store.devices.get(params.mac);
      if (!d) throw notFound(`device ${params.mac}`);
      const ports = 'ports' in body ? body.ports : d.ports.map((p) => `${p.protocol}/${p.port}`);
      const e = deps.findings.setExpectedPorts(params.mac, ports, new Date());
      auditChange(deps, request, 'device.expected_ports', params.mac, { ports: e?.ports ?? ports });
      return { mac: params.mac, ports: e?.ports ?? null, updated_at: e?.updatedAt ?? null };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/devices/:mac/expected-ports',
    tag: 'devices',
    summary: 'Clear expected ports (no port counts as unexpected)',
    params: macParams,
    responses: { 200: expectedPortsSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
    handler: ({ params }, request) => {
      if (!deps.findings) throw unavailable();
      if (!deps.store.devices.get(params.mac)) throw notFound(`device ${params.mac}`);
      deps.findings.setExpectedPorts(params.mac, null, new Date());
      auditChange(deps, request, 'device.expected_ports', params.mac, { ports: null });
      return { mac: params.mac, ports: null, updated_at: null };
    },
  });
}
