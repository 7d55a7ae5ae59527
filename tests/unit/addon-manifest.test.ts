import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPTION_META, OPTION_NAMES, optionsSchema } from '../../src/config/options.js';

const root = join(import.meta.dirname, '..', '..');
const manifest = parse(readFileSync(join(root, 'config.yaml'), 'utf8')) as Record<string, unknown>;
const schema = manifest.schema as Record<string, unknown>;
const options = manifest.options as Record<string, unknown>;

/** The Supervisor's element grammar (apps/options.py RE_SCHEMA_ELEMENT), rewritten from the reference §2.3. */
const RE_SCHEMA_ELEMENT = new RegExp(
  '^(?:' +
    [
      'str(?:\\((?<s_min>\\d+)?,(?<s_max>\\d+)?\\))?',
      'password(?:\\((?<p_min>\\d+)?,(?<p_max>\\d+)?\\))?',
      'int(?:\\((?<i_min>-?\\d+)?,(?<i_max>-?\\d+)?\\))?',
      'float(?:\\((?<f_min>-?[\\d.]+)?,(?<f_max>-?[\\d.]+)?\\))?',
      'bool',
      'email',
      'url',
      'port',
      'match\\((?<match>.*)\\)',
      'list\\((?<list>.+)\\)',
      'device(?:\\((?<filter>subsystem=[a-z]+)\\))?',
    ].join('|') +
    ')\\??$',
);

function elements(): Array<[string, string, boolean]> {
  const out: Array<[string, string, boolean]> = [];
  for (const [k, v] of Object.entries(schema)) {
    if (Array.isArray(v)) {
      expect(v).toHaveLength(1);
      out.push([k, String(v[0]), true]);
    } else out.push([k, String(v), false]);
  }
  return out;
}

/** Supervisor security rating (apps/utils.py rating_security, per reference §2.7). */
function ratingSecurity(m: Record<string, unknown>, hasApparmorFile: boolean): number {
  let rating = 5;
  if (m.apparmor === false) rating -= 1;
  else if (hasApparmorFile) rating += 1;
  if (m.ingress === true) rating += 2;
  else if (m.auth_api === true) rating += 1;
  const priv = (m.privileged as string[] | undefined) ?? [];
  const risky = [
    'BPF',
    'CHECKPOINT_RESTORE',
    'DAC_READ_SEARCH',
    'NET_ADMIN',
    'NET_RAW',
    'PERFMON',
    'SYS_ADMIN',
    'SYS_MODULE',
    'SYS_PTRACE',
    'SYS_RAWIO',
  ];
  if (priv.some((p) => risky.includes(p)) || m.kernel_modules === true) rating -= 1;
  if (m.hassio_role === 'manager') rating -= 1;
  if (m.hassio_role === 'admin') rating -= 2;
  if (m.host_network === true) rating -= 1;
  if (m.host_pid === true) rating -= 2;
  if (m.host_uts === true && priv.includes('SYS_ADMIN')) rating -= 1;
  if (m.docker_api === true || m.full_access === true) rating = 1;
  return Math.max(1, Math.min(8, rating));
}

describe('add-on manifest (config.yaml)', () => {
  it('has the required keys and the decided values', () => {
    expect(manifest).toMatchObject({
      name: 'LAN Sentinel',
      slug: 'lan_sentinel',
      arch: ['aarch64', 'amd64'],
      init: false,
      homeassistant: '2025.10.0',
      ingress: true,
      ingress_port: 0,
      host_network: true,
      services: ['mqtt:need'],
      homeassistant_api: true,
    });
    expect(typeof manifest.description).toBe('string');
    expect(String(manifest.url)).toMatch(/^https:\/\//);
    expect(String(manifest.panel_icon)).toMatch(/^mdi:[a-z0-9-]+$/);
    expect(manifest.map).toEqual([{ type: 'homeassistant_config', read_only: false }]);
    // the Dockerfile HEALTHCHECK is the health check (the linter rejects `watchdog`); no default-valued keys
    for (const k of ['watchdog', 'boot', 'startup', 'panel_admin', 'ingress_entry'])
      expect(manifest, k).not.toHaveProperty(k);
    expect(manifest.slug).toMatch(/^[-_.A-Za-z0-9]+$/);
    expect(manifest).not.toHaveProperty('build_from');
    expect(manifest).not.toHaveProperty('advanced');
  });

  it('keeps version equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(manifest.version).toBe(pkg.version);
  });

  it('uses only valid schema elements, and optional (?) elements never have defaults', () => {
    for (const [key, el] of elements()) {
      expect(el, `schema.${key}`).toMatch(RE_SCHEMA_ELEMENT);
      const m = /^match\((.*)\)\??$/.exec(el);
      if (m) expect(() => new RegExp(m[1]!), `schema.${key} regex compiles`).not.toThrow();
      if (el.endsWith('?'))
        expect(options, `options.${key} must have no default when optional`).not.toHaveProperty(key);
      else expect(options, `options.${key} needs a default (else it is mandatory)`).toHaveProperty(key);
    }
    for (const key of Object.keys(options)) expect(schema, `options.${key} has a schema`).toHaveProperty(key);
  });

  it('describes exactly the zod options marked for the add-on, with matching kinds and defaults', () => {
    const addonOptions = OPTION_NAMES.filter((n) => OPTION_META[n].addon).sort();
    expect(Object.keys(schema).sort()).toEqual(addonOptions);
    for (const [key, el, isList] of elements()) {
      const kind = OPTION_META[key as keyof typeof OPTION_META].kind;
      if (kind === 'list') expect(isList, key).toBe(true);
      if (kind === 'int') expect(el, key).toMatch(/^(int|port)/);
      if (kind === 'bool') expect(el, key).toMatch(/^bool/);
    }
    // the add-on defaults are what zod produces as defaults
    const zodDefaults = optionsSchema.parse({}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(options))
      expect(value, `default of ${key}`).toEqual(zodDefaults[key]);
    // the defaults pass zod as they are
    expect(optionsSchema.safeParse(options).success).toBe(true);
  });

  it('accepts in the schema patterns what zod accepts, and rejects what zod rejects', () => {
    const subnet = new RegExp(/^match\((.*)\)$/.exec(String((schema.subnets as string[])[0]))![1]!);
    const zodSubnet = (s: string) => optionsSchema.safeParse({ subnets: [s] }).success;
    for (const s of [
      '192.168.1.0/24',
      '10.0.0.0/16',
      '172.16.5.0/30',
      '192.168.1.0/33',
      '256.1.1.0/24',
      '192.168.1.0',
      'x',
    ]) {
      expect(subnet.test(s), s).toBe(zodSubnet(s));
    }
  });

  it('has a translation with a name and description for every option', () => {
    const t = parse(readFileSync(join(root, 'translations', 'en.yaml'), 'utf8')) as {
      configuration: Record<string, { name: string; description: string }>;
    };
    expect(Object.keys(t.configuration).sort()).toEqual(Object.keys(schema).sort());
    for (const [k, v] of Object.entries(t.configuration)) {
      expect(v.name, k).toBeTruthy();
      expect(v.description, k).toBeTruthy();
    }
  });

  it('has the files the Supervisor reads beside config.yaml', () => {
    for (const f of [
      'DOCS.md',
      'CHANGELOG.md',
      'apparmor.txt',
      'icon.png',
      'logo.png',
      'Dockerfile',
      'repository.yaml',
    ]) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
    const png = (f: string) => {
      const b = readFileSync(join(root, f));
      expect(b.subarray(1, 4).toString()).toBe('PNG');
      return { w: b.readUInt32BE(16), h: b.readUInt32BE(20) };
    };
    const icon = png('icon.png');
    expect(icon.w).toBe(icon.h);
    const logo = png('logo.png');
    expect(logo.w).toBeGreaterThan(logo.h);
    expect(statSync(join(root, 'icon.png')).size).toBeGreaterThan(2000);
    const repo = parse(readFileSync(join(root, 'repository.yaml'), 'utf8')) as { name?: string };
    expect(repo.name).toBeTruthy();
  });

  it('has an AppArmor profile named after the slug that allows raw sockets for nmap', () => {
    const aa = readFileSync(join(root, 'apparmor.txt'), 'utf8');
    expect(aa).toMatch(new RegExp(`^profile ${String(manifest.slug)} `, 'm'));
    expect(aa).toMatch(/capability net_raw,/);
    expect(aa).toMatch(/network packet raw,/);
    expect(aa).toMatch(/\/data\/\*\* rwk,/);
    expect(aa.split('{').length).toBe(aa.split('}').length);
  });

  it('rates at least 6 on the Supervisor security scale', () => {
    const rating = ratingSecurity(manifest, existsSync(join(root, 'apparmor.txt')));
    expect(rating).toBeGreaterThanOrEqual(6);
    expect(rating).toBe(6);
  });

  it('pins its base image and does not rely on BUILD_FROM', () => {
    const df = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const froms = [...df.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms)
      expect(f).toMatch(/^ghcr\.io\/home-assistant\/base:\d+\.\d+(@sha256:[0-9a-f]{64})?$/);
    expect(df).not.toMatch(/ARG BUILD_FROM|\$\{?BUILD_FROM/);
    expect(df).toMatch(/^HEALTHCHECK /m);
    expect(df).toMatch(/io\.hass\.type="app"/);
    expect(df).toMatch(/apk add --no-cache nodejs nmap/);
    expect(df).toMatch(/COPY addon\/rootfs \//);
    for (const s of ['run', 'finish']) {
      const p = join(root, 'addon', 'rootfs', 'etc', 'services.d', 'lan-sentinel', s);
      expect(statSync(p).mode & 0o111, `${s} is executable`).not.toBe(0);
      expect(readFileSync(p, 'utf8')).toMatch(/^#!\/usr\/bin\/(with-contenv|env) bashio/);
    }
  });

  it('has no other file named config.yaml|yml|json anywhere in the repository', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => /(^|\/)config\.(ya?ml|json)$/.test(f));
    expect(files).toEqual(['config.yaml']);
  });
});
