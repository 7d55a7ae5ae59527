import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseOptionFlags } from '../../src/config/load.js';
import { envName, flagName, OPTION_NAMES, optionsSchema, validCron } from '../../src/config/options.js';

const files = (map: Record<string, string>) => ({
  readFile: (p: string) => {
    const v = map[p];
    if (v === undefined) throw new Error(`no file ${p}`);
    return v;
  },
  fileExists: (p: string) => p in map,
});

function load(
  flags: string[] = [],
  env: Record<string, string> = {},
  fileMap: Record<string, string> = {},
  optionsFile?: string,
) {
  return loadConfig({ flags, env, optionsFile, ...files(fileMap) });
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config loading', () => {
  it('uses the documented defaults', () => {
    const { options } = load();
    expect(options).toMatchObject({
      subnets: [],
      exclude: [],
      sweep_interval: 60,
      consider_home: 180,
      port_scan_schedule: '0 3 * * *',
      port_profile: 'home',
      scan_new_devices: true,
      discovery_prefix: 'homeassistant',
      base_topic: 'lan_sentinel',
      install_card: true,
      api_port: 0,
      data_dir: './data',
      http_host: '127.0.0.1',
      http_port: 8099,
    });
    expect(options.mqtt_url).toBeUndefined();
  });

  it('names are mechanical: option ↔ flag ↔ env', () => {
    expect(Object.keys(optionsSchema.shape).sort()).toEqual([...OPTION_NAMES].sort());
    expect(flagName('sweep_interval')).toBe('--sweep-interval');
    expect(envName('sweep_interval')).toBe('LAN_SENTINEL_SWEEP_INTERVAL');
    for (const name of OPTION_NAMES) {
      expect(Object.keys(optionsSchema.shape)).toContain(name);
    }
  });

  it('applies precedence flags > env > file > defaults', () => {
    const fileMap = {
      '/o.json': JSON.stringify({ sweep_interval: 100, consider_home: 200, http_port: 9000 }),
    };
    const env = { LAN_SENTINEL_SWEEP_INTERVAL: '120', LAN_SENTINEL_CONSIDER_HOME: '300' };
    const { options, sources } = load(['--sweep-interval', '30'], env, fileMap, '/o.json');
    expect(options.sweep_interval).toBe(30);
    expect(options.consider_home).toBe(300);
    expect(options.http_port).toBe(9000);
    expect(options.retention_days).toBe(90);
    expect(sources).toMatchObject({ sweep_interval: 'flag', consider_home: 'env', http_port: 'file' });
  });

  it('parses lists comma-separated and empty values as empty lists / off', () => {
    const { options } = load([], {
      LAN_SENTINEL_SUBNETS: '10.1.0.0/24, 10.2.0.0/24',
      LAN_SENTINEL_EXCLUDE: '',
      LAN_SENTINEL_PORT_SCAN_SCHEDULE: '',
    });
    expect(options.subnets).toEqual(['10.1.0.0/24', '10.2.0.0/24']);
    expect(options.exclude).toEqual([]);
    expect(options.port_scan_schedule).toBe('');
  });

  it('accepts --flag=value, bare boolean flags and --no- flags', () => {
    expect(parseOptionFlags(['--sweep-interval=45', '--install-card'])).toEqual({
      sweep_interval: 45,
      install_card: true,
    });
    expect(parseOptionFlags(['--no-install-card'])).toEqual({ install_card: false });
    expect(parseOptionFlags(['--install-card', 'false'])).toEqual({ install_card: false });
  });

  it('reads /data/options.json in add-on mode and defaults data_dir to /data', () => {
    const fileMap = { '/data/options.json': JSON.stringify({ subnets: ['192.168.1.0/24'], mqtt_url: '' }) };
    const cfg = load([], { SUPERVISOR_TOKEN: 'x' }, fileMap);
    expect(cfg.addon).toBe(true);
    expect(cfg.optionsFile).toBe('/data/options.json');
    expect(cfg.options.subnets).toEqual(['192.168.1.0/24']);
    expect(cfg.options.data_dir).toBe('/data');
    expect(cfg.options.mqtt_url).toBeUndefined();
  });

  it.each([
    [
      ['--sweep-interval', '5'],
      'option sweep_interval (from flag --sweep-interval): must be at least 15; got 5',
    ],
    [
      ['--sweep-interval', 'often'],
      'option sweep_interval (from flag --sweep-interval): must be a whole number; got "often"',
    ],
    [
      ['--subnets', '192.168.1.0/33'],
      'option subnets[0] (from flag --subnets): must be an IPv4 CIDR such as 192.168.1.0/24; got "192.168.1.0/33"',
    ],
    [
      ['--port-profile', 'all'],
      'option port_profile (from flag --port-profile): must be one of home, top100, top1000, custom; got "all"',
    ],
    [
      ['--port-scan-schedule', 'daily'],
      'option port_scan_schedule (from flag --port-scan-schedule): must be a 5-field cron',
    ],
    [['--ports', '22,70000'], 'option ports[1] (from flag --ports): must be a port 1-65535 or a range'],
    [['--base-topic', 'lan/#'], 'option base_topic (from flag --base-topic): must be topic segments'],
    [['--mqtt-url', 'http://x'], 'option mqtt_url (from flag --mqtt-url): must be an mqtt://'],
    [['--port-profile', 'custom'], 'option ports: must list at least one port when port_profile is "custom"'],
    [
      ['--http-host', 'localhost; rm -rf /'],
      'option http_host (from flag --http-host): must be an IPv4 address',
    ],
  ])('rejects %j with a message naming the option and the allowed form', (flags, expected) => {
    expect(errorOf(() => load(flags))).toContain(expected);
  });

  it('names the env var and the file as the source of a bad value', () => {
    expect(errorOf(() => load([], { LAN_SENTINEL_API_PORT: '70000' }))).toContain(
      'option api_port (from environment LAN_SENTINEL_API_PORT): must be at most 65535',
    );
    const fileMap = { '/o.json': JSON.stringify({ notify_on: ['new_device', 'party'] }) };
    const msg = errorOf(() => load([], {}, fileMap, '/o.json'));
    expect(msg).toContain('option notify_on[1] (from /o.json): must be one of new_device');
  });

  it('rejects unknown options from every source', () => {
    expect(errorOf(() => load(['--sweep', '30']))).toMatch(
      /unknown option --sweep; allowed options: --subnets/,
    );
    expect(errorOf(() => load([], { LAN_SENTINEL_SWEEP: '1' }))).toMatch(
      /unknown environment variable LAN_SENTINEL_SWEEP/,
    );
    const fileMap = { '/o.json': JSON.stringify({ extra_args: '-oN /tmp/x' }) };
    expect(errorOf(() => load([], {}, fileMap, '/o.json'))).toMatch(
      /unknown option\(s\) extra_args in \/o.json/,
    );
  });

  it('rejects a broken options file', () => {
    expect(errorOf(() => load([], {}, { '/o.json': '{nope' }, '/o.json'))).toMatch(/not valid JSON/);
    expect(errorOf(() => load([], {}, {}, '/missing.json'))).toMatch(/does not exist/);
  });

  it('validates cron expressions', () => {
    for (const ok of ['0 3 * * *', '*/15 * * * *', '0 0-6/2 * * 1-5', '30 4 1,15 * 0', '', 'off'])
      expect(validCron(ok)).toBe(true);
    for (const bad of ['0 3 * *', '61 * * * *', '0 24 * * *', 'daily', '0 3 * * * *', '* * 0 * *'])
      expect(validCron(bad)).toBe(false);
  });
});
