/** Card configuration: defaults and a small hand-written validator (keeps the bundle free of a schema library). */

export const CARD_TAG = 'lan-sentinel-card';

import { HUB_ID } from '../../../src/ha/topics.js';
import { CARD_FILTERS, CARD_SORTS, type CardFilter, type CardSort } from '../../../src/vocabulary.js';
import type { HassDevice } from './ha-types.js';

export const FILTERS = CARD_FILTERS;
export type Filter = CardFilter;
export const SORTS = CARD_SORTS;
export type SortKey = CardSort;

/** Hub sensors; overridable per key (`<key>_entity`) in case the user renamed the entity ids. */
export const HUB_KEYS = ['devices_online', 'devices_known', 'devices_new', 'threats_active'] as const;
export type HubKey = (typeof HUB_KEYS)[number];

export interface CardConfig {
  type: string;
  title: string;
  default_filter: Filter;
  show_offline: boolean;
  max_rows: number;
  sort: SortKey;
  compact: boolean;
  show_summary: boolean;
  /** Add-on slug for the ingress panel (`/app/<slug>`) when the hub device is not in hass.devices, e.g. `local_lan_sentinel`. */
  addon_slug: string;
  /** Full frontend path to open instead (overrides addon_slug), e.g. `/app/abcd1234_lan_sentinel`. */
  ingress_path?: string;
  devices_online_entity?: string;
  devices_known_entity?: string;
  devices_new_entity?: string;
  threats_active_entity?: string;
}

export const DEFAULTS: Omit<CardConfig, 'type'> = {
  title: 'LAN Sentinel',
  default_filter: 'all',
  show_offline: true,
  max_rows: 10,
  sort: 'last_seen',
  compact: false,
  show_summary: true,
  addon_slug: 'lan_sentinel',
};

export const MAX_ROWS_LIMIT = 1000;

const fail = (msg: string): never => {
  throw new Error(`${CARD_TAG}: ${msg}`);
};

const show = (v: unknown): string => {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
  } catch {
    return String(v);
  }
};

function oneOf<T extends string>(key: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(`${key} must be one of ${allowed.join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

function bool(key: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(`${key} must be true or false, got ${show(v)}`);
  return v as boolean;
}

function str(key: string, v: unknown, max = 200): string {
  if (typeof v !== 'string') fail(`${key} must be a string, got ${show(v)}`);
  if ((v as string).length > max) fail(`${key} must be at most ${max} characters`);
  return v as string;
}

const ENTITY_ID = /^sensor\.[a-z0-9_]+$/;
const SLUG = /^[a-z0-9_]{1,64}$/;

/**
 * Validate a raw Lovelace config and fill defaults. Unknown keys (HA adds `grid_options`, `view_layout`,
 * `visibility`…) are kept out of the result but never rejected. Throws `lan-sentinel-card: <what> …`.
 */
export function parseConfig(raw: unknown): CardConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('the card configuration must be a mapping');
  const c = raw as Record<string, unknown>;
  const out: CardConfig = { type: typeof c.type === 'string' ? c.type : `custom:${CARD_TAG}`, ...DEFAULTS };
  if (c.title !== undefined) out.title = str('title', c.title, 100);
  if (c.default_filter !== undefined) out.default_filter = oneOf('default_filter', c.default_filter, FILTERS);
  if (c.sort !== undefined) out.sort = oneOf('sort', c.sort, SORTS);
  if (c.show_offline !== undefined) out.show_offline = bool('show_offline', c.show_offline);
  if (c.compact !== undefined) out.compact = bool('compact', c.compact);
  if (c.show_summary !== undefined) out.show_summary = bool('show_summary', c.show_summary);
  if (c.max_rows !== undefined) {
    const n = c.max_rows;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      fail(`max_rows must be a positive integer, got ${show(n)}`);
    }
    if ((n as number) > MAX_ROWS_LIMIT) fail(`max_rows must be at most ${MAX_ROWS_LIMIT}, got ${n}`);
    out.max_rows = n as number;
  }
  if (c.addon_slug !== undefined) {
    const s = str('addon_slug', c.addon_slug, 64);
    if (!SLUG.test(s))
      fail(`addon_slug must be lower-case letters, digits and _ (e.g. local_lan_sentinel), got ${show(s)}`);
    out.addon_slug = s;
  }
  if (c.ingress_path !== undefined && c.ingress_path !== '') {
    const p = str('ingress_path', c.ingress_path, 200);
    if (!p.startsWith('/') || p.startsWith('//') || /[\s<>"'\\]/.test(p)) {
      fail(
        `ingress_path must be a path inside Home Assistant starting with / (e.g. /app/local_lan_sentinel), got ${show(p)}`,
      );
    }
    out.ingress_path = p;
  }
  for (const k of HUB_KEYS) {
    const key = `${k}_entity` as const;
    const v = c[key];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string' || !ENTITY_ID.test(v))
      fail(`${key} must be a sensor entity id like sensor.lan_sentinel_${k}, got ${show(v)}`);
    out[key] = v as string;
  }
  return out;
}

/** `homeassistant://app/<slug>` (what the add-on publishes as configuration_url) → `/app/<slug>`; else null. */
export function panelPathFromUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  const m = /^homeassistant:\/\/(app\/[a-z0-9_]+)\/?$/.exec(url);
  return m ? `/${m[1]}` : null;
}

/**
 * Frontend path of the LAN Sentinel ingress panel: `ingress_path` when set, else the hub device's
 * configuration_url in `hass.devices` (it carries the real slug, e.g. `/app/5c53de3b_lan_sentinel`), else
 * `/app/<addon_slug>`.
 */
export function ingressPath(
  config: Pick<CardConfig, 'addon_slug' | 'ingress_path'>,
  devices?: Record<string, HassDevice>,
): string {
  if (config.ingress_path) return config.ingress_path;
  for (const d of Object.values(devices ?? {})) {
    if (!d?.identifiers?.some((i) => Array.isArray(i) && i[0] === 'mqtt' && i[1] === HUB_ID)) continue;
    const p = panelPathFromUrl(d.configuration_url);
    if (p) return p;
  }
  return `/app/${config.addon_slug}`;
}
