import type { Migration } from './index.js';

/**
 * The alert history page (issue 14): each alert_log row says which change fired it, how each channel did
 * (`delivery`: JSON array of {channel, outcome delivered|failed|skipped, detail}) and one filterable summary
 * (`delivery_state`: pending, delivered, partial, failed, not_sent — no channel had anywhere to deliver —, or
 * held_back for quiet hours / flood limit / dedup), and who acknowledged it. Older rows get a state from their
 * status and error.
 */
export const m016AlertHistory: Migration = {
  version: 16,
  name: 'alert_history',
  sql: `
ALTER TABLE alert_log ADD COLUMN change_id INTEGER;
ALTER TABLE alert_log ADD COLUMN delivery TEXT NOT NULL DEFAULT '[]';
ALTER TABLE alert_log ADD COLUMN delivery_state TEXT NOT NULL DEFAULT 'pending'
  CHECK (delivery_state IN ('pending', 'delivered', 'partial', 'failed', 'not_sent', 'held_back'));
ALTER TABLE alert_log ADD COLUMN acked_by TEXT;
UPDATE alert_log SET delivery_state = CASE
  WHEN status = 'failed' THEN 'failed'
  WHEN status IN ('suppressed_quiet', 'suppressed_flood', 'suppressed_dedup') THEN 'held_back'
  WHEN error IS NULL THEN 'delivered'
  ELSE 'partial' END;
`,
};
