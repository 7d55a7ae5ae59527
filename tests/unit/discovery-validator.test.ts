/** The validator must catch each rule it claims to check: every case mutates a known-good payload in one way. */
import { describe, expect, it } from 'vitest';
import {
  validateAttributesPayload,
  validateDiscovery,
  validateDiscoverySet,
  validateEventMessage,
} from '../helpers/discoveryValidator.js';

// biome-ignore lint/suspicious/noExplicitAny: test fixtures are mutated freely, one rule at a time
type Obj = Record<string, any>;

/** Hand-written, abbreviated on purpose (the validator must expand abbreviations). */
function good(): Obj {
  return {
    dev: {
      ids: ['x_aabbccddeeff'],
      cns: [['mac', 'aa:bb:cc:dd:ee:ff']],
      name: 'Kitchen TV',
      mf: 'LG',
      cu: 'http://a.b/',
    },
    o: { name: 'x', sw: '1.0', url: 'https://example.invalid/x' },
    avty: [{ t: 'x/status' }],
    cmps: {
      online: {
        p: 'binary_sensor',
        uniq_id: 'x_aabbccddeeff_online',
        dev_cla: 'connectivity',
        name: null,
        stat_t: 'x/s',
      },
      seen: {
        p: 'sensor',
        uniq_id: 'x_seen',
        dev_cla: 'timestamp',
        name: 'Last seen',
        ent_cat: 'diagnostic',
        stat_t: 'x/s',
      },
      risk: {
        p: 'sensor',
        uniq_id: 'x_risk',
        dev_cla: 'enum',
        ops: ['a', 'b'],
        stat_t: 'x/s',
        def_ent_id: 'sensor.x_risk',
      },
      trk: { p: 'device_tracker', uniq_id: 'x_trk', src_type: 'router', stat_t: 'x/s', json_attr_t: 'x/s' },
      btn: { p: 'button', uniq_id: 'x_btn', cmd_t: 'x/cmd', ic: 'mdi:radar' },
      evt: { p: 'event', uniq_id: 'x_evt', stat_t: 'x/e', evt_typ: ['a'] },
    },
  };
}
const T = 'homeassistant/device/x_aabbccddeeff/config';
const check = (p: Obj | string, topic = T) =>
  validateDiscovery(topic, typeof p === 'string' ? p : JSON.stringify(p));
function mutate(f: (p: Obj) => void): Obj {
  const p = good();
  f(p);
  return p;
}

describe('discovery validator', () => {
  it('accepts the known-good payload and an empty removal payload', () => {
    expect(check(good())).toEqual([]);
    expect(check('')).toEqual([]);
  });

  const cases: Array<[number, string, Obj | string, string?]> = [
    [1, 'topic with a colon', good(), 'homeassistant/device/aa:bb/config'],
    [1, 'topic not ending in config', good(), 'homeassistant/device/x/state'],
    [2, 'unsupported component', good(), 'homeassistant/bogus/x/config'],
    [3, 'not JSON', '{nope'],
    [3, 'JSON array', '[1]'],
    [5, 'migrate_discovery not true', { migrate_discovery: 'yes' }],
    [6, 'qos 3', mutate((p) => (p.qos = 3))],
    [7, 'availability and availability_topic', mutate((p) => (p.avty_t = 'x/y'))],
    [8, 'availability item without topic', mutate((p) => (p.avty = [{ pl_avail: 'up' }]))],
    [8, 'availability extra key', mutate((p) => (p.avty = [{ t: 'x', foo: 1 }]))],
    [9, 'availability_mode bad', mutate((p) => (p.avty_mode = 'some'))],
    [10, 'state topic with bad wildcard', mutate((p) => (p.cmps.online.stat_t = 'x/a#b'))],
    [10, 'command topic with wildcard', mutate((p) => (p.cmps.btn.cmd_t = 'x/+/cmd'))],
    [11, 'device extra key', mutate((p) => (p.dev.support_url = 'http://x'))],
    [
      12,
      'no identifiers nor connections',
      mutate((p) => {
        delete p.dev.ids;
        delete p.dev.cns;
      }),
    ],
    [12, 'connections not pairs', mutate((p) => (p.dev.cns = [['mac']]))],
    [13, 'configuration_url ftp', mutate((p) => (p.dev.cu = 'ftp://x/'))],
    [14, 'origin without name', mutate((p) => delete p.o.name)],
    [14, 'origin extra key', mutate((p) => (p.o.foo = 1))],
    [15, 'entity_category bad', mutate((p) => (p.cmps.btn.ent_cat = 'system'))],
    [16, 'icon without prefix', mutate((p) => (p.cmps.btn.ic = 'radar'))],
    [17, 'enabled_by_default string', mutate((p) => (p.cmps.btn.en = 'false'))],
    [18, 'entity_picture not a URL', mutate((p) => (p.cmps.btn.ent_pic = 'pic.png'))],
    [19, 'message_expiry_interval negative', mutate((p) => (p.cmps.btn.message_expiry_interval = -1))],
    [20, 'object_id', mutate((p) => (p.cmps.btn.obj_id = 'x'))],
    [21, 'default_entity_id wrong domain', mutate((p) => (p.cmps.risk.def_ent_id = 'binary_sensor.x_risk'))],
    [21, 'default_entity_id without domain', mutate((p) => (p.cmps.risk.def_ent_id = 'x_risk'))],
    [25, 'missing origin', mutate((p) => delete p.o)],
    [25, 'components not an object', mutate((p) => (p.cmps = []))],
    [26, 'component platform unsupported', mutate((p) => (p.cmps.btn.p = 'gadget'))],
    [27, 'component without unique_id', mutate((p) => delete p.cmps.btn.uniq_id)],
    [28, 'top-level non-shared key', mutate((p) => (p.icon = 'mdi:x'))],
    [29, 'component id with a dot', mutate((p) => (p.cmps['a.b'] = p.cmps.btn))],
    [31, 'binary_sensor without state_topic', mutate((p) => delete p.cmps.online.stat_t)],
    [32, 'binary_sensor class', mutate((p) => (p.cmps.online.dev_cla = 'online'))],
    [33, 'off_delay negative', mutate((p) => (p.cmps.online.off_dly = -5))],
    [34, 'binary_sensor config category', mutate((p) => (p.cmps.online.ent_cat = 'config'))],
    [35, 'sensor without state_topic', mutate((p) => delete p.cmps.seen.stat_t)],
    [36, 'sensor class', mutate((p) => (p.cmps.seen.dev_cla = 'ip_address'))],
    [37, 'state_class', mutate((p) => (p.cmps.seen.stat_cla = 'average'))],
    [38, 'last_reset without total', mutate((p) => (p.cmps.seen.lrst_val_tpl = '{{ x }}'))],
    [39, 'options without enum', mutate((p) => (p.cmps.seen.ops = ['a']))],
    [39, 'enum with empty options', mutate((p) => (p.cmps.risk.ops = []))],
    [39, 'enum with state_class', mutate((p) => (p.cmps.risk.stat_cla = 'measurement'))],
    [
      40,
      'duration with bad unit',
      mutate((p) => (p.cmps.seen = { ...p.cmps.seen, dev_cla: 'duration', unit_of_meas: 'sec' })),
    ],
    [41, 'timestamp with a unit', mutate((p) => (p.cmps.seen.unit_of_meas = 's'))],
    [42, 'sensor config category', mutate((p) => (p.cmps.seen.ent_cat = 'config'))],
    [43, 'suggested_display_precision negative', mutate((p) => (p.cmps.seen.sug_dsp_prc = -1))],
    [
      45,
      'tracker without topics',
      mutate((p) => {
        delete p.cmps.trk.stat_t;
        delete p.cmps.trk.json_attr_t;
      }),
    ],
    [46, 'tracker source_type', mutate((p) => (p.cmps.trk.src_type = 'wifi'))],
    [47, 'payload_home not a string', mutate((p) => (p.cmps.trk.pl_home = 1))],
    [48, 'tracker without json_attributes_topic', mutate((p) => delete p.cmps.trk.json_attr_t)],
    [49, 'button without command_topic', mutate((p) => delete p.cmps.btn.cmd_t)],
    [50, 'button class', mutate((p) => (p.cmps.btn.dev_cla = 'scan'))],
    [51, 'event without event_types', mutate((p) => delete p.cmps.evt.evt_typ)],
    [51, 'event with empty event_types', mutate((p) => (p.cmps.evt.evt_typ = []))],
    [52, 'event class', mutate((p) => (p.cmps.evt.dev_cla = 'network'))],
    [54, 'update without state_topic', mutate((p) => (p.cmps.upd = { p: 'update', uniq_id: 'x_upd' }))],
    [
      56,
      'switch without command_topic',
      mutate((p) => (p.cmps.sw = { p: 'switch', uniq_id: 'x_sw', stat_t: 'x' })),
    ],
    [
      58,
      'select without options',
      mutate((p) => (p.cmps.sel = { p: 'select', uniq_id: 'x_sel', cmd_t: 'x' })),
    ],
    [59, 'text max > 255', mutate((p) => (p.cmps.txt = { p: 'text', uniq_id: 'x_t', cmd_t: 'x', max: 300 }))],
    [61, 'payload over 16 KiB', mutate((p) => (p.dev.name = 'n'.repeat(17000)))],
  ];
  it.each(cases)('rule %i: %s', (rule, _name, payload, topic) => {
    const errors = check(payload, topic ?? T);
    expect(
      errors.some((e) => e.startsWith(`rule ${rule}:`)),
      JSON.stringify(errors),
    ).toBe(true);
  });

  it('rule 4: non-retained or QoS 0 configs', () => {
    expect(
      validateDiscovery(T, JSON.stringify(good()), { retain: false, qos: 0 }).filter((e) =>
        e.startsWith('rule 4:'),
      ),
    ).toHaveLength(2);
  });

  it('rule 22: duplicate unique_id across payloads; rule 23: name repeating the device name', () => {
    const a = good();
    const b = mutate((p) => {
      p.dev.ids = ['x_other'];
      p.cmps.btn.name = 'Kitchen TV rescan';
    });
    const errs = validateDiscoverySet([
      { topic: T, payload: JSON.stringify(a) },
      { topic: 'homeassistant/device/x_other/config', payload: JSON.stringify(b) },
    ]);
    expect(errs.some((e) => e.includes('rule 22:'))).toBe(true);
    expect(errs.some((e) => e.includes('rule 23:'))).toBe(true);
  });

  it('rules 24/61/53: attributes and events', () => {
    expect(validateAttributesPayload('[1]')).toEqual(['rule 24: attributes payload is not a JSON object']);
    expect(validateAttributesPayload(JSON.stringify({ a: 'x'.repeat(17000) }))[0]).toMatch(/^rule 61:/);
    expect(validateEventMessage('{"event_type":"nope"}', ['new_device'], false)[0]).toMatch(/^rule 53:/);
    expect(validateEventMessage('{"event_type":"new_device"}', ['new_device'], true)[0]).toMatch(/retained/);
    expect(validateEventMessage('{"event_type":"new_device"}', ['new_device'], false)).toEqual([]);
  });
});
