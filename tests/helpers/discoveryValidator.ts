/**
 * An independent HA MQTT discovery validator, table-driven from the "Checker rules" at the end of
 * /work/shared/reference/ha-reference.md. It deliberately imports nothing from src/: every list below is copied
 * from the reference so a builder bug cannot hide behind a shared constant. Returns a list of errors (empty = valid),
 * each prefixed with the rule number.
 */

// ---- data from the reference ----------------------------------------------------------------------------------

const SUPPORTED_COMPONENTS = new Set([
  'alarm_control_panel',
  'binary_sensor',
  'button',
  'camera',
  'climate',
  'cover',
  'date',
  'datetime',
  'device_automation',
  'device_tracker',
  'event',
  'fan',
  'humidifier',
  'image',
  'infrared',
  'lawn_mower',
  'light',
  'lock',
  'notify',
  'number',
  'scene',
  'siren',
  'select',
  'sensor',
  'switch',
  'tag',
  'text',
  'time',
  'update',
  'vacuum',
  'valve',
  'water_heater',
]);

const NON_ENTITY_PLATFORMS = new Set(['device_automation', 'tag']);

const TOP_ABBR: Record<string, string> = {
  avty: 'availability',
  avty_mode: 'availability_mode',
  avty_t: 'availability_topic',
  avty_tpl: 'availability_template',
  cmd_t: 'command_topic',
  cmd_tpl: 'command_template',
  cmps: 'components',
  def_ent_id: 'default_entity_id',
  dev: 'device',
  dev_cla: 'device_class',
  dsp_prc: 'display_precision',
  e: 'encoding',
  en: 'enabled_by_default',
  ent_cat: 'entity_category',
  ent_pic: 'entity_picture',
  evt_typ: 'event_types',
  exp_aft: 'expire_after',
  frc_upd: 'force_update',
  ic: 'icon',
  json_attr_t: 'json_attributes_topic',
  json_attr_tpl: 'json_attributes_template',
  l_ver_t: 'latest_version_topic',
  l_ver_tpl: 'latest_version_template',
  lrst_val_tpl: 'last_reset_value_template',
  migr_discvry: 'migrate_discovery',
  o: 'origin',
  obj_id: 'object_id',
  off_dly: 'off_delay',
  ops: 'options',
  opt: 'optimistic',
  p: 'platform',
  pl_avail: 'payload_available',
  pl_not_avail: 'payload_not_available',
  pl_home: 'payload_home',
  pl_not_home: 'payload_not_home',
  pl_on: 'payload_on',
  pl_off: 'payload_off',
  pl_prs: 'payload_press',
  pl_rst: 'payload_reset',
  pl_inst: 'payload_install',
  ret: 'retain',
  rel_s: 'release_summary',
  rel_u: 'release_url',
  src_type: 'source_type',
  stat_cla: 'state_class',
  stat_off: 'state_off',
  stat_on: 'state_on',
  stat_t: 'state_topic',
  stat_tpl: 'state_template',
  sug_dsp_prc: 'suggested_display_precision',
  t: 'topic',
  tit: 'title',
  uniq_id: 'unique_id',
  unit_of_meas: 'unit_of_measurement',
  val_tpl: 'value_template',
};
const DEVICE_ABBR: Record<string, string> = {
  cu: 'configuration_url',
  cns: 'connections',
  ids: 'identifiers',
  mf: 'manufacturer',
  mdl: 'model',
  mdl_id: 'model_id',
  hw: 'hw_version',
  sw: 'sw_version',
  sa: 'suggested_area',
  sn: 'serial_number',
};
const ORIGIN_ABBR: Record<string, string> = { sw: 'sw_version', url: 'support_url' };
const AVAIL_ABBR: Record<string, string> = {
  t: 'topic',
  pl_avail: 'payload_available',
  pl_not_avail: 'payload_not_available',
  val_tpl: 'value_template',
};

const DEVICE_KEYS = new Set([
  'identifiers',
  'connections',
  'manufacturer',
  'model',
  'model_id',
  'name',
  'hw_version',
  'serial_number',
  'sw_version',
  'via_device',
  'via_hub',
  'suggested_area',
  'configuration_url',
]);
const ORIGIN_KEYS = new Set(['name', 'sw_version', 'support_url']);
const AVAIL_KEYS = new Set(['topic', 'payload_available', 'payload_not_available', 'value_template']);
const DEVICE_SHARED_KEYS = new Set([
  'device',
  'origin',
  'components',
  'availability',
  'availability_mode',
  'availability_template',
  'availability_topic',
  'payload_available',
  'payload_not_available',
  'state_topic',
  'command_topic',
  'qos',
  'encoding',
  'message_expiry_interval',
]);

const BINARY_SENSOR_CLASSES = new Set([
  'battery',
  'battery_charging',
  'carbon_monoxide',
  'cold',
  'connectivity',
  'door',
  'garage_door',
  'gas',
  'heat',
  'light',
  'lock',
  'moisture',
  'motion',
  'moving',
  'occupancy',
  'opening',
  'plug',
  'power',
  'presence',
  'problem',
  'running',
  'safety',
  'smoke',
  'sound',
  'tamper',
  'update',
  'vibration',
  'window',
]);
const SENSOR_CLASSES = new Set([
  'apparent_power',
  'aqi',
  'area',
  'atmospheric_pressure',
  'battery',
  'blood_glucose_concentration',
  'carbon_monoxide',
  'carbon_dioxide',
  'conductivity',
  'current',
  'data_rate',
  'data_size',
  'date',
  'distance',
  'duration',
  'energy',
  'energy_distance',
  'energy_storage',
  'enum',
  'frequency',
  'gas',
  'humidity',
  'illuminance',
  'irradiance',
  'moisture',
  'monetary',
  'nitrogen_dioxide',
  'nitrogen_monoxide',
  'nitrous_oxide',
  'ozone',
  'ph',
  'pm1',
  'pm10',
  'pm25',
  'power',
  'power_factor',
  'precipitation',
  'precipitation_intensity',
  'pressure',
  'reactive_power',
  'signal_strength',
  'sound_pressure',
  'speed',
  'sulphur_dioxide',
  'temperature',
  'timestamp',
  'volatile_organic_compounds',
  'volatile_organic_compounds_parts',
  'voltage',
  'volume',
  'volume_flow_rate',
  'volume_storage',
  'water',
  'weight',
  'wind_direction',
  'wind_speed',
  'pm4',
  'reactive_energy',
  'uptime',
]);
const NON_NUMERIC_SENSOR_CLASSES = new Set(['date', 'enum', 'timestamp', 'uptime']);
const STATE_CLASSES = new Set(['measurement', 'measurement_angle', 'total', 'total_increasing']);
const CLASS_UNITS: Record<string, Set<string>> = {
  duration: new Set(['d', 'h', 'min', 's', 'ms', 'μs']),
  signal_strength: new Set(['dB', 'dBm']),
  data_size: new Set([
    'bit',
    'kbit',
    'Mbit',
    'Gbit',
    'B',
    'kB',
    'MB',
    'GB',
    'TB',
    'PB',
    'EB',
    'ZB',
    'YB',
    'KiB',
    'MiB',
    'GiB',
    'TiB',
    'PiB',
    'EiB',
    'ZiB',
    'YiB',
  ]),
  data_rate: new Set([
    'bit/s',
    'kbit/s',
    'Mbit/s',
    'Gbit/s',
    'B/s',
    'kB/s',
    'MB/s',
    'GB/s',
    'KiB/s',
    'MiB/s',
    'GiB/s',
  ]),
  battery: new Set(['%']),
  humidity: new Set(['%']),
  moisture: new Set(['%']),
};
const SOURCE_TYPES = new Set(['gps', 'router', 'bluetooth', 'bluetooth_le']);
const BUTTON_CLASSES = new Set(['identify', 'restart', 'update']);
const EVENT_CLASSES = new Set(['button', 'doorbell', 'motion']);
const SWITCH_CLASSES = new Set(['outlet', 'switch']);
const TOPIC_MATCHER = /^(\w+)\/(?:([a-zA-Z0-9_-]+)\/)?([a-zA-Z0-9_-]+)\/config$/;
const MAX_BYTES = 16384;

// ---- helpers ----------------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

function expand(o: Obj, table: Record<string, string>): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) out[table[k] ?? k] = v;
  return out;
}

function expandEntity(raw: Obj): Obj {
  const o = expand(raw, TOP_ABBR);
  if (isObj(o.device)) o.device = expand(o.device, DEVICE_ABBR);
  if (isObj(o.origin)) o.origin = expand(o.origin, ORIGIN_ABBR);
  if (Array.isArray(o.availability)) {
    o.availability = o.availability.map((a) => (isObj(a) ? expand(a, AVAIL_ABBR) : a));
  } else if (isObj(o.availability)) {
    o.availability = expand(o.availability, AVAIL_ABBR);
  }
  // `~` substitution
  const base = o['~'];
  if (isStr(base)) {
    for (const [k, v] of Object.entries(o)) {
      if (k.endsWith('topic') && isStr(v)) o[k] = v.replace(/^~/, base).replace(/~$/, base);
    }
    if (Array.isArray(o.availability)) {
      for (const a of o.availability) {
        if (isObj(a) && isStr(a.topic)) a.topic = a.topic.replace(/^~/, base).replace(/~$/, base);
      }
    }
  }
  return o;
}

function validUrl(v: unknown, schemes: string[]): boolean {
  if (!isStr(v)) return false;
  const m = /^([a-z][a-z0-9+.-]*):\/\/\S+$/i.exec(v);
  return m !== null && schemes.includes((m[1] ?? '').toLowerCase());
}

function subscribeTopicOk(t: string): boolean {
  if (t.length === 0 || t.includes('\u0000')) return false;
  const levels = t.split('/');
  return levels.every((l, i) => {
    if (l.includes('#')) return l === '#' && i === levels.length - 1;
    if (l.includes('+')) return l === '+';
    return true;
  });
}
function publishTopicOk(t: string): boolean {
  return t.length > 0 && !t.includes('\u0000') && !t.includes('+') && !t.includes('#');
}

const BOOL_KEYS = ['enabled_by_default', 'visible_by_default', 'retain', 'optimistic', 'force_update'];
const PUBLISH_TOPIC_KEYS = ['command_topic'];

export interface ValidateOptions {
  prefix?: string;
  /** how the message was published (rule 4) */
  retain?: boolean;
  qos?: number;
}

/** Validates one discovery message (topic + raw payload string or object). */
export function validateDiscovery(
  topic: string,
  payload: string | Obj,
  opts: ValidateOptions = {},
): string[] {
  const errors: string[] = [];
  const err = (rule: number, msg: string) => errors.push(`rule ${rule}: ${msg}`);
  const prefix = opts.prefix ?? 'homeassistant';

  if (!topic.startsWith(`${prefix}/`)) {
    err(1, `topic "${topic}" is not under the prefix "${prefix}/"`);
    return errors;
  }
  const m = TOPIC_MATCHER.exec(topic.slice(prefix.length + 1));
  if (!m) {
    err(1, `illegal discovery topic "${topic}"`);
    return errors;
  }
  const component = m[1] ?? '';
  if (component !== 'device' && !SUPPORTED_COMPONENTS.has(component))
    err(2, `unsupported component "${component}"`);
  if (opts.retain !== undefined && opts.retain !== true) err(4, 'config not published retained');
  if (opts.qos !== undefined && opts.qos < 1) err(4, `config published at QoS ${opts.qos}`);

  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  if (text.length === 0) return errors; // removal
  if (Buffer.byteLength(text, 'utf8') >= MAX_BYTES)
    err(61, `payload is ${Buffer.byteLength(text)} bytes (≥ 16 KiB)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    err(3, 'payload is not JSON');
    return errors;
  }
  if (!isObj(parsed)) {
    err(3, 'payload is not a JSON object');
    return errors;
  }
  const rawMigrate = parsed.migrate_discovery ?? parsed.migr_discvry;
  if (rawMigrate !== undefined) {
    if (rawMigrate !== true) err(5, 'migrate_discovery must be exactly true');
    if (Object.keys(parsed).length > 1) err(5, 'migrate_discovery payload carries other keys');
    return errors;
  }
  const top = expandEntity(parsed);

  if (component === 'device') {
    for (const k of ['device', 'origin', 'components']) if (top[k] === undefined) err(25, `missing "${k}"`);
    if (top.components !== undefined && !isObj(top.components)) err(25, '"components" is not an object');
    for (const k of Object.keys(top)) {
      if (!DEVICE_SHARED_KEYS.has(k) && k !== '~') err(28, `top-level key "${k}" is not a shared option`);
    }
    checkCommon(top, err, 'device payload', true);
    const comps = isObj(top.components) ? top.components : {};
    for (const [cid, rawC] of Object.entries(comps)) {
      if (!/^[a-zA-Z0-9_-]+$/.test(cid)) err(29, `component id "${cid}" has illegal characters`);
      if (!isObj(rawC)) {
        err(26, `component "${cid}" is not an object`);
        continue;
      }
      const c = expandEntity(rawC);
      const platform = c.platform;
      if (!isStr(platform) || !SUPPORTED_COMPONENTS.has(platform)) {
        err(26, `component "${cid}" platform "${String(platform)}" is not supported`);
        continue;
      }
      if (Object.keys(c).length === 1) continue; // removal marker {p: ...}
      if (!NON_ENTITY_PLATFORMS.has(platform) && !isStr(c.unique_id))
        err(27, `component "${cid}" has no unique_id`);
      // inherit shared options
      const merged: Obj = { ...c };
      for (const k of DEVICE_SHARED_KEYS) {
        if (k === 'components') continue;
        if (merged[k] === undefined && top[k] !== undefined) merged[k] = top[k];
      }
      checkCommon(merged, err, `component "${cid}"`, false);
      checkPlatform(platform, merged, err, `component "${cid}"`);
    }
  } else {
    checkCommon(top, err, component, false);
    checkPlatform(component, top, err, component);
  }
  return errors;
}

function checkCommon(o: Obj, err: (r: number, m: string) => void, where: string, isDeviceTop: boolean): void {
  if (o.qos !== undefined && o.qos !== 0 && o.qos !== 1 && o.qos !== 2)
    err(6, `${where}: qos ${String(o.qos)}`);
  if (o.encoding !== undefined && !isStr(o.encoding)) err(6, `${where}: encoding is not a string`);
  if (o.availability !== undefined && o.availability_topic !== undefined) {
    err(7, `${where}: both availability and availability_topic`);
  }
  if (o.availability !== undefined) {
    const list = Array.isArray(o.availability) ? o.availability : [o.availability];
    for (const a of list) {
      if (!isObj(a)) {
        err(8, `${where}: availability item is not an object`);
        continue;
      }
      if (!isStr(a.topic)) err(8, `${where}: availability item without topic`);
      for (const k of Object.keys(a)) if (!AVAIL_KEYS.has(k)) err(8, `${where}: availability key "${k}"`);
    }
  }
  if (o.availability_mode !== undefined && !['all', 'any', 'latest'].includes(String(o.availability_mode))) {
    err(9, `${where}: availability_mode "${String(o.availability_mode)}"`);
  }
  for (const [k, v] of Object.entries(o)) {
    if (!k.endsWith('_topic') && k !== 'topic') continue;
    if (!isStr(v)) {
      err(10, `${where}: ${k} is not a string`);
      continue;
    }
    if (PUBLISH_TOPIC_KEYS.includes(k) ? !publishTopicOk(v) : !subscribeTopicOk(v))
      err(10, `${where}: bad ${k} "${v}"`);
  }
  if (Array.isArray(o.availability)) {
    for (const a of o.availability)
      if (isObj(a) && isStr(a.topic) && !subscribeTopicOk(a.topic))
        err(10, `${where}: bad availability topic`);
  }
  if (o.device !== undefined) checkDevice(o.device, err, where);
  if (o.origin !== undefined) checkOrigin(o.origin, err, where);
  if (o.entity_category !== undefined && !['config', 'diagnostic'].includes(String(o.entity_category))) {
    err(15, `${where}: entity_category "${String(o.entity_category)}"`);
  }
  if (o.icon !== undefined) {
    if (!isStr(o.icon) || !o.icon.includes(':'))
      err(16, `${where}: icon "${String(o.icon)}" not prefix:name`);
    else if (!/^mdi:[a-z0-9-]+$/.test(o.icon)) err(16, `${where}: icon "${o.icon}" is not mdi:<name>`);
  }
  for (const k of BOOL_KEYS)
    if (o[k] !== undefined && typeof o[k] !== 'boolean') err(17, `${where}: ${k} is not a boolean`);
  if (o.entity_picture !== undefined && !validUrl(o.entity_picture, ['http', 'https']))
    err(18, `${where}: entity_picture`);
  if (o.message_expiry_interval !== undefined) {
    const v = o.message_expiry_interval;
    if (!(isObj(v) || (typeof v === 'number' && Number.isInteger(v) && v > 0)))
      err(19, `${where}: message_expiry_interval`);
  }
  if (!isDeviceTop && o.object_id !== undefined) err(20, `${where}: deprecated object_id`);
}

function checkDevice(d: unknown, err: (r: number, m: string) => void, where: string): void {
  if (!isObj(d)) {
    err(11, `${where}: device is not an object`);
    return;
  }
  for (const k of Object.keys(d)) if (!DEVICE_KEYS.has(k)) err(11, `${where}: device key "${k}" not allowed`);
  const ids = d.identifiers;
  const cns = d.connections;
  let hasId = false;
  if (ids !== undefined) {
    if (isStr(ids)) hasId = ids.length > 0;
    else if (Array.isArray(ids) && ids.every(isStr)) hasId = ids.length > 0;
    else err(12, `${where}: identifiers must be a string or a list of strings`);
  }
  if (cns !== undefined) {
    if (Array.isArray(cns) && cns.every((c) => Array.isArray(c) && c.length === 2 && c.every(isStr))) {
      hasId ||= cns.length > 0;
    } else err(12, `${where}: connections must be a list of [type, value] string pairs`);
  }
  if (!hasId) err(12, `${where}: device has no identifiers or connections`);
  if (
    d.configuration_url !== undefined &&
    !validUrl(d.configuration_url, ['http', 'https', 'homeassistant'])
  ) {
    err(13, `${where}: configuration_url "${String(d.configuration_url)}"`);
  }
}

function checkOrigin(o: unknown, err: (r: number, m: string) => void, where: string): void {
  if (!isObj(o)) {
    err(14, `${where}: origin is not an object`);
    return;
  }
  for (const k of Object.keys(o)) if (!ORIGIN_KEYS.has(k)) err(14, `${where}: origin key "${k}" not allowed`);
  if (!isStr(o.name)) err(14, `${where}: origin.name required`);
  if (o.support_url !== undefined && !validUrl(o.support_url, ['http', 'https', 'homeassistant'])) {
    err(13, `${where}: origin.support_url "${String(o.support_url)}"`);
  }
}

function nonNegInt(v: unknown): boolean {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

function checkPlatform(p: string, o: Obj, err: (r: number, m: string) => void, where: string): void {
  if (o.default_entity_id !== undefined) {
    const re = new RegExp(`^${p}\\.[a-z0-9_]+$`);
    if (!isStr(o.default_entity_id) || !re.test(o.default_entity_id)) {
      err(21, `${where}: default_entity_id "${String(o.default_entity_id)}" is not ${p}.<object_id>`);
    }
  }
  const dc = o.device_class;
  switch (p) {
    case 'binary_sensor':
      if (!isStr(o.state_topic)) err(31, `${where}: state_topic required`);
      if (dc !== undefined && dc !== null && !BINARY_SENSOR_CLASSES.has(String(dc)))
        err(32, `${where}: device_class "${String(dc)}"`);
      for (const k of ['off_delay', 'expire_after'])
        if (o[k] !== undefined && !nonNegInt(o[k])) err(33, `${where}: ${k}`);
      for (const k of ['payload_on', 'payload_off'])
        if (o[k] !== undefined && !isStr(o[k])) err(33, `${where}: ${k} not a string`);
      if (o.entity_category === 'config') err(34, `${where}: entity_category config on binary_sensor`);
      break;
    case 'sensor': {
      if (!isStr(o.state_topic)) err(35, `${where}: state_topic required`);
      if (dc !== undefined && dc !== null && !SENSOR_CLASSES.has(String(dc)))
        err(36, `${where}: device_class "${String(dc)}"`);
      const sc = o.state_class;
      if (sc !== undefined && sc !== null && !STATE_CLASSES.has(String(sc)))
        err(37, `${where}: state_class "${String(sc)}"`);
      if (o.last_reset_value_template !== undefined && sc !== 'total')
        err(38, `${where}: last_reset_value_template without total`);
      if (o.options !== undefined) {
        if (dc !== 'enum') err(39, `${where}: options without device_class enum`);
        if (!Array.isArray(o.options) || o.options.length === 0) err(39, `${where}: options empty`);
        if (sc !== undefined || o.unit_of_measurement !== undefined)
          err(39, `${where}: options with state_class/unit`);
      }
      if (dc === 'enum' && o.options === undefined) err(39, `${where}: enum sensor without options`);
      const unit = o.unit_of_measurement;
      if (isStr(dc) && CLASS_UNITS[dc] && unit !== undefined && !CLASS_UNITS[dc].has(String(unit))) {
        err(40, `${where}: unit "${String(unit)}" not valid for ${dc}`);
      }
      if (sc === 'measurement_angle' && unit !== '°') err(40, `${where}: measurement_angle needs unit °`);
      if (isStr(dc) && NON_NUMERIC_SENSOR_CLASSES.has(dc) && (sc !== undefined || unit !== undefined)) {
        err(41, `${where}: ${dc} sensor with state_class/unit`);
      }
      if (o.entity_category === 'config') err(42, `${where}: entity_category config on sensor`);
      for (const k of ['suggested_display_precision', 'expire_after'])
        if (o[k] !== undefined && !nonNegInt(o[k])) err(43, `${where}: ${k}`);
      break;
    }
    case 'device_tracker':
      if (!isStr(o.state_topic) && !isStr(o.json_attributes_topic))
        err(45, `${where}: needs state_topic or json_attributes_topic`);
      if (o.source_type !== undefined && !SOURCE_TYPES.has(String(o.source_type)))
        err(46, `${where}: source_type "${String(o.source_type)}"`);
      for (const k of ['payload_home', 'payload_not_home', 'payload_reset'])
        if (o[k] !== undefined && !isStr(o[k])) err(47, `${where}: ${k}`);
      if (!isStr(o.json_attributes_topic)) err(48, `${where}: no json_attributes_topic for in_zones`);
      break;
    case 'button':
      if (!isStr(o.command_topic)) err(49, `${where}: command_topic required`);
      if (dc !== undefined && dc !== null && !BUTTON_CLASSES.has(String(dc)))
        err(50, `${where}: device_class "${String(dc)}"`);
      if (o.payload_press !== undefined && !isStr(o.payload_press)) err(50, `${where}: payload_press`);
      break;
    case 'event':
      if (!isStr(o.state_topic)) err(51, `${where}: state_topic required`);
      if (!Array.isArray(o.event_types) || !o.event_types.every(isStr))
        err(51, `${where}: event_types must be a list of strings`);
      else if (o.event_types.length === 0) err(51, `${where}: event_types empty`);
      if (dc !== undefined && dc !== null && !EVENT_CLASSES.has(String(dc)))
        err(52, `${where}: device_class "${String(dc)}"`);
      if (dc === 'doorbell' && Array.isArray(o.event_types) && !o.event_types.includes('ring'))
        err(52, `${where}: doorbell without ring`);
      break;
    case 'update':
      if (!isStr(o.state_topic)) err(54, `${where}: state_topic required`);
      if (dc !== undefined && dc !== null && dc !== 'firmware')
        err(54, `${where}: device_class "${String(dc)}"`);
      if (o.display_precision !== undefined && !nonNegInt(o.display_precision))
        err(54, `${where}: display_precision`);
      break;
    case 'switch':
    case 'select':
    case 'text':
      if (!isStr(o.command_topic)) err(56, `${where}: command_topic required`);
      if (p === 'switch' && dc !== undefined && dc !== null && !SWITCH_CLASSES.has(String(dc)))
        err(57, `${where}: device_class`);
      if (p === 'select' && !Array.isArray(o.options)) err(58, `${where}: options required`);
      if (p === 'text') {
        const min = o.min === undefined ? 0 : Number(o.min);
        const max = o.max === undefined ? 255 : Number(o.max);
        if (!(min <= max && max <= 255)) err(59, `${where}: min/max`);
        if (o.mode !== undefined && !['text', 'password'].includes(String(o.mode))) err(59, `${where}: mode`);
        if (o.pattern !== undefined) {
          try {
            new RegExp(String(o.pattern));
          } catch {
            err(59, `${where}: pattern`);
          }
        }
      }
      break;
    default:
      break;
  }
}

/** Rules that span payloads: unique_id unique per platform (22), entity name not repeating the device name (23). */
export function validateDiscoverySet(messages: Array<{ topic: string; payload: string | Obj }>): string[] {
  const errors: string[] = [];
  const seen = new Map<string, string>();
  for (const { topic, payload } of messages) {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    for (const e of validateDiscovery(topic, text)) errors.push(`${topic}: ${e}`);
    if (text === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      continue;
    }
    if (!isObj(o)) continue;
    const top = expandEntity(o);
    const device = isObj(top.device) ? top.device : {};
    const devName = isStr(device.name) ? device.name : null;
    const entities: Array<[string, Obj]> = isObj(top.components)
      ? Object.entries(top.components)
          .filter((e): e is [string, Obj] => isObj(e[1]))
          .map(([k, c]) => [k, expandEntity(c)])
      : [[topic, top]];
    for (const [cid, c] of entities) {
      const platform = isStr(c.platform)
        ? c.platform
        : (TOPIC_MATCHER.exec(topic.split('/').slice(1).join('/'))?.[1] ?? '?');
      if (isStr(c.unique_id)) {
        const key = `${platform}:${c.unique_id}`;
        const prev = seen.get(key);
        if (prev)
          errors.push(`${topic}: rule 22: unique_id "${c.unique_id}" (${cid}) already used by ${prev}`);
        else seen.set(key, `${topic}#${cid}`);
      } else if (!NON_ENTITY_PLATFORMS.has(platform)) {
        errors.push(`${topic}: rule 22: ${cid} has no unique_id`);
      }
      if (devName && isStr(c.name) && c.name.toLowerCase().startsWith(devName.toLowerCase())) {
        errors.push(`${topic}: rule 23: entity name "${c.name}" starts with the device name`);
      }
    }
  }
  return errors;
}

/** Rule 24/61: a json_attributes/state payload is a JSON object under 16 KiB. */
export function validateAttributesPayload(text: string): string[] {
  const errors: string[] = [];
  if (Buffer.byteLength(text, 'utf8') >= MAX_BYTES)
    errors.push(`rule 61: attributes are ${Buffer.byteLength(text)} bytes`);
  try {
    if (!isObj(JSON.parse(text))) errors.push('rule 24: attributes payload is not a JSON object');
  } catch {
    errors.push('rule 24: attributes payload is not JSON');
  }
  return errors;
}

/** Rule 53: an event message is a JSON object whose event_type is one of event_types. */
export function validateEventMessage(text: string, eventTypes: string[], retained: boolean): string[] {
  const errors: string[] = [];
  if (retained) errors.push('rule 53: event published retained (HA ignores it)');
  try {
    const o = JSON.parse(text);
    if (!isObj(o)) errors.push('rule 53: event is not a JSON object');
    else if (!isStr(o.event_type) || !eventTypes.includes(o.event_type))
      errors.push(`rule 53: event_type "${String(o.event_type)}" not in event_types`);
  } catch {
    errors.push('rule 53: event is not JSON');
  }
  return errors;
}
