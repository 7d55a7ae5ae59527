import { z } from 'zod';
import { CHANGE_TYPES } from '../vocabulary.js';

/**
 * The single source of truth for every option (DESIGN §11).
 * Add-on config.yaml `schema`, translations, CLI flags and LAN_SENTINEL_* env vars all derive from / are
 * checked against this table.
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export const CIDR_PATTERN =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
export const IP_OR_CIDR =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(\/(3[0-2]|[12]?\d))?$/;
/** A port or an inclusive range, 1-65535. */
const PORT_SPEC = /^([1-9]\d{0,4})(-([1-9]\d{0,4}))?$/;
const TOPIC_SEGMENT = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'notice', 'warning', 'error', 'fatal'] as const;
export const PORT_PROFILES = ['home', 'top100', 'top1000', 'custom'] as const;

function validPortSpec(s: string): boolean {
  const m = PORT_SPEC.exec(s);
  if (!m) return false;
  const a = Number(m[1]);
  const b = m[3] === undefined ? a : Number(m[3]);
  return a >= 1 && a <= 65535 && b >= a && b <= 65535;
}

/** Five-field cron (minute hour day month weekday) with numbers, ranges, lists, steps and `*`; or empty (off). */
const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
export function validCron(expr: string): boolean {
  if (expr === '' || expr === 'off') return true;
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  const limits: Array<[number, number]> = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 7],
  ];
  return fields.every((f, i) => {
    if (!CRON_FIELD.test(f)) return false;
    const [lo, hi] = limits[i]!;
    return (f.match(/\d+/g) ?? []).every((n, idx, all) => {
      // step values (after "/") are only bounded below
      const isStep = f.includes('/') && idx === all.length - 1 && f.endsWith(`/${n}`);
      const v = Number(n);
      return isStep ? v >= 1 : v >= lo && v <= hi;
    });
  });
}

const cidr = z.string().regex(CIDR_PATTERN, { message: 'must be an IPv4 CIDR such as 192.168.1.0/24' });
const ipOrCidr = z
  .string()
  .regex(IP_OR_CIDR, { message: 'must be an IPv4 address or CIDR such as 192.168.1.7 or 192.168.1.0/28' });
const portSpec = z
  .string()
  .refine(validPortSpec, { message: 'must be a port 1-65535 or a range such as 8000-8100' });
const mqttUrl = z
  .string()
  .refine((s) => s === 'none' || /^(mqtts?|wss?|tcp|ssl):\/\/[^\s/]+(:\d+)?(\/\S*)?$/.test(s), {
    message: 'must be an mqtt://, mqtts://, ws:// or wss:// URL such as mqtt://192.168.1.2:1883, or "none"',
  });
const topicBase = z.string().regex(TOPIC_SEGMENT, {
  message: 'must be topic segments of letters, digits, "_" or "-" separated by "/" (no "+", "#", spaces)',
});
const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, {
  message: 'must be an http:// or https:// URL such as http://homeassistant.local:8123',
});
const notifyService = z.string().regex(/^(notify\.)?[a-z0-9_]+$/, {
  message:
    'must be a notify service such as notify.mobile_app_pixel_8 or a notify entity id such as notify.my_phone',
});

export const optionsSchema = z
  .object({
    subnets: z.array(cidr).max(32).default([]),
    exclude: z.array(ipOrCidr).max(256).default([]),
    sweep_interval: z.number().int().min(15).max(3600).default(60),
    consider_home: z.number().int().min(1).max(86400).default(180),
    port_scan_schedule: z
      .string()
      .refine(validCron, {
        message: 'must be a 5-field cron such as "0 3 * * *", or empty to turn port scans off',
      })
      .default('0 3 * * *'),
    port_profile: z.enum(PORT_PROFILES).default('home'),
    scan_new_devices: z.boolean().default(true),
    ports: z.array(portSpec).max(1000).default([]),
    mqtt_url: mqttUrl.optional(),
    mqtt_username: z.string().max(256).optional(),
    mqtt_password: z.string().max(256).optional(),
    discovery_prefix: topicBase.default('homeassistant'),
    base_topic: topicBase.default('lan_sentinel'),
    notify_services: z.array(notifyService).max(32).default([]),
    notify_on: z.array(z.enum(CHANGE_TYPES)).default(['new_device', 'device_offline', 'threat_detected']),
    install_card: z.boolean().default(true),
    api_port: z.number().int().min(0).max(65535).default(0),
    log_level: z.enum(LOG_LEVELS).default('info'),
    retention_days: z.number().int().min(1).max(3650).default(90),
    cert_expiry_days: z.number().int().min(1).max(365).default(30),
    tls_checks: z.boolean().default(true),
    passive: z.boolean().default(true),
    wol_port: z
      .number()
      .int()
      .refine((p) => p === 7 || p === 9, { message: 'must be 7 or 9 (the Wake-on-LAN ports)' })
      .default(9),
    // standalone only
    data_dir: z.string().min(1).default('./data'),
    http_host: z
      .string()
      .regex(IPV4, { message: 'must be an IPv4 address such as 127.0.0.1 or 0.0.0.0' })
      .default('127.0.0.1'),
    http_port: z.number().int().min(1).max(65535).default(8099),
    ha_url: httpUrl.optional(),
    ha_token: z.string().max(4096).optional(),
    nmap_path: z.string().min(1).default('nmap'),
    agents: z
      .array(
        z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, {
          message: 'must be an agent id: 1-32 characters of a-z, 0-9, "_" or "-" (e.g. "iot")',
        }),
      )
      .max(64)
      .default([]),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.port_profile === 'custom' && o.ports.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['ports'],
        message: 'must list at least one port when port_profile is "custom"',
      });
    }
  });

export type Options = z.infer<typeof optionsSchema>;
export type OptionName = keyof Options;

export type OptionKind = 'string' | 'int' | 'bool' | 'list';

export interface OptionMeta {
  kind: OptionKind;
  /** false = standalone only (not in the add-on config.yaml) */
  addon: boolean;
  /** one line for --help */
  help: string;
}

/** Per-option metadata used for env/flag parsing, --help, and checked against config.yaml by a test. */
export const OPTION_META: Record<OptionName, OptionMeta> = {
  subnets: { kind: 'list', addon: true, help: 'IPv4 CIDRs to sweep; empty = auto-detect the host LANs' },
  exclude: { kind: 'list', addon: true, help: 'IPs or CIDRs never to scan' },
  sweep_interval: { kind: 'int', addon: true, help: 'seconds between presence sweeps (15-3600)' },
  consider_home: { kind: 'int', addon: true, help: 'seconds unseen before a device is away' },
  port_scan_schedule: { kind: 'string', addon: true, help: 'cron for port/service scans; empty = off' },
  port_profile: { kind: 'string', addon: true, help: 'home | top100 | top1000 | custom' },
  scan_new_devices: { kind: 'bool', addon: true, help: 'port-scan a device within minutes of joining' },
  ports: { kind: 'list', addon: true, help: 'ports or ranges for the custom profile' },
  mqtt_url: { kind: 'string', addon: true, help: 'broker URL; "none" disables MQTT' },
  mqtt_username: { kind: 'string', addon: true, help: 'broker user name' },
  mqtt_password: { kind: 'string', addon: true, help: 'broker password' },
  discovery_prefix: { kind: 'string', addon: true, help: 'HA discovery prefix' },
  base_topic: { kind: 'string', addon: true, help: 'base MQTT topic' },
  notify_services: { kind: 'list', addon: true, help: 'HA notify services/entities for alerts' },
  notify_on: {
    kind: 'list',
    addon: true,
    help: 'change types the default alert rules of a fresh install notify',
  },
  install_card: { kind: 'bool', addon: true, help: 'install the Lovelace card into HA' },
  api_port: { kind: 'int', addon: true, help: 'extra API port with API keys; 0 = off' },
  log_level: { kind: 'string', addon: true, help: LOG_LEVELS.join(' | ') },
  retention_days: { kind: 'int', addon: true, help: 'days of scan/change history to keep' },
  cert_expiry_days: { kind: 'int', addon: true, help: 'warn this many days before a TLS cert expires' },
  tls_checks: { kind: 'bool', addon: true, help: 'read TLS certs and protocols in port scans' },
  passive: {
    kind: 'bool',
    addon: true,
    help: 'listen for DHCP, mDNS and ARP: arrivals and names at once (needs root)',
  },
  wol_port: { kind: 'int', addon: true, help: 'UDP port of Wake-on-LAN magic packets (7 or 9)' },
  data_dir: { kind: 'string', addon: false, help: 'database directory' },
  http_host: { kind: 'string', addon: false, help: 'UI/API bind address' },
  http_port: { kind: 'int', addon: false, help: 'UI/API port' },
  ha_url: { kind: 'string', addon: false, help: 'Home Assistant URL for notifications' },
  ha_token: { kind: 'string', addon: false, help: 'Home Assistant long-lived token' },
  nmap_path: { kind: 'string', addon: false, help: 'path of the nmap binary' },
  agents: { kind: 'list', addon: true, help: 'satellite agent ids whose results this hub accepts' },
};

export const OPTION_NAMES = Object.keys(OPTION_META) as OptionName[];

/** option `sweep_interval` ↔ flag `--sweep-interval` ↔ env `LAN_SENTINEL_SWEEP_INTERVAL`. */
export function flagName(o: OptionName): string {
  return `--${o.replace(/_/g, '-')}`;
}
export function envName(o: OptionName): string {
  return `LAN_SENTINEL_${o.toUpperCase()}`;
}
