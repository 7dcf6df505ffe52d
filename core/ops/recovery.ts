import Database from 'better-sqlite3';
import { existsSync, renameSync } from 'node:fs';
import { recoveryReportSchema, type RecoveryReport } from '../../shared/health';
import { openCore, type Core, type CoreOptions } from '../app/core';
import { createLogger } from '../common/logger';
import { isoNow, type Clock } from '../common/time';
import { openDatabase, type SqliteDb } from '../database/open';
import { createApplier, type ApplyResult, type PulledRow } from '../sync/apply';
import { createOutbox } from '../sync/outbox';
import { salvageReplica, type SalvageResult } from './salvage';
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
 * Shows the salvaged pending changes in the fresh replica at once: the rows they touch (as the
 * damaged replica last had them, or rebuilt from their insert) go in together with the rows
 * they refer to, through the same applier a sync uses — which validates each row, checks its
 * references and re-applies the row's pending changes on top. Returns how many pending changes
 * are visible (a pending delete is, trivially: the row is not there).
 */
function replay(db: SqliteDb, salvage: SalvageResult): { replayed: number; problems: string[] } {
  const applier = createApplier(db, createOutbox(db));
  const shown = new Set<string>();
  const skipped: string[] = [];
  const record = (result: ApplyResult, rows: PulledRow[]) => {
    for (const r of rows) if (!result.skipped.some((s) => s.table === r.table && s.id === String(r.row.id))) shown.add(`${r.table}:${String(r.row.id)}`);
    for (const s of result.skipped) skipped.push(`${s.table} ${s.id}: ${s.reason}`);
  };
  try {
    record(applier.apply({ upserts: salvage.rows, deletes: [] }), salvage.rows);
  } catch (error) {
    // One row the fresh tables refuse must not hide the others: each on its own, parents first.
    log.debug('salvaged rows refused as a whole; applying one by one', { error: String(error) });
    for (const row of salvage.rows) {
      try {
        record(applier.apply({ upserts: [row], deletes: [] }), [row]);
      } catch (rowError) {
        skipped.push(`${row.table} ${String(row.row.id)}: ${rowError instanceof Error ? rowError.message : String(rowError)}`);
      }
    }
  }
  const pending = salvage.entries.filter((e) => e.status === 'pending');
  const finalOp = new Map(pending.map((e) => [`${e.table_name}:${e.row_id}`, e.op]));
  const visible = pending.filter((e) => finalOp.get(`${e.table_name}:${e.row_id}`) === 'delete' || shown.has(`${e.table_name}:${e.row_id}`));
  const problems = skipped.map((s) => `salvaged row not shown: ${s}`);
  const waiting = pending.length - visible.length;
  if (waiting > 0) {
    const rows = [...new Set(pending.filter((e) => !visible.includes(e)).map((e) => `${e.table_name} ${e.row_id}`))];
    problems.push(`${waiting} pending changes are queued but not shown until the next sync: their rows could not be read (${rows.slice(0, 10).join(', ')})`);
  }
  return { replayed: visible.length, problems };
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
      `INSERT INTO sync_outbox (mutation_id, table_name, row_id, op, fields, base_version, hlc, status, error, created_at, tx_id)
       VALUES (@mutation_id, @table_name, @row_id, @op, @fields, @base_version, @hlc, @status, @error, @created_at, @tx_id)`,
    );
    const setSetting = db.prepare('INSERT INTO local_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    db.transaction(() => {
      for (const s of settings) setSetting.run(s.key, s.value);
      for (const { seq: _old, ...entry } of salvage.entries) requeue.run(entry);
    })();
    const replayed = replay(db, salvage);
    report.replayed = replayed.replayed;
    report.problems.push(...replayed.problems);
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
