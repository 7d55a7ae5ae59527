import type { Migration } from './index.js';

/**
 * Why a device is home or away (DESIGN §15): the evidence of its last presence decision — the sweep's answer
 * ("sweep: arp-response"), a confirmation probe that found it ("probe: syn-ack"), passive listening
 * ("passive: dhcp"), or, when away, which probes went unanswered. Shown in the API and as an HA attribute.
 */
export const m013PresenceReason: Migration = {
  version: 13,
  name: 'presence_reason',
  sql: `ALTER TABLE devices ADD COLUMN presence_reason TEXT;`,
};
