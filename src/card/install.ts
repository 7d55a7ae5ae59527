/**
 * Installs the Lovelace card from the add-on (DESIGN §10): copy the bundle to `<www>/lan-sentinel/` (served by HA
 * at `/local/lan-sentinel/…`) and register it as a `module` dashboard resource over the websocket API, idempotently
 * and cache-busted by version. In YAML resource mode it logs the exact snippet the user must add.
 * Never throws: the result says what happened, and failures are logged with the manual fix.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HaLink } from '../ha/link.js';
import { HaCommandError } from '../ha/link.js';
import type { Logger } from '../util/logger.js';
import { markdownCode } from '../util/text.js';

export const CARD_DIR = 'lan-sentinel';
export const CARD_FILE = 'lan-sentinel-card.js';
/** URL path HA serves `<config>/www/lan-sentinel/lan-sentinel-card.js` at (no query). */
export const CARD_URL_PATH = `/local/${CARD_DIR}/${CARD_FILE}`;

export interface InstallCardOptions {
  /** null when HA's websocket API is not reachable (standalone without ha_url): only the file is written. */
  link: HaLink | null;
  /** The built bundle (frontend-card/dist/lan-sentinel-card.js or its copy in the image). */
  bundlePath: string;
  /** `/homeassistant/www` in the add-on (map `homeassistant_config:rw`). */
  wwwDir: string;
  version: string;
  logger: Logger;
}

export type ResourceOutcome = 'created' | 'updated' | 'unchanged' | 'yaml_mode' | 'no_ha' | 'failed';

export interface InstallCardResult {
  /** where the bundle was written, and whether its bytes changed */
  file: { path: string; written: boolean } | null;
  /** `/local/lan-sentinel/lan-sentinel-card.js?v=<version>` */
  url: string;
  resource: ResourceOutcome;
  resourceId?: string;
  /** duplicate registrations of our card that were deleted */
  removedDuplicates: number;
  /** set when something needs the user's attention */
  message?: string;
  /**
   * The www folder did not exist and was created now. Core serves `/local/` only if the folder existed when it
   * started, so Core needs one restart before the card loads (ha-reference Addendum, "The www folder").
   */
  createdWww: boolean;
  /** a persistent notification telling the user about that restart was created in HA */
  restartNotified: boolean;
}

/** `notification_id` of the "restart Home Assistant once" notification (re-creating it replaces it). */
export const RESTART_NOTIFICATION_ID = 'lan_sentinel_restart_for_card';

interface LovelaceResource {
  id: string;
  type: string;
  url: string;
}

export function cardResourceUrl(version: string): string {
  return `${CARD_URL_PATH}?v=${encodeURIComponent(version)}`;
}

/** The YAML a user in YAML resource mode must add under `lovelace:` in configuration.yaml. */
export function yamlSnippet(url: string): string {
  return ['lovelace:', '  resources:', `    - url: ${url}`, '      type: module'].join('\n');
}

/** Is this resource our card (any version, any query string, absolute or relative URL)? */
export function isOurResource(url: string): boolean {
  let path = url;
  try {
    path = new URL(url, 'http://ha.invalid').pathname;
  } catch {
    return false;
  }
  return path === CARD_URL_PATH;
}

/** Write `data` to `path` via a temp file + rename in the same directory (no half-written bundle is ever served). */
async function writeAtomic(path: string, dir: string, data: Buffer): Promise<boolean> {
  const current = await readFile(path).catch(() => null);
  if (current?.equals(data)) return false;
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${CARD_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return true;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path)
    .then((s) => s.isDirectory())
    .catch(() => false);
}

/** Tells the user in HA (persistent notification) that Core needs one restart before `/local/` works. */
async function notifyRestartNeeded(link: HaLink, wwwDir: string, log: Logger): Promise<boolean> {
  try {
    await link.callService('persistent_notification', 'create', {
      notification_id: RESTART_NOTIFICATION_ID,
      title: 'LAN Sentinel: restart Home Assistant once',
      message:
        `LAN Sentinel created the folder ${markdownCode(wwwDir)} for its dashboard card. Home Assistant serves ` +
        '`/local/` files only from a `www` folder that existed when it started, so **restart Home Assistant ' +
        'once** (Settings → System → Restart) before adding the LAN Sentinel card.',
    });
    return true;
  } catch (err) {
    log.warn(`could not create the restart notification in Home Assistant: ${(err as Error).message}`);
    return false;
  }
}

async function resourceMode(link: HaLink): Promise<'storage' | 'yaml' | 'unknown'> {
  try {
    const info = await link.sendMessage<{ resource_mode?: unknown }>({ type: 'lovelace/info' });
    return info?.resource_mode === 'yaml'
      ? 'yaml'
      : info?.resource_mode === 'storage'
        ? 'storage'
        : 'unknown';
  } catch (err) {
    // Older cores lack lovelace/info: find out from the write commands below.
    if (err instanceof HaCommandError && err.code === 'unknown_command') return 'unknown';
    throw err;
  }
}

export async function installCard(o: InstallCardOptions): Promise<InstallCardResult> {
  const log = o.logger;
  const url = cardResourceUrl(o.version);
  const dir = join(o.wwwDir, CARD_DIR);
  const target = join(dir, CARD_FILE);
  const result: InstallCardResult = {
    file: null,
    url,
    resource: 'failed',
    removedDuplicates: 0,
    createdWww: false,
    restartNotified: false,
  };

  let bundle: Buffer;
  try {
    bundle = await readFile(o.bundlePath);
  } catch {
    result.message = `card bundle not found at ${o.bundlePath}; build it with "npm run build:web"`;
    log.error(result.message);
    return result;
  }
  try {
    result.createdWww = !(await isDirectory(o.wwwDir));
    const written = await writeAtomic(target, dir, bundle);
    result.file = { path: target, written };
    log.info(written ? 'Lovelace card written' : 'Lovelace card already up to date', { path: target });
  } catch (err) {
    result.message = `cannot write the card to ${target} (${(err as Error).message}); is homeassistant_config mapped read-write?`;
    log.error(result.message);
    return result;
  }

  if (result.createdWww) {
    log.warn(
      `created ${o.wwwDir}: Home Assistant serves /local/ only from a www folder that existed when it started; restart Home Assistant once for the card to load`,
    );
    if (o.link) result.restartNotified = await notifyRestartNeeded(o.link, o.wwwDir, log);
  }

  if (!o.link) {
    result.resource = 'no_ha';
    result.message = `Home Assistant API not configured: add the dashboard resource ${url} (type: module) yourself`;
    log.warn(result.message);
    return result;
  }

  const yamlMode = () => {
    result.resource = 'yaml_mode';
    result.message =
      'Dashboard resources are in YAML mode; add this to configuration.yaml (replacing any older ' +
      `${CARD_URL_PATH} line) and restart Home Assistant:\n${yamlSnippet(url)}`;
    // The logger escapes newlines, so print the snippet one line at a time (copy-paste ready in the add-on log).
    log.warn(
      `Dashboard resources are in YAML mode: add the following to configuration.yaml (replace any older ${CARD_URL_PATH} entry), then restart Home Assistant:`,
    );
    for (const line of yamlSnippet(url).split('\n')) log.warn(line);
    return result;
  };

  try {
    const mode = await resourceMode(o.link);
    const list = await o.link.sendMessage<LovelaceResource[]>({ type: 'lovelace/resources' });
    const ours = (Array.isArray(list) ? list : []).filter(
      (r) => typeof r?.url === 'string' && isOurResource(r.url),
    );
    const exact = ours.find((r) => r.url === url && r.type === 'module');
    if (mode === 'yaml') {
      if (exact && ours.length === 1) {
        result.resource = 'unchanged';
        result.resourceId = exact.id;
        return result;
      }
      return yamlMode();
    }
    // Keep the exact match if there is one, else the first of ours; delete the rest.
    const keep = exact ?? ours[0];
    for (const dup of ours) {
      if (dup === keep) continue;
      await o.link.sendMessage({ type: 'lovelace/resources/delete', resource_id: dup.id });
      result.removedDuplicates++;
    }
    if (result.removedDuplicates)
      log.info('removed duplicate card resources', { count: result.removedDuplicates });
    if (keep && keep === exact) {
      result.resource = 'unchanged';
      result.resourceId = keep.id;
    } else if (keep) {
      await o.link.sendMessage({
        type: 'lovelace/resources/update',
        resource_id: keep.id,
        res_type: 'module',
        url,
      });
      result.resource = 'updated';
      result.resourceId = keep.id;
      log.info('Lovelace card resource updated', { from: keep.url, to: url });
    } else {
      const created = await o.link.sendMessage<LovelaceResource>({
        type: 'lovelace/resources/create',
        res_type: 'module',
        url,
      });
      result.resource = 'created';
      if (created && typeof created.id === 'string') result.resourceId = created.id;
      log.info('Lovelace card resource registered', { url });
    }
    return result;
  } catch (err) {
    // Older cores in YAML mode do not register the write commands at all.
    if (err instanceof HaCommandError && err.code === 'unknown_command') return yamlMode();
    result.resource = 'failed';
    result.message =
      `could not register the dashboard resource (${(err as Error).message}); add ${url} ` +
      '(type: module) under Settings → Dashboards → Resources';
    log.warn(result.message);
    return result;
  }
}
