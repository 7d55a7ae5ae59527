/**
 * Every Home Assistant entity id that README.md or DOCS.md names must be one MQTT discovery really creates
 * (the `default_entity_id` of a hub or device component), so a copied automation works as written.
 * Device entities may be written with the `<mac12>` placeholder or a real 12-hex MAC.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceDiscovery, hubDiscovery } from '../../src/ha/discovery.js';
import { newDevice } from '../../src/inventory/sweep.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ctx = { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel', swVersion: 'test' };
const ENTITY = /\b(?:sensor|binary_sensor|event|button|device_tracker)\.lan_sentinel[a-z0-9_<>]*/g;

function created(): Set<string> {
  const ids = new Set<string>();
  const add = (components: unknown) => {
    for (const c of Object.values(components as Record<string, { default_entity_id?: string }>))
      if (c.default_entity_id) ids.add(c.default_entity_id);
  };
  add(hubDiscovery(ctx).payload.components);
  const d = newDevice('aa:bb:cc:dd:ee:ff', '10.0.0.5', null, null, new Date(0).toISOString());
  add(deviceDiscovery({ ...d, portsScannedAt: d.firstSeen, risk: 'none' }, ctx).payload.components);
  // device ids written with the placeholder
  for (const id of [...ids]) if (id.includes('aabbccddeeff')) ids.add(id.replace('aabbccddeeff', '<mac12>'));
  return ids;
}

describe('entity ids named in the docs', () => {
  const known = created();
  it('discovery creates the hub network event entity the automation example uses', () => {
    expect(known.has('event.lan_sentinel_network_event')).toBe(true);
    expect(known.has('sensor.lan_sentinel_last_port_scan')).toBe(true);
  });
  for (const file of ['README.md', 'DOCS.md']) {
    it(`${file} names only entity ids that discovery creates`, () => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const named = [...text.matchAll(ENTITY)].map((m) => m[0].replace(/[0-9a-f]{12}/, 'aabbccddeeff'));
      const unknown = named.filter(
        (id) => !known.has(id) && !known.has(id.replace('aabbccddeeff', '<mac12>')),
      );
      expect(unknown, `known: ${[...known].join(', ')}`).toEqual([]);
      if (file === 'DOCS.md') expect(named.length).toBeGreaterThan(0);
    });
  }
});
