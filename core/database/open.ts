import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as sqliteVec from 'sqlite-vec';
import { createLogger } from '../common/logger';
import { migrateSqlite } from './migrate-sqlite';

const log = createLogger('database');

export type SqliteDb = Database.Database;

export interface OpenOptions {
  /** `:memory:` for a throwaway database. */
  file: string;
  readonly?: boolean;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
}

/**
 * Inside a packaged app the extension sits in app.asar.unpacked (a native library cannot be
 * loaded from inside an archive); sqlite-vec reports the asar path, so rewrite it.
 */
export function sqliteVecPath(loadablePath: string = sqliteVec.getLoadablePath()): string {
  return loadablePath.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
}

/**
 * Opens the local replica: WAL for concurrent readers, FULL sync so an acknowledged write survives
 * a power cut, foreign keys enforced, a busy timeout instead of instant SQLITE_BUSY, sqlite-vec
 * loaded and proven to work before anything else touches the database.
 */
export function openDatabase(options: OpenOptions): SqliteDb {
  if (options.file !== ':memory:') mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const db = new Database(options.file, { readonly: options.readonly ?? false });
  try {
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.loadExtension(sqliteVecPath());
    const { version } = db.prepare('SELECT vec_version() AS version').get() as { version: string };
    log.debug('opened', { file: options.file, sqliteVec: version });
    if (options.migrate !== false && !options.readonly) migrateSqlite(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
