/**
 * CVE feeds take effect at once (DESIGN §6), whoever imports them:
 * - through the API (`POST api/cve/import`, the UI's upload, a remote `lan-sentinel cve import`): the
 *   service imports, reloads its rules and re-assesses every port-scanned device before it answers;
 * - by another process on the same data dir (the CLI inside the add-on's container): the service notices
 *   the import at once and does the same. A watch of the database's directory (inotify: the `-wal` file
 *   changes at every commit, the service's own included) triggers a check, debounced; `PRAGMA data_version`
 *   moves only when another connection committed, and the import stamp says whether it was a feed. Nothing
 *   runs while nobody writes (idle CPU, DESIGN §14); a slow poll stays as the fallback where the watch fails.
 * Either way it then writes `cve_rules_active` (the import it applied, the number of rules in force), which
 * the importing CLI waits for before it says the rules are active.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Change, Device } from '../inventory/types.js';
import { CveRulesRepo } from '../store/cveRulesRepo.js';
import type { Db } from '../store/db.js';
import type { Store } from '../store/store.js';
import { type ImportResult, importFeed } from '../threats/feedImport.js';
import type { Clock } from '../util/clock.js';
import { dataDirLockOwner } from '../util/dataDirLock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';

export interface RulesReloader {
  /** reload the CVE rules from the database; returns the number of rules now in force */
  reloadRules(): number;
  assess(macs: string[], now: Date): { changes: Change[]; devices: Device[] };
}

/** How an import took effect: in the service now, at the service's next start, or not confirmed yet. */
export type CveApplied = 'now' | 'at_start' | 'pending';

export interface CveImportOutcome extends ImportResult {
  applied: CveApplied;
  /** CVE rules in force after the import (in the running service when applied = 'now') */
  rulesActive: number;
  /** devices re-assessed against the new rules */
  reassessed: number;
  /** the pid of the service that applied it (or that has not confirmed yet) */
  servicePid: number | null;
}

export interface CveStatus {
  rulesActive: number;
  lastImport: { time: string; format: string; added: number; updated: number; skipped: number } | null;
}

/** What the API's cve routes need. */
export interface CvePort {
  import(bytes: Uint8Array): Promise<CveImportOutcome>;
  status(): CveStatus;
}

export interface CveFeedsDeps {
  db: Db;
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  threats: RulesReloader;
  /** the fallback poll for another process's import (default 60 s with the watch, 2 s without) */
  pollMs?: number;
  /** watch the database's directory for other connections' commits (default true; tests turn it off) */
  watch?: boolean;
  /** debounce of the watch's events (default 100 ms) */
  watchDebounceMs?: number;
}

export interface CveFeeds extends CvePort {
  /** look for another process's import now; true when one was applied */
  checkNow(): boolean;
  stop(): void;
}

/** The running service's side: attach once, stop at shutdown. */
export function attachCveFeeds(deps: CveFeedsDeps): CveFeeds {
  const repo = new CveRulesRepo(deps.db);
  const log = deps.logger;
  let applied = repo.lastImport()?.time ?? '';
  let version = repo.dataVersion();
  let active = 0;

  const apply = (): { count: number; reassessed: number } => {
    active = deps.threats.reloadRules();
    const macs = deps.store.devices
      .all()
      .filter((d) => d.portsScannedAt !== null)
      .map((d) => d.mac);
    const r = macs.length ? deps.threats.assess(macs, deps.clock.now()) : { changes: [], devices: [] };
    for (const d of r.devices) deps.bus.emit('device:updated', d);
    for (const c of r.changes) deps.bus.emit('change', c);
    repo.setActive({ import: applied, count: active, pid: process.pid, at: deps.clock.now().toISOString() });
    return { count: active, reassessed: macs.length };
  };

  const checkNow = (): boolean => {
    const v = repo.dataVersion();
    if (v === version) return false;
    version = v;
    const last = repo.lastImport();
    if (!last || last.time === applied) return false;
    applied = last.time;
    const r = apply();
    log.info(
      `CVE feed imported by another process (${last.format}: ${last.added} added, ${last.updated} updated): ${r.count} CVE rules now active, ${r.reassessed} devices re-assessed`,
    );
    return true;
  };

  // the rules loaded at start are the ones in force: say so for a CLI that imported just before
  active = deps.threats.reloadRules();
  repo.setActive({ import: applied, count: active, pid: process.pid, at: deps.clock.now().toISOString() });
  const check = () => {
    try {
      checkNow();
    } catch (err) {
      log.warn(`checking for CVE feed imports failed: ${(err as Error).message}`);
    }
  };
  const watcher =
    deps.watch === false ? null : watchCommits(deps.db, check, deps.watchDebounceMs ?? 100, log);
  const timer = setInterval(check, deps.pollMs ?? (watcher ? 60_000 : 2_000));
  timer.unref();

  return {
    async import(bytes) {
      const r = importFeed(deps.db, bytes, deps.clock.now());
      applied = r.time;
      const a = apply();
      version = repo.dataVersion();
      log.info(
        `CVE feed imported (${r.format}: ${r.added} added, ${r.updated} updated, ${r.skipped} skipped): ${a.count} CVE rules now active, ${a.reassessed} devices re-assessed`,
      );
      return {
        ...r,
        applied: 'now',
        rulesActive: a.count,
        reassessed: a.reassessed,
        servicePid: process.pid,
      };
    },
    status: () => ({ rulesActive: active, lastImport: repo.lastImport() }),
    checkNow,
    stop: () => {
      clearInterval(timer);
      watcher?.close();
    },
  };
}

/**
 * Calls `onCommit` (debounced) when the database file or its WAL changes: inotify on its directory, so a
 * file that is recreated (the WAL after a checkpoint) stays watched. Null where watching is not possible
 * (an in-memory database, a filesystem without inotify).
 */
function watchCommits(
  db: Db,
  onCommit: () => void,
  debounceMs: number,
  log: Logger,
): { close(): void } | null {
  const file = db.name;
  if (!file || file === ':memory:' || db.memory) return null;
  const base = basename(file);
  let pending: ReturnType<typeof setTimeout> | null = null;
  let w: FSWatcher;
  try {
    w = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (pending || (name !== null && !String(name).startsWith(base))) return;
      pending = setTimeout(() => {
        pending = null;
        onCommit();
      }, debounceMs);
      pending.unref();
    });
  } catch (err) {
    log.debug(
      `cannot watch ${dirname(file)} for other processes' imports (polling): ${(err as Error).message}`,
    );
    return null;
  }
  w.on('error', (err) => log.debug(`the watch of ${dirname(file)} failed: ${err.message}`));
  return {
    close() {
      if (pending) clearTimeout(pending);
      w.close();
    },
  };
}

export interface LocalCveDeps {
  db: Db;
  dataDir: string;
  /** CVE rules of the database as this process would load them */
  countRules(): number;
  /** how long to wait for a running service to confirm (default 15 s) */
  confirmMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The CLI's side on a data dir (no service in this process): imports into the database; when a service
 * runs on the same data dir, waits until it has applied the import, so "now active" is true.
 */
export function localCvePort(deps: LocalCveDeps): CvePort {
  const repo = new CveRulesRepo(deps.db);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    async import(bytes) {
      const r = importFeed(deps.db, bytes);
      const pid = dataDirLockOwner(deps.dataDir);
      if (pid === null)
        return { ...r, applied: 'at_start', rulesActive: deps.countRules(), reassessed: 0, servicePid: null };
      const deadline = Date.now() + (deps.confirmMs ?? 15_000);
      for (;;) {
        const a = repo.active();
        if (a && a.import >= r.time && a.pid === pid)
          return { ...r, applied: 'now', rulesActive: a.count, reassessed: 0, servicePid: pid };
        if (Date.now() >= deadline || dataDirLockOwner(deps.dataDir) === null) break;
        await sleep(200);
      }
      return { ...r, applied: 'pending', rulesActive: deps.countRules(), reassessed: 0, servicePid: pid };
    },
    status: () => ({ rulesActive: deps.countRules(), lastImport: repo.lastImport() }),
  };
}
