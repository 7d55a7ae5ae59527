/**
 * Run ownership and cleanup for simulated LANs.
 *
 * Each run has a short id and owns the namespaces `lsn-<id>-*`. Before the first namespace is created, the
 * owner writes /tmp/lsn-netns/<id>.pid = {"pid","start","net"} (start = the process start time from
 * /proc/<pid>/stat, so a recycled pid is not mistaken for the owner). `cleanupStale()` deletes namespaces of
 * runs whose owner is gone. A /24 is reserved per run with an exclusive lock file /tmp/lsn-netns/net-<n>.
 * Process exit / SIGINT / SIGTERM / SIGHUP run every registered synchronous cleanup.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { deleteNamespace, deleteNamespaceSync, listNamespaces } from './ip.js';

export const STATE_DIR = '/tmp/lsn-netns';
/** Namespaces of runs made by this harness: lsn-<6 chars>-(lan|scan|h-<name>). */
export const RUN_NS = /^lsn-([a-z0-9]{6})-(lan|scan|h-[a-z0-9-]+)$/;
/** Third octet range used for per-run /24s inside 10.213.0.0/16. */
const NET_MIN = 10;
const NET_MAX = 249;

interface OwnerRecord {
  pid: number;
  start: string | null;
  net: number;
}

export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may contain spaces, so split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

function ownerAlive(rec: OwnerRecord): boolean {
  const start = processStartTime(rec.pid);
  if (start === null) return false;
  return rec.start === null || rec.start === start;
}

function readOwner(file: string): OwnerRecord | null {
  try {
    const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<OwnerRecord>;
    if (typeof rec.pid !== 'number' || typeof rec.net !== 'number') return null;
    return { pid: rec.pid, start: typeof rec.start === 'string' ? rec.start : null, net: rec.net };
  } catch {
    return null;
  }
}

export interface RunLease {
  id: string;
  /** Third octet n: the run's subnet is 10.213.<n>.0/24. */
  net: number;
  release(): void;
}

/** Pick a fresh id and reserve a /24 for it; writes the owner file. */
export function acquireRun(): RunLease {
  fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
  const id = randomBytes(4).toString('hex').slice(0, 6);
  const seed = Number.parseInt(id, 16);
  const span = NET_MAX - NET_MIN + 1;
  for (let i = 0; i < span; i++) {
    const net = NET_MIN + ((seed + i) % span);
    const lock = path.join(STATE_DIR, `net-${net}`);
    const mine: OwnerRecord = { pid: process.pid, start: processStartTime(process.pid), net };
    try {
      fs.writeFileSync(lock, JSON.stringify({ ...mine, id }), { flag: 'wx' });
    } catch {
      const prev = readOwner(lock);
      if (prev && ownerAlive(prev)) continue;
      // Stale lock of a dead owner: take it over (the race with another taker is settled by re-reading).
      fs.writeFileSync(lock, JSON.stringify({ ...mine, id }));
      const check = JSON.parse(fs.readFileSync(lock, 'utf8')) as { id?: string };
      if (check.id !== id) continue;
    }
    fs.writeFileSync(path.join(STATE_DIR, `${id}.pid`), JSON.stringify(mine));
    return {
      id,
      net,
      release() {
        for (const f of [lock, path.join(STATE_DIR, `${id}.pid`)]) {
          try {
            const rec = JSON.parse(fs.readFileSync(f, 'utf8')) as { pid?: number };
            if (rec.pid === process.pid) fs.unlinkSync(f);
          } catch {
            /* already gone */
          }
        }
      },
    };
  }
  throw new Error(`no free /24 left in 10.213.${NET_MIN}-${NET_MAX}.0: too many live simulated LANs`);
}

/**
 * Delete `lsn-<id>-*` namespaces (and their processes) left by crashed runs: only those whose owner file
 * exists and names a dead process. Namespaces of live runs and foreign `lsn-` namespaces are left alone.
 * Returns the deleted namespace names.
 */
export async function cleanupStale(): Promise<string[]> {
  const deleted: string[] = [];
  let names: string[];
  try {
    names = await listNamespaces();
  } catch {
    return deleted;
  }
  const byRun = new Map<string, string[]>();
  for (const n of names) {
    const m = RUN_NS.exec(n);
    if (m?.[1]) byRun.set(m[1], [...(byRun.get(m[1]) ?? []), n]);
  }
  for (const [id, list] of byRun) {
    const file = path.join(STATE_DIR, `${id}.pid`);
    const rec = readOwner(file);
    if (!rec || ownerAlive(rec)) continue;
    for (const ns of list) {
      await deleteNamespace(ns);
      deleted.push(ns);
    }
    for (const f of [file, path.join(STATE_DIR, `net-${rec.net}`)]) {
      const lock = readOwner(f);
      if (lock && lock.pid === rec.pid) fs.rmSync(f, { force: true });
    }
  }
  // Orphaned owner files with no namespaces left.
  try {
    for (const f of fs.readdirSync(STATE_DIR)) {
      const full = path.join(STATE_DIR, f);
      const rec = readOwner(full);
      if (rec && !ownerAlive(rec)) fs.rmSync(full, { force: true });
    }
  } catch {
    /* no state dir */
  }
  return deleted;
}

// ---- exit hooks -------------------------------------------------------------------------------------

const syncCleanups = new Set<() => void>();
let hooked = false;

function runAll(): void {
  for (const fn of [...syncCleanups]) {
    syncCleanups.delete(fn);
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
}

function onSignal(sig: NodeJS.Signals): void {
  runAll();
  // Restore the default action if nobody else handles the signal, then re-raise it.
  process.removeListener(sig, onSignal);
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

/** Register a synchronous cleanup to run on exit or a terminating signal. Returns an unregister function. */
export function onExitCleanup(fn: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', runAll);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  }
  syncCleanups.add(fn);
  return () => syncCleanups.delete(fn);
}

/** Synchronous teardown of a run's namespaces (for exit handlers). */
export function deleteNamespacesSync(names: readonly string[]): void {
  for (const ns of names) deleteNamespaceSync(ns);
}
