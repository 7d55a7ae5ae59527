/** Primitives of the HTTP API's wire contract (src/api/schemas.ts re-exports them): ids, MACs, paging, the list envelope, the error envelope. */
import { z } from 'zod';
import { isIpKey } from '../inventory/deviceKey.js';

export const KEY_SCOPES = ['read', 'admin'] as const;
export const SCAN_KINDS = ['sweep', 'ports'] as const;
export const SCAN_STATUSES = ['queued', 'running', 'finished', 'failed'] as const;

export const isoTime = z.string().describe('ISO-8601 time with timezone');
export const nullableIso = isoTime.nullable();
/** A time given in a query (`since=`): ISO-8601 with a timezone, checked. */
export const isoTimeQuery = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 time with timezone',
});

/**
 * A MAC address in any common spelling (`AA:BB:CC:DD:EE:FF`, `aa-bb-cc-dd-ee-ff`, `aabbccddeeff`,
 * `aabb.ccdd.eeff`), normalised to lowercase `aa:bb:cc:dd:ee:ff`.
 */
const MAC_SPELLINGS =
  /^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$|^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/;
const normalMac = (s: string) =>
  s
    .replace(/[^0-9A-Fa-f]/g, '')
    .toLowerCase()
    .replace(/(..)(?!$)/g, '$1:');

export const macSchema = z
  .string()
  .trim()
  .regex(MAC_SPELLINGS, {
    message: 'must be a MAC address such as aa:bb:cc:dd:ee:ff or aabbccddeeff',
  })
  .transform(normalMac);

/**
 * A device's key: its MAC in any spelling macSchema takes (normalised), or the key of a device identified by IP
 * (a routed host whose MAC cannot be learned, DESIGN §15), `ip_<a>_<b>_<c>_<d>`, e.g. `ip_192_168_20_7`.
 */
export const deviceKeySchema = z
  .string()
  .trim()
  .refine((s) => MAC_SPELLINGS.test(s) || isIpKey(s), {
    message:
      'must be a MAC address such as aa:bb:cc:dd:ee:ff or aabbccddeeff, or the key of a device identified by IP such as ip_192_168_20_7',
  })
  .transform((s) => (isIpKey(s) ? s : normalMac(s)));

/** A positive integer id from a path segment. */
export const idSchema = z.coerce
  .number({ message: 'must be a positive integer id such as 42' })
  .int({ message: 'must be a positive integer id such as 42' })
  .positive({ message: 'must be a positive integer id such as 42' });

export const macParams = z.object({ mac: deviceKeySchema }).strict();
export const idParams = z.object({ id: idSchema }).strict();
export const compareParams = z.object({ a: idSchema, b: idSchema }).strict();

export const limitSchema = z.coerce
  .number()
  .int()
  .min(1, { message: 'must be between 1 and 500' })
  .max(500, { message: 'must be between 1 and 500' })
  .default(100);
export const offsetSchema = z.coerce.number().int().min(0, { message: 'must be 0 or more' }).default(0);
export const orderSchema = z.enum(['asc', 'desc']);
export const boolQuery = z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1');

export const pageQuery = z.object({ limit: limitSchema, offset: offsetSchema });

/** The list envelope used by every growing list. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}
export interface List<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The error envelope of every non-2xx answer. */
export const errorIssueSchema = z.object({ path: z.string(), message: z.string() });
export const errorSchema = z.object({
  error: z
    .string()
    .describe(
      'machine code: bad_request, unauthorized, forbidden, not_found, conflict, payload_too_large, rate_limited, unavailable, insufficient_storage, internal; POST api/devices/:mac/wake adds no_ipv4, no_subnet, send_failed (503) and answers conflict (409) for a device identified by IP (no MAC)',
    ),
  message: z.string(),
  issues: z.array(errorIssueSchema).optional(),
});
export type ApiErrorBody = z.infer<typeof errorSchema>;
export type ApiErrorIssue = z.infer<typeof errorIssueSchema>;
