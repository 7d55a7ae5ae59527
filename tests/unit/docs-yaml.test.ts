/**
 * The YAML examples of README.md and DOCS.md work as written: every ```yaml block parses and is either a Home
 * Assistant automation or a LAN Sentinel card configuration (anything else fails, so a new example gets
 * checked here on purpose).
 * - automations: every entity id is one MQTT discovery really creates, every `event_type` compared against is
 *   one of that event entity's `event_types`, every `trigger.to_state.attributes.X` is a key of the payload the
 *   entity publishes, actions are `domain.service` calls (notify services as `notify_services` takes them);
 * - cards: the card's own parser accepts the block, every key is a card option, and the values listed in a
 *   comment (`# all | online …`) are exactly the ones the card accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULTS, HUB_KEYS, parseConfig } from '../../frontend-card/src/card/config.js';
import { deviceDiscovery, hubDiscovery } from '../../src/ha/discovery.js';
import { alertEventPayload, deviceState, eventPayload } from '../../src/ha/states.js';
import { newDevice } from '../../src/inventory/sweep.js';
import { CARD_FILTERS, CARD_SORTS } from '../../src/vocabulary.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ctx = { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel', swVersion: 'test' };

interface Component {
  platform: string;
  default_entity_id?: string;
  event_types?: string[];
}
function components(): Map<string, Component> {
  const byId = new Map<string, Component>();
  const add = (cs: unknown) => {
    for (const c of Object.values(cs as Record<string, Component>))
      if (c.default_entity_id) byId.set(c.default_entity_id, c);
  };
  add(hubDiscovery(ctx).payload.components);
  const d = newDevice('aa:bb:cc:dd:ee:ff', '10.0.0.5', null, null, new Date(0).toISOString());
  add(deviceDiscovery({ ...d, portsScannedAt: d.firstSeen, risk: 'none' }, ctx).payload.components);
  return byId;
}

/** The keys each event entity's payload carries (HA makes them the event's attributes). */
function payloadKeys(entity: string): string[] {
  const time = new Date(0).toISOString();
  if (entity === 'event.lan_sentinel_network_event')
    return Object.keys(
      eventPayload({
        type: 'new_device',
        mac: 'aa:bb:cc:dd:ee:ff',
        ip: '10.0.0.5',
        name: 'x',
        vendor: 'y',
        severity: 'info',
        message: 'm',
        time,
      } as Parameters<typeof eventPayload>[0]),
    );
  if (entity === 'event.lan_sentinel_alert')
    return Object.keys(
      alertEventPayload({
        event_type: 'new_device',
        mac: null,
        ip: null,
        name: null,
        vendor: null,
        severity: 'info',
        title: 't',
        message: 'm',
        time,
        rule: 'r',
      } as Parameters<typeof alertEventPayload>[0]),
    );
  return [];
}

interface Block {
  file: string;
  line: number;
  text: string;
}
function yamlBlocks(file: string): Block[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const out: Block[] = [];
  let cur: Block | null = null;
  let inOther = false;
  for (const [i, l] of lines.entries()) {
    const fence = /^\s*```(\w*)/.exec(l);
    if (fence) {
      if (cur) {
        out.push(cur);
        cur = null;
      } else if (inOther) inOther = false;
      else if (fence[1] === 'yaml' || fence[1] === 'yml') cur = { file, line: i + 1, text: '' };
      else inOther = true;
      continue;
    }
    if (cur) cur.text += `${l}\n`;
  }
  return out;
}

/** every value of `key:` anywhere in a parsed document */
function valuesOf(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const n of node) valuesOf(n, key, out);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push(...(Array.isArray(v) ? v : [v]));
      valuesOf(v, key, out);
    }
  return out;
}

const blocks = ['README.md', 'DOCS.md'].flatMap(yamlBlocks);
const known = components();

describe('YAML examples in the docs', () => {
  it('there are examples to check (an automation and a card)', () => {
    const docs = blocks.map((b) => parse(b.text) as Record<string, unknown>);
    expect(docs.some((d) => 'triggers' in d)).toBe(true);
    expect(docs.some((d) => d.type === 'custom:lan-sentinel-card')).toBe(true);
  });

  for (const b of blocks) {
    const where = `${b.file}:${b.line}`;
    it(`${where} parses and works as written`, () => {
      const doc = parse(b.text) as Record<string, unknown>;
      expect(doc && typeof doc === 'object', where).toBe(true);
      if ('triggers' in doc) {
        // the current automation syntax (triggers/trigger, conditions/condition, actions/action)
        expect(
          Object.keys(doc).filter((k) => ['trigger', 'condition', 'action', 'service'].includes(k)),
        ).toEqual([]);
        const entities = valuesOf(doc, 'entity_id') as string[];
        expect(entities.length, where).toBeGreaterThan(0);
        for (const e of entities)
          expect(known.has(e), `${where}: ${e} is not created by discovery`).toBe(true);
        const templates = JSON.stringify(doc);
        const attrs = [...templates.matchAll(/trigger\.to_state\.attributes\.(\w+)/g)].map((m) => m[1]!);
        const events = [...templates.matchAll(/event_type\s*==\s*'(\w+)'/g)].map((m) => m[1]!);
        for (const e of entities.filter((x) => x.startsWith('event.'))) {
          const keys = payloadKeys(e);
          expect(keys.length, `${where}: payload of ${e}`).toBeGreaterThan(0);
          for (const a of attrs) expect(keys, `${where}: attribute ${a} of ${e}`).toContain(a);
          for (const t of events) expect(known.get(e)!.event_types, `${where}: event_type ${t}`).toContain(t);
        }
        // a device's entities carry its state as attributes (the tracker's json_attributes_topic)
        for (const e of entities.filter((x) => x.startsWith('device_tracker.'))) {
          const keys = Object.keys(
            deviceState(
              newDevice('aa:bb:cc:dd:ee:ff', '10.0.0.5', null, null, new Date(0).toISOString()),
              [],
            ),
          );
          for (const a of attrs) expect(keys, `${where}: attribute ${a} of ${e}`).toContain(a);
          for (const a of valuesOf(doc, 'attribute') as string[])
            expect(keys, `${where}: attribute ${a} of ${e}`).toContain(a);
        }
        for (const a of valuesOf(doc, 'action') as unknown[]) {
          if (typeof a !== 'string') continue;
          expect(a, where).toMatch(/^[a-z_]+\.[a-z0-9_]+$/);
          // a phone, as the notify_services option takes it
          if (a.startsWith('notify.')) expect(a, where).toMatch(/^notify\.mobile_app_[a-z0-9_]+$/);
        }
        for (const c of valuesOf(doc, 'condition') as unknown[])
          expect(['template', 'state', 'numeric_state', 'time', 'and', 'or', 'not']).toContain(c);
        for (const t of valuesOf(doc, 'trigger') as unknown[])
          if (typeof t === 'string') expect(['state', 'event', 'mqtt', 'numeric_state']).toContain(t);
      } else if (doc.type === 'custom:lan-sentinel-card') {
        expect(() => parseConfig(doc), where).not.toThrow();
        const options = new Set([
          'type',
          ...Object.keys(DEFAULTS),
          'ingress_path',
          ...HUB_KEYS.map((k) => `${k}_entity`),
        ]);
        for (const k of Object.keys(doc)) expect(options.has(k), `${where}: card option ${k}`).toBe(true);
        const parsed = parseConfig(doc) as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(doc)) expect(parsed[k], `${where}: ${k}`).toEqual(v);
        // the values a comment lists are the ones the card takes
        for (const line of b.text.split('\n')) {
          const m = /^(\w+):[^#]*#\s*(.+)$/.exec(line);
          if (!m || !m[2]!.includes('|')) continue;
          const listed = m[2]!.split('|').map((s) => s.trim());
          const allowed = m[1] === 'default_filter' ? CARD_FILTERS : m[1] === 'sort' ? CARD_SORTS : null;
          expect(allowed, `${where}: a comment lists values of ${m[1]}`).not.toBeNull();
          expect([...listed].sort(), `${where}: ${m[1]}`).toEqual([...allowed!].sort());
        }
      } else {
        throw new Error(`${where}: a YAML example this test does not know how to check`);
      }
    });
  }
});
