/**
 * config.yaml against the add-on linter's rules (frenck/action-addon-linter, tests/fixtures/addon-linter): its
 * JSON schema applied like lint.py does (Draft 7, and every key set to its schema default is an error), plus
 * lint.py's explicit checks. The validator below implements the Draft 7 keywords that schema uses and throws on
 * any other, so a schema refresh cannot silently weaken the check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const schema = JSON.parse(
  readFileSync(join(root, 'tests', 'fixtures', 'addon-linter', 'config.schema.json'), 'utf8'),
) as Schema;
const manifest = parse(readFileSync(join(root, 'config.yaml'), 'utf8')) as Record<string, unknown>;

interface Schema {
  [k: string]: unknown;
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
  default?: unknown;
}

const KNOWN = new Set([
  '$schema',
  'type',
  'properties',
  'additionalProperties',
  'items',
  'required',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'oneOf',
  'anyOf',
  'default',
  'format',
]);

function typeOf(v: unknown): string[] {
  if (v === null) return ['null'];
  if (Array.isArray(v)) return ['array'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['integer', 'number'] : ['number'];
  return [typeof v];
}

/** Draft 7 errors for `v`, plus lint.py's is_default rule (its extended `properties` validator). */
function validate(s: Schema, v: unknown, path = ''): string[] {
  for (const k of Object.keys(s))
    if (!KNOWN.has(k)) throw new Error(`schema keyword ${k} is not implemented`);
  const errs: string[] = [];
  const at = path || '<root>';
  if (s.type) {
    const want = Array.isArray(s.type) ? s.type : [s.type];
    if (!typeOf(v).some((t) => want.includes(t)))
      return [`${at}: ${JSON.stringify(v)} is not of type ${want}`];
  }
  if (s.enum && !s.enum.some((e) => isDeepStrictEqual(e, v)))
    errs.push(`${at}: ${JSON.stringify(v)} not in enum`);
  // Python's named groups (?P<x>) are JavaScript's (?<x>)
  if (s.pattern && typeof v === 'string' && !new RegExp(s.pattern.replace(/\(\?P</g, '(?<')).test(v))
    errs.push(`${at}: "${v}" does not match ${s.pattern}`);
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) errs.push(`${at}: ${v} < ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) errs.push(`${at}: ${v} > ${s.maximum}`);
  }
  if (Array.isArray(v) && s.items) {
    const items = s.items;
    v.forEach((x, i) => {
      errs.push(...validate(items, x, `${path}[${i}]`));
    });
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) errs.push(`${at}: '${r}' is a required property`);
    for (const [k, x] of Object.entries(o)) {
      const p = s.properties?.[k];
      if (p) {
        if ('default' in p && isDeepStrictEqual(x, p.default))
          errs.push(`'${k}' should be removed, it uses a default value`);
        errs.push(...validate(p, x, path ? `${path}.${k}` : k));
      } else if (s.additionalProperties === false) {
        errs.push(`${at}: additional property '${k}' is not allowed`);
      } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        errs.push(...validate(s.additionalProperties, x, path ? `${path}.${k}` : k));
      }
    }
  }
  if (s.oneOf) {
    const passing = s.oneOf.filter((sub) => validate(sub, v, path).length === 0).length;
    if (passing !== 1) errs.push(`${at}: matches ${passing} of oneOf, not exactly 1`);
  }
  if (s.anyOf && !s.anyOf.some((sub) => validate(sub, v, path).length === 0))
    errs.push(`${at}: matches no anyOf`);
  return errs;
}

/** lint.py's checks outside the schema (errors only; warnings are listed separately). */
function lintPy(c: Record<string, unknown>): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const arch = (c.arch as string[] | undefined) ?? [];
  for (const a of arch)
    if (['armhf', 'armv7', 'i386'].includes(a)) warnings.push(`Architecture '${a}' is deprecated`);
  if (c.ingress) {
    if (c.webui) errors.push("'webui' should be removed, Ingress is enabled.");
    if (!c.host_network && (c.ingress_port ?? 8099) === 0)
      errors.push("'ingress_port' this does not run on the host network.");
  }
  const devices = (c.devices as string[] | undefined) ?? [];
  if (c.full_access && ['devices', 'gpio', 'uart', 'usb'].some((k) => k in c))
    errors.push("'full_access', don't add 'devices', 'uart', 'usb' or 'gpio'");
  if ('auto_uart' in c) errors.push("'auto_uart' is deprecated");
  if (devices.some((d) => d.includes(':'))) errors.push("'devices' uses a deprecated format");
  if (typeof (c.tmpfs ?? false) !== 'boolean') errors.push("'tmpfs' use a deprecated format");
  if ((c.backup ?? 'hot') === 'cold')
    for (const k of ['backup_pre', 'backup_post'])
      if (k in c) errors.push(`'${k}' is not valid when using cold backups.`);
  if (c.watchdog)
    errors.push("'watchdog', is obsolete. Use the native Docker HEALTHCHECK directive instead.");
  if ('codenotary' in c) errors.push("'codenotary' is deprecated and no longer used.");
  const map = (c.map as unknown[] | undefined) ?? [];
  const legacy = ['config', 'config:rw', 'config:ro'].some((m) => map.includes(m));
  if (
    legacy &&
    ['homeassistant_config', 'homeassistant_config:rw', 'homeassistant_config:ro'].some((m) =>
      map.includes(m),
    )
  )
    errors.push("'map' contains both the 'config' and 'homeassistant_config' folder");
  if (c.advanced) warnings.push("'advanced' flag is not recommended");
  return { errors, warnings };
}

describe('config.yaml passes the add-on linter', () => {
  it('meets the linter schema with no key set to its default', () => {
    expect(validate(schema, manifest)).toEqual([]);
  });

  it('passes lint.py’s explicit checks, with no warning', () => {
    expect(lintPy(manifest)).toEqual({ errors: [], warnings: [] });
  });

  it('the checks catch what the linter catches (the manifest as it was before issue 12)', () => {
    const old = {
      ...manifest,
      boot: 'auto',
      startup: 'application',
      panel_admin: true,
      watchdog: 'http://[HOST]:[PORT:8099]/api/health',
    };
    expect(validate(schema, old).sort()).toEqual([
      "'boot' should be removed, it uses a default value",
      "'panel_admin' should be removed, it uses a default value",
      "'startup' should be removed, it uses a default value",
    ]);
    expect(lintPy(old).errors).toEqual([
      "'watchdog', is obsolete. Use the native Docker HEALTHCHECK directive instead.",
    ]);
    expect(validate(schema, { ...manifest, services: ['mqtt:maybe'] })).toHaveLength(1);
    expect(validate(schema, { ...manifest, made_up: 1 })).toHaveLength(1);
    expect(validate(schema, { ...manifest, privileged: ['NET_RAW', 'CHECKPOINT_RESTORE'] })).toHaveLength(1);
    expect(lintPy({ ...manifest, host_network: false }).errors).toHaveLength(1);
  });
});
