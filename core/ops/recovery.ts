import Database from 'better-sqlite3';
import { existsSync, renameSync } from 'node:fs';
import { recoveryReportSchema, type RecoveryReport } from '../../shared/health';
import { openCore, type Core, type CoreOptions } from '../app/core';
import { createLogger } from '../common/logger';
import { isoNow, type Clock } from '../common/time';
import { openDatabase, type SqliteDb } from '../database/open';
import type { EntityTable } from '../mutations/types';
import { TABLE_SPECS } from '../sync/columns';
import { salvageReplica, type SalvagedEntry } from './salvage';
import { integrityMessages } from './sqlite-info';

export type { RecoveryReport };

const log = createLogger('recovery');

/** Where the last recovery is remembered (in the rebuilt replica), for doctor and the Health screen. */
export const RECOVERY_SETTING = 'ops.last_recovery';

/** SQLite's own verdicts for "this file is damaged" — as opposed to busy, locked or missing. */
const CORRUPTION_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

export type FileVerdict = { ok: true } | { ok: false; reason: string };

/**
 * The start-up check: the file opens as a database and passes `quick_check` (structure and
 * records; the index-vs-table cross-check is left to doctor's full integrity_check, which takes
 * several times longer). A locked or busy file is not damaged: that error is thrown, not judged.
 */
export function checkDatabaseFile(file: string): FileVerdict {
  if (file === ':memory:' || !existsSync(file)) return { ok: true };
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const messages = integrityMessages(db, 'quick', 10);
    if (messages.length === 1 && messages[0] === 'ok') return { ok: true };
    return { ok: false, reason: `quick_check failed: ${messages.slice(0, 3).join('; ')}` };
  } catch (error) {
    const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
    if (CORRUPTION_CODES.test(code)) return { ok: false, reason: `${code}: ${error instanceof Error ? error.message : String(error)}` };
    throw error;
  } finally {
    db?.close();
  }
}

/** `coordinator.db` → `coordinator.db.damaged-20260302T090000Z`, with its WAL and shared memory. */
function moveAside(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let aside = `${file}.damaged-${stamp}`;
  for (let n = 2; existsSync(aside); n += 1) aside = `${file}.damaged-${stamp}-${n}`;
  // The WAL holds committed changes not yet in the main file: it moves with it, renamed so that
  // SQLite still finds it next to the damaged copy.
  renameSync(file, aside);
  for (const suffix of ['-wal', '-shm', '-journal']) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  return aside;
}

/**
 * Puts a salvaged change back into the fresh tables so the user sees it before the next sync:
 * inserts in their original order bring back a local-only replica entirely; an edit of a row
 * that only the central database has is simply skipped here (the row arrives with the bootstrap
 * and the change is pushed before that). Each change stands alone in a savepoint.
 */
function replay(db: SqliteDb, entries: SalvagedEntry[]): number {
  let replayed = 0;
  for (const entry of entries) {
    if (entry.status !== 'pending') continue;
    const spec = TABLE_SPECS[entry.table_name as EntityTable];
    const fields = JSON.parse(entry.fields) as Record<string, unknown>;
    const columns = Object.keys(fields).filter((c) => c !== 'id' && spec.byName.has(c));
    const values = columns.map((c) => {
      const v = fields[c];
      return v === null || typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v);
    });
    try {
      db.transaction(() => {
        const table = `"${entry.table_name}"`;
        if (entry.op === 'delete') {
          replayed += db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(entry.row_id).changes > 0 ? 1 : 0;
          return;
        }
        if (columns.length === 0) return;
        const exists = db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(entry.row_id) !== undefined;
        if (!exists && entry.op === 'insert') {
          const names = ['id', ...columns].map((c) => `"${c}"`).join(', ');
          db.prepare(`INSERT INTO ${table} (${names}) VALUES (${['id', ...columns].map(() => '?').join(', ')})`).run(entry.row_id, ...values);
          replayed += 1;
        } else if (exists) {
          db.prepare(`UPDATE ${table} SET ${columns.map((c) => `"${c}" = ?`).join(', ')} WHERE id = ?`).run(...values, entry.row_id);
          replayed += 1;
        }
      })();
    } catch (error) {
      log.debug('salvaged change not replayed locally (it is still queued)', { seq: entry.seq, error: String(error) });
    }
  }
  return replayed;
}

/**
 * Moves the damaged replica aside, salvages its outbox and settings, and builds a fresh replica:
 * the salvaged changes are queued again (in their original order, under a new replica identity —
 * the old sequence may have holes the server would refuse), the sync cursor is gone, so the next
 * sync pushes them and bootstraps everything else from central.
 */
export function recoverDatabase(file: string, reason: string, options: { clock?: Clock } = {}): RecoveryReport {
  const now = new Date(isoNow(options.clock));
  const movedTo = moveAside(file, now);
  log.error('local database is damaged; moved aside and rebuilding', { reason, movedTo });
  const salvage = salvageReplica(movedTo);

  const db = openDatabase({ file });
  try {
    // Sync bookkeeping belongs to the old identity and position; everything else (who is signed
    // in, preferences) carries over.
    const settings = salvage.settings.filter((s) => !s.key.startsWith('sync.') && s.key !== RECOVERY_SETTING);
    const report: RecoveryReport = {
      at: now.toISOString(),
      reason,
      movedTo,
      salvaged: {
        pending: salvage.entries.filter((e) => e.status === 'pending').length,
        rejected: salvage.entries.filter((e) => e.status === 'rejected').length,
        settings: settings.length,
      },
      replayed: 0,
      problems: salvage.problems,
    };
    const requeue = db.prepare(
      `INSERT INTO sync_outbox (mutation_id, table_name, row_id, op, fields, base_version, hlc, status, error, created_at)
       VALUES (@mutation_id, @table_name, @row_id, @op, @fields, @base_version, @hlc, @status, @error, @created_at)`,
    );
    const setSetting = db.prepare('INSERT INTO local_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    db.transaction(() => {
      for (const s of settings) setSetting.run(s.key, s.value);
      for (const { seq: _old, ...entry } of salvage.entries) requeue.run(entry);
    })();
    report.replayed = replay(db, salvage.entries);
    setSetting.run(RECOVERY_SETTING, JSON.stringify(report));
    log.warn('local database rebuilt', { movedTo, salvaged: report.salvaged, replayed: report.replayed, problems: report.problems.length });
    return report;
  } finally {
    db.close();
  }
}

/** The last recovery recorded in this replica, if any. */
export function lastRecovery(db: SqliteDb): RecoveryReport | null {
  try {
    const row = db.prepare('SELECT value FROM local_settings WHERE key = ?').get(RECOVERY_SETTING) as { value: string } | undefined;
    if (!row) return null;
    const parsed = recoveryReportSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * How the desktop app opens its replica: check it, recover it when damaged, then open the core.
 * A database from a newer Coordinator, a locked file or a full disk are not damage and are
 * thrown as they are.
 */
export function openCoreWithRecovery(options: CoreOptions): { core: Core; recovery: RecoveryReport | null } {
  const verdict = checkDatabaseFile(options.dbFile);
  const recovery = verdict.ok ? null : recoverDatabase(options.dbFile, verdict.reason, { clock: options.clock });
  return { core: openCore(options), recovery };
}
