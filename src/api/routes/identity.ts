/** What a device said about itself on the link (passive listening: DHCP request fields, mDNS names). */
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { notFound } from '../errors.js';
import type { RouteRegistry } from '../route.js';
import { errorSchema, macParams } from '../schemas.js';

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
  })
  .strict();

export function identityRoutes(r: RouteRegistry, deps: ApiDeps): void {
  const { store } = deps;
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
      };
    },
  });
}
