/** What a device said about itself on the link (passive listening: DHCP request fields, mDNS names). */
import { z } from 'zod';
import { isIpKey } from '../../inventory/deviceKey.js';
import { auditChange } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound, unavailable } from '../errors.js';

const invalid = (message: string) => new ApiError(400, 'bad_request', message);

import { deviceJson, type Mappers } from '../mappers.js';
import type { RouteRegistry } from '../route.js';
import { deviceKeySchema, deviceSchema, errorSchema, macParams, macSchema } from '../schemas.js';

export const deviceIdentitySchema = z
  .object({
    mac: z.string(),
    dhcp: z
      .object({
        hostname: z.string().nullable(),
        client_id: z.string().nullable().describe('option 61 as hex, type byte first'),
        parameter_request_list: z
          .array(z.number().int())
          .describe('option 55 in the order the client sent it'),
        vendor_class: z.string().nullable(),
        fingerprint: z.string().nullable(),
      })
      .nullable(),
    mdns: z.object({
      hosts: z.array(z.string()),
      services: z.array(z.string()),
      instances: z.array(z.string()),
    }),
    heard_via: z.enum(['dhcp', 'mdns', 'arp']).nullable().describe('how it was last heard passively'),
    heard_at: z.string().nullable(),
    macs: z
      .array(
        z.object({
          mac: z.string(),
          linked_by: z.enum(['dhcp', 'manual']),
          first_seen: z.string(),
          last_seen: z.string(),
        }),
      )
      .describe(
        'further MACs of this device: rotated private addresses (linked by DHCP fingerprint) and merges',
      ),
  })
  .strict();
export type DeviceIdentityJson = z.infer<typeof deviceIdentitySchema>;

const macBody = z.object({ mac: macSchema }).strict();
/** merge takes any device, a device identified by IP too (the user knows it is the MAC device's host) */
const deviceBody = z.object({ mac: deviceKeySchema }).strict();

export function identityRoutes(r: RouteRegistry, deps: ApiDeps, mappers: Mappers): void {
  const { store, bus } = deps;
  r.add({
    method: 'GET',
    url: '/api/devices/:mac/identity',
    tag: 'devices',
    summary: 'What the device said about itself: DHCP hostname, client id, parameter list, mDNS names',
    params: macParams,
    responses: { 200: deviceIdentitySchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }) => {
      const d = store.devices.get(params.mac);
      if (!d) throw notFound(`device ${params.mac}`);
      const i = store.identity?.get(d.mac) ?? null;
      const hasDhcp = Boolean(
        i && (i.dhcpFingerprint || i.dhcpHostname || i.dhcpParams.length || i.dhcpClientId),
      );
      return {
        mac: d.mac,
        dhcp:
          i && hasDhcp
            ? {
                hostname: i.dhcpHostname,
                client_id: i.dhcpClientId,
                parameter_request_list: i.dhcpParams,
                vendor_class: i.dhcpVendorClass,
                fingerprint: i.dhcpFingerprint,
              }
            : null,
        mdns: {
          hosts: i?.mdnsHosts ?? [],
          services: i?.mdnsServices ?? [],
          instances: i?.mdnsInstances ?? [],
        },
        heard_via: i?.heardVia ?? null,
        heard_at: i?.heardAt ?? null,
        macs: (store.macs?.of(d.mac) ?? []).map((l) => ({
          mac: l.mac,
          linked_by: l.linkedBy,
          first_seen: l.firstSeen,
          last_seen: l.lastSeen,
        })),
      };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/devices/:mac/merge',
    tag: 'devices',
    summary:
      "Merge another device into this one (one phone seen under two MACs): its MAC and history become this device's; the other device and its HA entities go",
    params: macParams,
    body: deviceBody,
    responses: { 200: deviceSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
    handler: ({ params, body }, request) => {
      if (!store.mergeDevices) throw unavailable('merging devices');
      if (body.mac === params.mac) throw invalid('mac: a device cannot be merged into itself');
      if (isIpKey(params.mac) && !isIpKey(body.mac))
        throw invalid(
          `mac: ${params.mac} is identified by IP; merge it into the MAC device instead (POST api/devices/${body.mac}/merge with {"mac": "${params.mac}"})`,
        );
      if (!store.devices.get(params.mac)) throw notFound(`device ${params.mac}`);
      if (!store.devices.get(body.mac)) throw notFound(`device ${body.mac}`);
      const merged = store.mergeDevices(params.mac, body.mac, deps.clock.now());
      if (!merged) throw notFound(`device ${body.mac}`);
      // a device identified by IP has no MAC to become a further MAC of the survivor (HA connections)
      if (isIpKey(body.mac)) store.macs?.unlink(body.mac);
      auditChange(deps, request, 'device.merge', params.mac, { merged: body.mac });
      bus.emit('device:removed', { mac: body.mac, reason: 'merged', into: merged.mac });
      bus.emit('device:updated', merged);
      return deviceJson(merged, mappers);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/devices/:mac/split',
    tag: 'devices',
    summary: 'Split a further MAC off this device: it becomes a device of its own at its next sighting',
    params: macParams,
    body: macBody,
    responses: { 200: deviceSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema },
    handler: ({ params, body }, request) => {
      if (!store.splitMac || !store.macs) throw unavailable('splitting devices');
      const d = store.devices.get(params.mac);
      if (!d) throw notFound(`device ${params.mac}`);
      if (!store.splitMac(params.mac, body.mac))
        throw invalid(`mac: ${body.mac} is not a further MAC of ${params.mac}`);
      auditChange(deps, request, 'device.split', params.mac, { split: body.mac });
      bus.emit('device:updated', d);
      return deviceJson(d, mappers);
    },
  });
}
