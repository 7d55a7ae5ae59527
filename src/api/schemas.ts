/**
 * The HTTP API's wire contract (DESIGN §9): zod schemas for every path parameter, query, request body and
 * response body, plus the TypeScript types inferred from them. The UI (frontend-card/src/app) codes against
 * these types; the OpenAPI document (`api/openapi.json`) is generated from these schemas.
 *
 * Conventions: JSON keys are snake_case (mirroring the MQTT device state where they overlap), times are
 * ISO-8601 strings with a timezone, absent values are `null` (never missing), lists use the envelope
 * `{ items, total, limit, offset }`, errors are `{ error, message, issues? }`.
 */

export { FINDING_KINDS } from '../vocabulary.js';
export * from './routes/alertSchemas.js';
export * from './routes/changeSchemas.js';
export * from './routes/cveSchemas.js';
export * from './routes/deviceSchemas.js';
export * from './routes/findingSchemas.js';
export * from './routes/healthSchemas.js';
export * from './routes/keySchemas.js';
export * from './routes/mapSchemas.js';
export * from './routes/scanSchemas.js';
export * from './routes/sseSchemas.js';
export * from './routes/statsSchemas.js';
export * from './routes/webhookSchemas.js';
export * from './wirePrimitives.js';
