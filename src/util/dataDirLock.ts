/**
 * One service per data dir: `<data_dir>/lan-sentinel.lock` holds the owner's pid. Created with O_EXCL; a
 * lock whose pid is no longer alive (crash, SIGKILL) is taken over. Two instances on one data dir would
 * mark each other's scans failed and fight over the CLI token, so the second one refuses to start.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'lan-sentinel.lock';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `data_dir ${dataDir} is in use by another LAN Sentinel (pid ${pid}); stop it first, or give this one its own --data-dir`,
    );
    this.name = 'DataDirLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws DataDirLockedError naming the owner's pid; returns the release function. */
export function acquireDataDirLock(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let pid = Number.NaN;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue; // removed meanwhile: try again
    }
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new DataDirLockedError(dataDir, pid);
    // stale (owner gone, or unreadable content): take it over
    rmSync(file, { force: true });
  }
  throw new Error(`cannot take the lock ${file}: it keeps reappearing`);
}

/** The pid of the live process (not this one) holding the data dir's lock, or null. */
export function dataDirLockOwner(dataDir: string): number | null {
  let pid = Number.NaN;
  try {
    pid = Number(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim());
  } catch {
    return null;
  }
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : null;
}
