/**
 * Options of `lan-sentinel agent` (DESIGN §16), validated once here with zod. Naming follows DESIGN §11:
 * option `agent_id` = flag `--agent-id` = env `LAN_SENTINEL_AGENT_ID`; flags > environment > defaults.
 * The broker password can come from a file (`mqtt_password_file`, e.g. a systemd credential) so it is
 * not visible in the process list.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CIDR_PATTERN, LOG_LEVELS, PORT_PROFILES, validCron } from '../config/options.js';
import { agentIdSchema } from './protocol.js';

const cidr = z.string().regex(CIDR_PATTERN, { message: 'must be an IPv4 CIDR such as 192.168.20.0/24' });
const ipOrCidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/, { message: 'must be an IPv4 address or CIDR' });

export const agentOptionsSchema = z
  .object({
    agent_id: agentIdSchema,
    mqtt_url: z.string().regex(/^(mqtts?|tcp|ssl|wss?):\/\/[^\s/]+(:\d+)?(\/\S*)?$/, {
      message: 'must be an mqtt://, mqtts://, ws:// or wss:// URL such as mqtt://192.168.1.2:1883',
    }),
    mqtt_username: z.string().min(1).max(256).optional(),
    mqtt_password: z.string().max(256).optional(),
    mqtt_password_file: z.string().min(1).optional(),
    subnets: z
      .array(cidr)
      .min(1, { message: 'must list at least one CIDR (the VLAN this agent watches)' })
      .max(32),
    exclude: z.array(ipOrCidr).max(256).default([]),
    base_topic: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, {
        message: 'must be topic segments of letters, digits, "_" or "-" separated by "/"',
      })
      .default('lan_sentinel'),
    sweep_interval: z.number().int().min(15).max(3600).default(60),
    port_scan_schedule: z
      .string()
      .refine(validCron, { message: 'must be a 5-field cron such as "0 3 * * *", or empty for off' })
      .default('0 3 * * *'),
    scan_new_devices: z.boolean().default(true),
    port_profile: z.enum(PORT_PROFILES).default('top100'),
    ports: z
      .array(z.string().regex(/^\d{1,5}(-\d{1,5})?$/))
      .max(1000)
      .default([]),
    queue_max: z.number().int().min(1).max(10_000).default(100),
    heartbeat_interval: z.number().int().min(5).max(600).default(30),
    nmap_path: z.string().min(1).default('nmap'),
    log_level: z.enum(LOG_LEVELS).default('info'),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.mqtt_password !== undefined && o.mqtt_password_file !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['mqtt_password_file'],
        message: 'give mqtt_password or mqtt_password_file, not both',
      });
    if (
      (o.mqtt_password !== undefined || o.mqtt_password_file !== undefined) &&
      o.mqtt_username === undefined
    )
      ctx.addIssue({
        code: 'custom',
        path: ['mqtt_username'],
        message: 'is required when a password is given',
      });
    if (o.port_profile === 'custom' && o.ports.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['ports'],
        message: 'must list at least one port for port_profile custom',
      });
  });

export type AgentOptions = z.infer<typeof agentOptionsSchema> & { mqtt_password?: string };

type Kind = 'string' | 'int' | 'bool' | 'list';
const KINDS: Record<keyof z.infer<typeof agentOptionsSchema>, Kind> = {
  agent_id: 'string',
  mqtt_url: 'string',
  mqtt_username: 'string',
  mqtt_password: 'string',
  mqtt_password_file: 'string',
  subnets: 'list',
  exclude: 'list',
  base_topic: 'string',
  sweep_interval: 'int',
  port_scan_schedule: 'string',
  scan_new_devices: 'bool',
  port_profile: 'string',
  ports: 'list',
  queue_max: 'int',
  heartbeat_interval: 'int',
  nmap_path: 'string',
  log_level: 'string',
};
export const AGENT_OPTION_NAMES = Object.keys(KINDS) as Array<keyof typeof KINDS>;

export class AgentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentConfigError';
  }
}

function coerce(kind: Kind, text: string): unknown {
  const t = text.trim();
  if (kind === 'list')
    return t === ''
      ? []
      : t
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (kind === 'int') return /^-?\d+$/.test(t) ? Number(t) : t;
  if (kind === 'bool') {
    const l = t.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(l)) return true;
    if (['false', '0', 'no', 'off'].includes(l)) return false;
  }
  return t;
}

const flagOf = (n: string) => `--${n.replace(/_/g, '-')}`;
const envOf = (n: string) => `LAN_SENTINEL_${n.toUpperCase()}`;

export const AGENT_HELP = AGENT_OPTION_NAMES.map((n) => `  ${flagOf(n).padEnd(22)} ${envOf(n)}`).join('\n');

/** Flags (`--name value`, `--name=value`, `--bool`/`--no-bool`) over environment over defaults. */
export function loadAgentOptions(
  flags: string[],
  env: NodeJS.ProcessEnv,
  readFile: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): AgentOptions {
  const raw: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  for (const n of AGENT_OPTION_NAMES) {
    const v = env[envOf(n)];
    if (v !== undefined && v !== '') {
      raw[n] = coerce(KINDS[n], v);
      source[n] = ` (from environment ${envOf(n)})`;
    }
  }
  for (let i = 0; i < flags.length; i++) {
    const a = flags[i]!;
    if (!a.startsWith('--'))
      throw new AgentConfigError(`unexpected argument "${a}"; agent options are given as --name value`);
    const eq = a.indexOf('=');
    const flag = eq >= 0 ? a.slice(0, eq) : a;
    let name = flag.slice(2).replace(/-/g, '_') as keyof typeof KINDS;
    let value: unknown;
    if (
      !(name in KINDS) &&
      flag.startsWith('--no-') &&
      KINDS[flag.slice(5).replace(/-/g, '_') as keyof typeof KINDS] === 'bool'
    ) {
      name = flag.slice(5).replace(/-/g, '_') as keyof typeof KINDS;
      value = false;
    } else if (!(name in KINDS)) {
      throw new AgentConfigError(
        `unknown agent option ${flag}; allowed: ${AGENT_OPTION_NAMES.map(flagOf).join(', ')}`,
      );
    } else if (eq >= 0) value = coerce(KINDS[name], a.slice(eq + 1));
    else if (KINDS[name] === 'bool' && (flags[i + 1] === undefined || flags[i + 1]!.startsWith('--')))
      value = true;
    else {
      const v = flags[++i];
      if (v === undefined) throw new AgentConfigError(`${flag} needs a value`);
      value = coerce(KINDS[name], v);
    }
    raw[name] = value;
    source[name] = ` (from flag ${flagOf(name)})`;
  }
  const r = agentOptionsSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const shown = key ? `${key}${source[key] ?? ''}` : '(options)';
      return `${shown}: ${i.message === 'Invalid input: expected string, received undefined' || (i.code === 'invalid_type' && raw[key] === undefined) ? `is required (flag ${flagOf(key)} or env ${envOf(key)})` : i.message}`;
    });
    throw new AgentConfigError(`invalid agent configuration:\n  ${lines.join('\n  ')}`);
  }
  const o: AgentOptions = { ...r.data };
  if (o.mqtt_password_file) {
    try {
      o.mqtt_password = readFile(o.mqtt_password_file).replace(/\r?\n$/, '');
    } catch (err) {
      throw new AgentConfigError(
        `mqtt_password_file: cannot read ${o.mqtt_password_file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  return o;
}
