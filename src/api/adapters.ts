/**
 * Adapters from the threats/alerts repositories onto the HTTP API's ports (src/api/ports.ts): camelCase
 * records → snake_case wire JSON, arrays → `{ items, total, limit, offset }`, injected clock for `now`. One
 * module per resource beside its routes (routes/findingAdapter, alertAdapter, webhookAdapter); this is the index.
 */
export * from './routes/alertAdapter.js';
export * from './routes/findingAdapter.js';
export * from './routes/webhookAdapter.js';
