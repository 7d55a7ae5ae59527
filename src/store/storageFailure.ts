/**
 * Writes that fail because of the storage, not because of the data: a full disk (or quota, or
 * `PRAGMA max_page_count`), an I/O error, a read-only file. SQLite rolls the statement or transaction back;
 * the service keeps running, answers such requests with a clear status and reports itself degraded until a
 * later write succeeds.
 */

export interface StorageFailure {
  /** SQLite's extended result code (`SQLITE_FULL`, `SQLITE_IOERR_WRITE`, `SQLITE_READONLY`, …) */
  code: string;
  /** the disk (or the database's size limit) is full: HTTP 507 */
  full: boolean;
  /** one line for the log, the API and health */
  message: string;
}

/** The storage failure `err` stands for, or null for any other error. */
export function storageFailure(err: unknown): StorageFailure | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_FULL')
    return {
      code,
      full: true,
      message:
        'the database cannot grow: the disk holding the data directory is full; nothing was changed. Free some space and try again',
    };
  if (code.startsWith('SQLITE_IOERR'))
    return {
      code,
      full: false,
      message: `the database cannot be written (${code}: ${String((err as Error).message).slice(0, 200)}); nothing was changed`,
    };
  if (code.startsWith('SQLITE_READONLY'))
    return {
      code,
      full: false,
      message: `the database file is read-only (${code}); nothing was changed`,
    };
  return null;
}
