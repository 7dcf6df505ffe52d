import Database from 'better-sqlite3';
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../common/errors';
import { openDatabase, type SqliteDb } from '../database/open';
import { REBASE_REASON_KEY } from '../sync/state';
import { checkIntegrity, migrationStatus, tableCounts, type IntegrityResult, type MigrationStatus } from './sqlite-info';

export interface BackupResult {
  file: string;
  sizeBytes: number;
  pages: number;
  durationMs: number;
  verification: VerifyResult;
}

/**
 * Online backup through SQLite's backup API: the app (or a sync) may keep writing meanwhile; the
 * copy is a consistent snapshot. It is written next to the target and renamed into place only
 * once complete and verified, so a half-written backup never carries the final name. The copy
 * leaves WAL mode, so it is one self-contained file that can be moved, mailed or opened read-only.
 */
export async function backupDatabase(db: SqliteDb, out: string, options: { overwrite?: boolean } = {}): Promise<BackupResult> {
  const target = path.resolve(out);
  if (db.name && path.resolve(db.name) === target) throw new AppError('VALIDATION', 'The backup cannot overwrite the database it copies');
  if (existsSync(target) && !options.overwrite) throw new AppError('CONFLICT', `${target} already exists; choose another name or remove it first`);
  const partial = `${target}.partial-${process.pid}`;
  const started = performance.now();
  try {
    const { totalPages } = await db.backup(partial);
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const verification = verifyBackup(partial);
    if (!verification.ok) throw new AppError('INTERNAL', `The backup failed its own verification: ${verification.problems.join('; ')}`);
    renameSync(partial, target);
    return { file: target, sizeBytes: statSync(target).size, pages: totalPages, durationMs: Math.round(performance.now() - started), verification: { ...verification, file: target } };
  } finally {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(leftover, { force: true });
  }
}

export interface VerifyResult {
  file: string;
  ok: boolean;
  problems: string[];
  sizeBytes: number;
  integrity: IntegrityResult;
  migrations: MigrationStatus | null;
  counts: Record<string, number>;
}

/**
 * Opens a backup read-only (it is never migrated or modified) and checks it is a whole,
 * uncorrupted Coordinator database this version can open.
 */
export function verifyBackup(file: string): VerifyResult {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) throw new AppError('NOT_FOUND', `There is no file at ${resolved}`);
  const sizeBytes = statSync(resolved).size;
  let db: SqliteDb;
  try {
    db = openDatabase({ file: resolved, readonly: true, migrate: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { file: resolved, ok: false, problems: [`cannot be opened as a database: ${message}`], sizeBytes, integrity: { ok: false, messages: [message] }, migrations: null, counts: {} };
  }
  try {
    const integrity = checkIntegrity(db, 'integrity');
    const problems: string[] = [];
    if (!integrity.ok) problems.push(`integrity check failed: ${integrity.messages.slice(0, 3).join('; ')}`);
    let migrations: MigrationStatus | null = null;
    try {
      migrations = migrationStatus(db);
      if (migrations.applied === 0) problems.push('not a Coordinator database (no migrations recorded)');
      if (migrations.unknown.length) problems.push(`written by a newer Coordinator (unknown migrations ${migrations.unknown.join(', ')})`);
      if (migrations.changed.length) problems.push(`migrations changed after being applied: ${migrations.changed.join(', ')}`);
    } catch (error) {
      problems.push(`cannot read the migration ledger: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { file: resolved, ok: problems.length === 0, problems, sizeBytes, integrity, migrations, counts: tableCounts(db) };
  } finally {
    db.close();
  }
}

export interface RestoreResult {
  file: string;
  from: string;
  sizeBytes: number;
  /** Pending changes the backup carries; they are pushed under a new replica id at the next sync. */
  pending: number;
}

/**
 * Restores a backup over the database at `target` (the app must not be running on it). The backup
 * is verified first and copied next to the target, marked so its next sync takes a new replica id
 * (docs/sync-identity.md: a restored file would otherwise reuse mutation numbers the server has
 * already seen), and only then renamed into place; the old file's WAL is removed with it.
 */
export function restoreBackup(backupFile: string, target: string, at: Date = new Date()): RestoreResult {
  const from = path.resolve(backupFile);
  const file = path.resolve(target);
  if (from === file) throw new AppError('VALIDATION', 'The backup and the database to restore are the same file');
  const verification = verifyBackup(from);
  if (!verification.ok) throw new AppError('VALIDATION', `The backup is not usable: ${verification.problems.join('; ')}`);
  const partial = `${file}.restoring-${process.pid}`;
  try {
    copyFileSync(from, partial);
    const db = new Database(partial);
    let pending: number;
    try {
      db.prepare('INSERT INTO local_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
        REBASE_REASON_KEY,
        `This database was restored from the backup ${path.basename(from)} on ${at.toISOString()}`,
      );
      pending = (db.prepare(`SELECT count(*) AS n FROM sync_outbox WHERE status = 'pending'`).get() as { n: number }).n;
    } finally {
      db.close();
    }
    // A WAL left by the replaced database would be replayed into the restored one.
    for (const stale of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(stale, { force: true });
    renameSync(partial, file);
    return { file, from, sizeBytes: statSync(file).size, pending };
  } finally {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(leftover, { force: true });
  }
}

export interface AppRestoreResult extends RestoreResult {
  /** The database the backup replaced, kept aside untouched (null when there was none). */
  keptAt: string | null;
  /** Unsynced changes that database held: they are in the kept file, not in the restored one. */
  replacedPending: number;
}

/**
 * Restores a backup into the database a running app uses (the desktop's File → Restore from
 * backup…). The backup is verified while the app still runs, so an unusable file closes and
 * changes nothing; then `close` releases the database, the current file is kept aside (a restore
 * must not silently discard the unsynced changes it holds), and the backup is put in place as
 * `restoreBackup` does. The caller reopens the app on the file.
 */
export async function restoreIntoApp(backupFile: string, dbFile: string, close: () => Promise<void>, at: Date = new Date()): Promise<AppRestoreResult> {
  const from = path.resolve(backupFile);
  const file = path.resolve(dbFile);
  if (from === file) throw new AppError('VALIDATION', 'The backup and the database to restore are the same file');
  const verification = verifyBackup(from);
  if (!verification.ok) throw new AppError('VALIDATION', `The backup is not usable: ${verification.problems.join('; ')}`);
  await close();
  let keptAt: string | null = null;
  let replacedPending = 0;
  if (existsSync(file)) {
    keptAt = `${file}.before-restore-${at.toISOString().replace(/[:.]/g, '-')}`;
    const current = new Database(file);
    try {
      // Everything the WAL holds goes into the main file, so the kept copy is complete on its own.
      current.pragma('wal_checkpoint(TRUNCATE)');
      replacedPending = (current.prepare(`SELECT count(*) AS n FROM sync_outbox WHERE status = 'pending'`).get() as { n: number }).n;
    } finally {
      current.close();
    }
    copyFileSync(file, keptAt);
  }
  return { ...restoreBackup(from, file, at), keptAt, replacedPending };
}
