/** The wire contract of `api/changes` (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { CHANGE_TYPES, SEVERITIES } from '../../vocabulary.js';
import {
  deviceKeySchema,
  isoTime,
  isoTimeQuery,
  limitSchema,
  listOf,
  offsetSchema,
} from '../wirePrimitives.js';

export const changeSchema = z.object({
  id: z.number().int().nullable(),
  type: z.enum(CHANGE_TYPES),
  mac: z.string().nullable(),
  ip: z.string().nullable(),
  name: z.string().nullable(),
  vendor: z.string().nullable(),
  severity: z.enum(SEVERITIES),
  message: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  time: isoTime,
  scan_id: z.number().int().nullable(),
  acknowledged: z.boolean(),
});
export type ChangeJson = z.infer<typeof changeSchema>;

export const changeListQuery = z
  .object({
    type: z.enum(CHANGE_TYPES).optional(),
    mac: deviceKeySchema.optional(),
    min_severity: z.enum(SEVERITIES).optional(),
    since: isoTimeQuery.optional(),
    limit: limitSchema,
    offset: offsetSchema,
  })
  .strict();
export type ChangeListQuery = z.infer<typeof changeListQuery>;
export const changeListSchema = listOf(changeSchema);
