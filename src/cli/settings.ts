/**
 * Where the CLI talks to: a remote instance (`--api-url`/`--api-key` flags, then the environment variables
 * LAN_SENTINEL_API_URL / LAN_SENTINEL_API_KEY, then the config file) or the local data dir.
 *
 * Config file: `$XDG_CONFIG_HOME/lan-sentinel/cli.json` (default `~/.config/lan-sentinel/cli.json`),
 * `{"api_url": "http://host:8099", "api_key": "lsk_…"}`. A file holding a key must not be readable by group
 * or others (refused, like ssh does); `--config FILE` names another file.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CliError, EXIT } from './errors.js';

export interface RemoteSettings {
  url: string;
  key: string | undefined;
  /** where the URL came from, for error messages */
  source: 'flag' | 'env' | 'file';
  file?: string;
}

const fileSchema = z
  .object({
    api_url: z.string().optional(),
    api_key: z.string().optional(),
  })
  .strict();

export function defaultConfigPath(env: NodeJS.ProcessEnv, home = homedir()): string {
  const base = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(base, 'lan-sentinel', 'cli.json');
}

interface FileSettings {
  api_url?: string;
  api_key?: string;
}

/** Reads and checks the config file; undefined when it does not exist (and was not named explicitly). */
export function readConfigFile(path: string, explicit: boolean): FileSettings | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return undefined;
    throw new CliError(`cannot read the CLI config file ${path}: ${(err as Error).message}`, EXIT.config);
  }
  let parsed: FileSettings;
  try {
    const r = fileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!r.success) {
      const i = r.error.issues[0];
      throw new CliError(
        `${path}: ${i?.path.join('.') || 'file'} ${i?.message ?? 'is invalid'}`,
        EXIT.config,
        'the file holds a JSON object with "api_url" (http:// or https:// URL) and "api_key" (lsk_…), nothing else',
      );
    }
    parsed = r.data;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${path} is not valid JSON: ${(err as Error).message}`, EXIT.config);
  }
  if (parsed.api_key !== undefined && (mode & 0o077) !== 0) {
    throw new CliError(
      `${path} holds an API key but is readable by ${mode & 0o007 ? 'everyone' : 'its group'} (mode ${(mode & 0o777).toString(8)})`,
      EXIT.config,
      `run: chmod 600 ${path}`,
    );
  }
  return parsed;
}

export function checkApiUrl(url: string, from: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(
      `${from} is not a URL: ${JSON.stringify(url)}`,
      EXIT.usage,
      "give the instance's address such as http://192.168.1.5:8099",
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new CliError(
      `${from} must be an http:// or https:// URL; got ${JSON.stringify(url)}`,
      EXIT.usage,
      'for example http://192.168.1.5:8099',
    );
  return url.endsWith('/') ? url : `${url}/`;
}

/** Remote settings, or null for the local data dir. `--local` forces local even when the environment names a remote. */
export function resolveRemote(
  flags: Record<string, string | boolean>,
  env: NodeJS.ProcessEnv,
): RemoteSettings | null {
  const flagUrl = typeof flags['api-url'] === 'string' ? flags['api-url'] : undefined;
  const flagKey = typeof flags['api-key'] === 'string' ? flags['api-key'] : undefined;
  if (flags.local === true) {
    if (flagUrl) throw new CliError('--local and --api-url contradict each other', EXIT.usage);
    return null;
  }
  const explicit = typeof flags.config === 'string';
  const path = explicit ? (flags.config as string) : defaultConfigPath(env);
  const file = readConfigFile(path, explicit);
  const envUrl = env.LAN_SENTINEL_API_URL || undefined;
  const envKey = env.LAN_SENTINEL_API_KEY || undefined;
  const url = flagUrl ?? envUrl ?? file?.api_url;
  if (!url) {
    if (flagKey) throw new CliError('--api-key needs --api-url (the instance to talk to)', EXIT.usage);
    return null;
  }
  const source = flagUrl ? 'flag' : envUrl ? 'env' : 'file';
  const from =
    source === 'flag' ? '--api-url' : source === 'env' ? 'LAN_SENTINEL_API_URL' : `api_url in ${path}`;
  return {
    url: checkApiUrl(url, from),
    key: flagKey ?? envKey ?? file?.api_key,
    source,
    ...(source === 'file' ? { file: path } : {}),
  };
}
