import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import {
  envName,
  flagName,
  OPTION_META,
  OPTION_NAMES,
  type OptionName,
  type Options,
  optionsSchema,
} from './options.js';

/** A configuration problem: start-up must stop and print `message`. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type OptionSource = 'flag' | 'env' | 'file' | 'default';

export interface LoadedConfig {
  options: Options;
  /** where each explicitly-set option came from */
  sources: Partial<Record<OptionName, OptionSource>>;
  /** the options file that was read, if any */
  optionsFile: string | null;
  /** add-on (Supervisor) mode */
  addon: boolean;
}

export interface ConfigInput {
  /** option flags only (command flags already removed), e.g. ['--sweep-interval', '30'] */
  flags: string[];
  env: NodeJS.ProcessEnv;
  /** explicit options file path (--options-file / LAN_SENTINEL_OPTIONS_FILE) */
  optionsFile?: string;
  readFile?: (path: string) => string;
  fileExists?: (path: string) => boolean;
}

/**
 * Env vars with this prefix that are not options but are understood: the options file, and where the add-on
 * finds the Supervisor (default http://supervisor) and HA's www folder (default /homeassistant/www), which
 * tests and non-standard installs point elsewhere.
 */
const META_ENV = new Set([
  'LAN_SENTINEL_OPTIONS_FILE',
  'LAN_SENTINEL_SUPERVISOR_URL',
  'LAN_SENTINEL_WWW_DIR',
  // the CLI's remote instance (src/cli/settings.ts), not options of the service
  'LAN_SENTINEL_API_URL',
  'LAN_SENTINEL_API_KEY',
]);

type Raw = Partial<Record<OptionName, unknown>>;

function describeSource(name: OptionName, src: OptionSource | undefined, file: string | null): string {
  switch (src) {
    case 'flag':
      return ` (from flag ${flagName(name)})`;
    case 'env':
      return ` (from environment ${envName(name)})`;
    case 'file':
      return ` (from ${file ?? 'options file'})`;
    default:
      return '';
  }
}

/** Converts a string from a flag or env var to the option's type; invalid text is kept so zod names the problem. */
export function coerceText(name: OptionName, text: string): unknown {
  const kind = OPTION_META[name].kind;
  const t = text.trim();
  switch (kind) {
    case 'list':
      return t === ''
        ? []
        : t
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    case 'int':
      return /^-?\d+$/.test(t) ? Number(t) : t;
    case 'bool': {
      const l = t.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(l)) return true;
      if (['false', '0', 'no', 'off'].includes(l)) return false;
      return t;
    }
    default:
      return text;
  }
}

/** Optional strings: "" means unset (the add-on UI writes empty strings for cleared optional fields). */
function normaliseEmpty(raw: Raw): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw) as Array<[OptionName, unknown]>) {
    if (v === '' || v === null) {
      if (k === 'port_scan_schedule') out[k] = '';
      else if (OPTION_META[k]?.kind === 'list') out[k] = [];
      // other empty values: unset → default
      continue;
    }
    out[k] = v;
  }
  return out;
}

function optionFromFlag(flag: string): OptionName | null {
  const name = flag.replace(/^--/, '').replace(/-/g, '_');
  return (OPTION_NAMES as string[]).includes(name) ? (name as OptionName) : null;
}

/** Parses option flags: `--name value`, `--name=value`, `--bool-flag` (true), `--no-bool-flag` (false). */
export function parseOptionFlags(flags: string[]): Raw {
  const out: Raw = {};
  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i]!;
    if (!arg.startsWith('--')) {
      throw new ConfigError(`unexpected argument "${arg}"; options are given as --name value (see --help)`);
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    let name = optionFromFlag(flag);
    let negated = false;
    if (!name && flag.startsWith('--no-')) {
      const n = optionFromFlag(`--${flag.slice(5)}`);
      if (n && OPTION_META[n].kind === 'bool') {
        name = n;
        negated = true;
      }
    }
    if (!name) {
      const allowed = OPTION_NAMES.map(flagName).join(', ');
      throw new ConfigError(`unknown option ${flag}; allowed options: ${allowed}`);
    }
    if (negated) {
      out[name] = false;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (
      OPTION_META[name].kind === 'bool' &&
      (flags[i + 1] === undefined || flags[i + 1]!.startsWith('--'))
    ) {
      value = 'true';
    } else {
      value = flags[++i];
      if (value === undefined)
        throw new ConfigError(`option ${flag} needs a value (${OPTION_META[name].help})`);
    }
    out[name] = coerceText(name, value);
  }
  return out;
}

export function parseEnv(env: NodeJS.ProcessEnv): Raw {
  const out: Raw = {};
  const known = new Set(OPTION_NAMES.map(envName));
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('LAN_SENTINEL_') || value === undefined) continue;
    if (META_ENV.has(key)) continue;
    if (!known.has(key)) {
      throw new ConfigError(
        `unknown environment variable ${key}; allowed: ${[...known, ...META_ENV].join(', ')}`,
      );
    }
    const name = key.slice('LAN_SENTINEL_'.length).toLowerCase() as OptionName;
    out[name] = coerceText(name, value);
  }
  return out;
}

export function parseOptionsFile(text: string, path: string): Raw {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`options file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`options file ${path} must hold a JSON object of options`);
  }
  return data as Raw;
}

function formatIssue(
  issue: z.core.$ZodIssue,
  sources: LoadedConfig['sources'],
  file: string | null,
  raw: Raw,
): string {
  const name = String(issue.path[0] ?? '');
  if (issue.code === 'unrecognized_keys') {
    return `unknown option(s) ${issue.keys.join(', ')}${file ? ` in ${file}` : ''}; allowed options: ${OPTION_NAMES.join(', ')}`;
  }
  const where =
    name && (OPTION_NAMES as string[]).includes(name)
      ? describeSource(name as OptionName, sources[name as OptionName], file)
      : '';
  const idx = issue.path.length > 1 ? `[${String(issue.path[1])}]` : '';
  let got = '';
  const value = name ? raw[name as OptionName] : undefined;
  if (value !== undefined) {
    const v = issue.path.length > 1 && Array.isArray(value) ? value[Number(issue.path[1])] : value;
    got = `; got ${JSON.stringify(v)}`;
  }
  let msg = issue.message;
  if (issue.code === 'invalid_type') {
    const kind = OPTION_META[name as OptionName]?.kind;
    msg =
      kind === 'int'
        ? 'must be a whole number'
        : kind === 'list'
          ? 'must be a list'
          : `must be a ${issue.expected}`;
  }
  if (issue.code === 'too_small' && 'minimum' in issue) msg = `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big' && 'maximum' in issue) msg = `must be at most ${String(issue.maximum)}`;
  if (issue.code === 'invalid_value' && 'values' in issue)
    msg = `must be one of ${issue.values.map(String).join(', ')}`;
  return `option ${name}${idx}${where}: ${msg}${got}`;
}

/** Merges defaults < options file < env < flags and validates once. Throws ConfigError naming every bad option. */
export function loadConfig(input: ConfigInput): LoadedConfig {
  const readFile = input.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const fileExists = input.fileExists ?? existsSync;
  const addon = Boolean(input.env.SUPERVISOR_TOKEN);
  const explicitFile = input.optionsFile ?? input.env.LAN_SENTINEL_OPTIONS_FILE;
  let optionsFile: string | null = null;
  if (explicitFile) {
    if (!fileExists(explicitFile)) throw new ConfigError(`options file ${explicitFile} does not exist`);
    optionsFile = explicitFile;
  } else if (addon && fileExists('/data/options.json')) {
    optionsFile = '/data/options.json';
  }

  const sources: LoadedConfig['sources'] = {};
  const layers: Array<[OptionSource, Raw]> = [];
  if (optionsFile)
    layers.push(['file', normaliseEmpty(parseOptionsFile(readFile(optionsFile), optionsFile))]);
  layers.push(['env', normaliseEmpty(parseEnv(input.env))]);
  layers.push(['flag', parseOptionFlags(input.flags)]);

  const raw: Raw = {};
  for (const [src, layer] of layers) {
    for (const [k, v] of Object.entries(layer) as Array<[OptionName, unknown]>) {
      raw[k] = v;
      if ((OPTION_NAMES as string[]).includes(k)) sources[k] = src;
    }
  }
  if (addon && raw.data_dir === undefined) raw.data_dir = '/data';

  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => formatIssue(i, sources, optionsFile, raw));
    throw new ConfigError(`invalid configuration:\n  - ${lines.join('\n  - ')}`);
  }
  return { options: parsed.data, sources, optionsFile, addon };
}
