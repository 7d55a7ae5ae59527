/**
 * Every SQLite connection the service opens (the database, and the salvage's source and copies) goes through
 * here, so none of them writes a temporary file outside its database: SQLite's temporary files (statement
 * journals, sorts, a table rebuild's DROP) otherwise go to the first writable of $SQLITE_TMPDIR, /var/tmp,
 * /usr/tmp, /tmp, which the add-on's AppArmor profile may refuse (only /data and /tmp are writable there) —
 * migration 20 failed to start in the confined guest. The databases are small: memory is the right place.
 */
import Database from 'better-sqlite3';

export function openSqlite(file: string, options?: Database.Options): Database.Database {
  const db = new Database(file, options);
  try {
    db.pragma('temp_store = MEMORY');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
