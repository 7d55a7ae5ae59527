/** The wire contract of cve feeds (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { isoTime } from '../wirePrimitives.js';

export const cveStatusSchema = z.object({
  /** CVE rules in force (shipped + imported) */
  rules_active: z.number().int(),
  last_import: z
    .object({
      time: isoTime,
      format: z.string(),
      added: z.number().int(),
      updated: z.number().int(),
      skipped: z.number().int(),
    })
    .nullable(),
});
export type CveStatusJson = z.infer<typeof cveStatusSchema>;

export const cveImportSchema = z.object({
  format: z.enum(['nvd', 'kev', 'rules']),
  added: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  /** a few reasons for skipped records */
  notes: z.array(z.string()),
  /** now: in force in the running service; at_start: no service runs, it loads them when it starts; pending: not confirmed yet */
  applied: z.enum(['now', 'at_start', 'pending']),
  rules_active: z.number().int(),
  /** port-scanned devices re-assessed against the new rules */
  reassessed: z.number().int(),
  service_pid: z.number().int().nullable(),
  imported_at: isoTime,
});
export type CveImportJson = z.infer<typeof cveImportSchema>;
