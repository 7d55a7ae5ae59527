import { z } from 'zod';
import { DeviceCommands } from '../../inventory/commands.js';
import { KIND_INFO, UNKNOWN_KIND_ICON } from '../../inventory/kinds.js';
import { auditChange, requestActor } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound, unavailable } from '../errors.js';
import { changeJson, deviceJson, devicesJson, type Mappers } from '../mappers.js';
import type { RouteRegistry } from '../route.js';
import {
  deviceDeletedSchema,
  deviceHistoryQuery,
  deviceHistorySchema,
  deviceListQuery,
  deviceListSchema,
  devicePatchSchema,
  deviceSchema,
  errorSchema,
  kindListSchema,
  macParams,
  scanAcceptedSchema,
  trustInstallSchema,
  vendorListSchema,
  wakeResultSchema,
} from '../schemas.js';

export function deviceRoutes(r: RouteRegistry, deps: ApiDeps, mappers: Mappers): void {
  const { store, bus } = deps;
  const commands =
    deps.commands ??
    new DeviceCommands({ store, bus, audit: deps.audit, ...(deps.wake ? { wake: deps.wake } : {}) });
  const tag = 'devices';

  r.add({
    method: 'GET',
    url: '/api/devices',
    tag,
    summary: 'List devices (filter, search, vendor, sort, page)',
    query: deviceListQuery,
    responses: { 200: deviceListSchema, 400: errorSchema },
    handler: ({ query }) => {
      const page = store.devices.query({
        ...(query.filter !== 'all' ? { filter: query.filter } : {}),
        ...(query.q ? { search: query.q } : {}),
        ...(query.vendor ? { vendor: query.vendor } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        sort: query.sort,
        order: query.order,
        limit: query.limit,
        offset: query.offset,
      });
      return {
        items: devicesJson(page.items, mappers),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/vendors',
    tag,
    summary: 'Vendors in the inventory with device counts (for the vendor filter)',
    responses: { 200: vendorListSchema },
    handler: () => ({ items: store.devices.vendors() }),
  });

  r.add({
    method: 'GET',
    url: '/api/kinds',
    tag,
    summary: 'Device kinds in the inventory with counts, labels and icons (for the kind filter)',
    responses: { 200: kindListSchema },
    handler: () => ({
      items: store.devices.kinds().map(({ kind, count }) => ({
        kind,
        label: kind === 'unknown' ? 'Unknown' : KIND_INFO[kind].label,
        icon: kind === 'unknown' ? UNKNOWN_KIND_ICON : KIND_INFO[kind].icon,
        count,
      })),
    }),
  });

  r.add({
    method: 'GET',
    url: '/api/devices/:mac',
    tag,
    summary: 'One device',
    params: macParams,
    responses: { 200: deviceSchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }) => {
      const d = store.devices.get(params.mac);
      if (!d) throw notFound(`device ${params.mac}`);
      return deviceJson(d, mappers);
    },
  });

  r.add({
    method: 'PATCH',
    url: '/api/devices/:mac',
    tag,
    summary:
      'Rename a device, mark it known/watched/ignored, set notes, its consider_home override or its kind',
    params: macParams,
    body: devicePatchSchema,
    responses: { 200: deviceSchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params, body }, request) => {
      const after = commands.edit(params.mac, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.known !== undefined ? { known: body.known } : {}),
        ...(body.watched !== undefined ? { watched: body.watched } : {}),
        ...(body.ignored !== undefined ? { ignored: body.ignored } : {}),
        ...(body.notes !== undefined ? { notes: body.notes } : {}),
        ...(body.consider_home !== undefined ? { considerHome: body.consider_home } : {}),
        ...(body.kind !== undefined ? { kindOverride: body.kind } : {}),
      });
      if (!after) throw notFound(`device ${params.mac}`);
      auditChange(deps, request, 'device.update', params.mac, body);
      return deviceJson(after, mappers);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/devices/trust-install',
    tag,
    summary:
      'Trust all devices found at install (the first sweep of a fresh database) that are not known yet',
    responses: { 200: trustInstallSchema, 503: errorSchema },
    handler: (_input, request) => {
      const macs = commands.trustInstall();
      if (!macs) throw unavailable('the install baseline');
      auditChange(deps, request, 'device.trust_install', null, { devices: macs.length });
      return { trusted: macs.length, macs };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/devices/:mac',
    tag,
    summary: 'Forget a device (its history and HA entities go; the change log stays)',
    params: macParams,
    responses: { 200: deviceDeletedSchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }, request) => {
      if (!commands.forget(params.mac)) throw notFound(`device ${params.mac}`);
      auditChange(deps, request, 'device.forget', params.mac);
      return { mac: params.mac, forgotten: true as const };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/devices/:mac/history',
    tag,
    summary: 'IP history, presence timeline, port history and changes of one device',
    params: macParams,
    query: deviceHistoryQuery,
    responses: { 200: deviceHistorySchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params, query }) => {
      const d = store.devices.get(params.mac);
      if (!d) throw notFound(`device ${params.mac}`);
      const since = query.since ? new Date(query.since).toISOString() : undefined;
      return {
        mac: d.mac,
        ip_history: store.history
          .ipHistory(d.mac, query.limit)
          .map((h) => ({ ip: h.ip, first_seen: h.firstSeen, last_seen: h.lastSeen })),
        presence: store.history
          .presenceTimeline(d.mac, since, 5000)
          .map((p) => ({ time: p.time, online: p.presence === 'home' })),
        ports: store.history.portHistory(d.mac, query.limit).map((p) => ({
          time: p.time,
          protocol: p.protocol,
          port: p.port,
          event: p.event,
          service: p.service,
          product: p.product,
          version: p.version,
        })),
        changes: store.changes
          .list({ mac: d.mac, limit: query.limit, ...(since ? { since } : {}) })
          .items.map(changeJson),
      };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/devices/:mac/scan',
    tag,
    summary: 'Deep-scan (ports and services) one device now',
    params: macParams,
    responses: { 202: scanAcceptedSchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }, request, reply) => {
      const d = store.devices.get(params.mac);
      if (!d) throw notFound(`device ${params.mac}`);
      const res = deps.scanner.requestDeviceScan(d.mac, `api:${request.principal?.actor ?? 'unknown'}`);
      auditChange(deps, request, 'device.scan', d.mac);
      reply.code(202);
      return {
        queued: res.queued,
        scan_id: res.scanId ?? null,
        message: res.queued
          ? `port scan of ${d.mac} queued`
          : `a port scan of ${d.mac} is already queued or the scanner is stopping`,
      };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/devices/:mac/wake',
    tag,
    summary:
      "Wake-on-LAN: send a magic packet to the device's subnet broadcast and 255.255.255.255 (port wol_port)",
    // the MAC is checked by the command itself: multicast and broadcast MACs get a reason of their own
    params: z.object({ mac: z.string().max(40) }).strict(),
    responses: {
      200: wakeResultSchema,
      400: errorSchema,
      404: errorSchema,
      409: errorSchema,
      503: errorSchema,
    },
    handler: async ({ params }, request) => {
      const r = await commands.wake(params.mac, requestActor(request));
      if (r.ok && r.agent)
        return {
          mac: r.mac,
          ip: r.ip,
          subnet: r.subnet,
          agent: r.agent,
          packet: r.packet,
          sent: r.sent,
          message: `magic packet for ${r.mac} handed to agent ${r.agent}, which sends it on its LAN${r.subnet ? ` (${r.subnet})` : ''}`,
        };
      if (r.ok) {
        const n = r.sent.filter((s) => s.ok).length;
        return {
          mac: r.mac,
          ip: r.ip,
          subnet: r.subnet,
          packet: r.packet,
          sent: r.sent,
          message: `magic packet for ${r.mac} sent to ${r.sent
            .filter((s) => s.ok)
            .map((s) => `${s.address}:${s.port}`)
            .join(' and ')} (${n} of ${r.sent.length} targets)`,
        };
      }
      switch (r.reason) {
        case 'invalid_mac':
          throw new ApiError(400, 'bad_request', `invalid params: params.mac ${r.message}`, [
            { path: 'params.mac', message: r.message },
          ]);
        case 'not_found':
          throw new ApiError(404, 'not_found', r.message);
        case 'no_mac':
          throw new ApiError(409, 'conflict', `cannot wake ${params.mac}: ${r.message}`);
        default:
          throw new ApiError(503, r.reason, `cannot wake ${params.mac}: ${r.message}`);
      }
    },
  });
}
