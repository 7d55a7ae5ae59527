/** `login`: a new one-time login link for the web UI of the service running on this data dir. */
import { resolve } from 'node:path';
import { CLI_TOKEN_FILE, readCliToken } from '../../api/session.js';
import type { LoadedConfig } from '../../config/load.js';
import { httpTransport } from '../client.js';
import { CliError, EXIT } from '../errors.js';

/** The local service's own address (0.0.0.0 → loopback). */
export function localServiceUrl(cfg: LoadedConfig): string {
  const host =
    cfg.options.http_host === '0.0.0.0'
      ? '127.0.0.1'
      : cfg.options.http_host === '::'
        ? '::1'
        : cfg.options.http_host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${cfg.options.http_port}/`;
}

export async function loginCommand(
  cfg: LoadedConfig,
  apiUrl: string | undefined,
  out: (s: string) => void,
): Promise<number> {
  // the running service wrote its CLI token (mode 0600) into the data dir; only its owner can read it
  const dataDir = resolve(cfg.options.data_dir);
  const token = readCliToken(dataDir);
  if (!token)
    throw new CliError(
      `no running LAN Sentinel found for data_dir ${dataDir} (${CLI_TOKEN_FILE} is missing or unreadable)`,
      EXIT.unavailable,
      'start it with "npm start" (or "lan-sentinel run"), or pass the same --data-dir it runs with',
    );
  const base = apiUrl ?? localServiceUrl(cfg);
  const t = httpTransport(base, token, 15_000);
  const res = await t.send('POST', 'api/login-links', {});
  if (res.status !== 200 && res.status !== 201)
    throw new CliError(
      `${base} refused a login link: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
      EXIT.noperm,
    );
  out(new URL((res.body as { path: string }).path, base).toString());
  return 0;
}

/**
 * The standalone service running on this data dir, if any: its address and the CLI token it wrote. A token
 * left behind by a killed service (nothing answers) counts as none.
 */
export async function runningService(
  cfg: LoadedConfig,
): Promise<{ url: string; key: string; where: string } | null> {
  const dataDir = resolve(cfg.options.data_dir);
  const token = readCliToken(dataDir);
  if (!token) return null;
  const url = localServiceUrl(cfg);
  try {
    const res = await fetch(new URL('api/scans?limit=1', url), {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    await res.arrayBuffer();
    if (res.status !== 200) return null;
  } catch {
    return null;
  }
  return { url, key: token, where: `the service running on ${dataDir} (${url})` };
}
