import type { HealthCheck } from '../../shared/health';
import { createStatementCache } from '../database/statements';
import type { SqliteDb } from '../database/open';
import { createSyncState } from '../sync/state';
import { Session } from '../database/session';
import { checkHotQueries } from './index-health';
import { findDuplicateEmails } from '../employees/employees-service';
import { findDuplicateActiveProjectNames } from '../projects/projects-service';
import { checkIntegrity, databaseFileInfo, growthSince, migrationStatus, tableCounts } from './sqlite-info';

export interface LocalHealth {
  checks: HealthCheck[];
  counts: Record<string, number>;
  growth: Record<string, number>;
  sync: {
    pending: number;
    rejected: number;
    openConflicts: number;
    oldestPendingAt: string | null;
    lagSeconds: number;
    lastSyncedAt: string | null;
    lastError: string | null;
    cursor: { xid: string; version: number } | null;
  };
  database: {
    path: string;
    sizeBytes: number;
    walBytes: number;
    pageSize: number;
    freePages: number;
    migrations: { applied: number; known: number };
  };
}

const WEEK_MS = 7 * 86_400_000;

/** Duplicates the services refuse but a sync can still bring (another replica, the CRM). */
function uniqueNamesCheck(db: SqliteDb): HealthCheck {
  try {
    const problems = [
      ...findDuplicateEmails(db).map((d) => `${d.names.join(', ')} share the email ${d.email}`),
      ...findDuplicateActiveProjectNames(db).map((d) => `${d.count} active projects are named "${d.name}"`),
    ];
    return { name: 'local.unique-names', ok: problems.length === 0, detail: problems.length === 0 ? 'employee emails and active project names are unique' : problems.slice(0, 5).join('; ') };
  } catch (error) {
    return { name: 'local.unique-names', ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Everything doctor says about the local replica. Reads only: it never migrates, never creates
 * the client id, never writes, so it can run against the live database of a running app.
 */
export function localHealth(db: SqliteDb, file: string, now: Date, options: { integrity?: 'integrity' | 'quick' } = {}): LocalHealth {
  const checks: HealthCheck[] = [];
  checks.push({ name: 'local.open', ok: true, detail: `${file} (SQLite ${(db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v})` });

  try {
    const { version } = db.prepare('SELECT vec_version() AS version').get() as { version: string };
    checks.push({ name: 'local.sqlite-vec', ok: true, detail: `sqlite-vec ${version}` });
  } catch (error) {
    checks.push({ name: 'local.sqlite-vec', ok: false, detail: `not loaded: ${error instanceof Error ? error.message : String(error)}` });
  }

  const mode = options.integrity ?? 'integrity';
  const integrity = checkIntegrity(db, mode);
  checks.push({ name: 'local.integrity', ok: integrity.ok, detail: integrity.ok ? `${mode === 'quick' ? 'quick_check' : 'integrity_check'} ok` : integrity.messages.slice(0, 5).join('; ') });

  let fkProblems = 0;
  try {
    fkProblems = db.prepare('PRAGMA foreign_key_check').all().length;
    checks.push({ name: 'local.foreign-keys', ok: fkProblems === 0, detail: fkProblems === 0 ? 'no dangling references' : `${fkProblems} rows reference missing parents` });
  } catch (error) {
    checks.push({ name: 'local.foreign-keys', ok: false, detail: error instanceof Error ? error.message : String(error) });
  }

  checks.push(uniqueNamesCheck(db));

  const migrations = migrationStatus(db);
  const migrationsOk = migrations.unknown.length === 0 && migrations.changed.length === 0;
  checks.push({
    name: 'local.migrations',
    ok: migrationsOk,
    detail: !migrationsOk
      ? [migrations.unknown.length ? `unknown (newer Coordinator): ${migrations.unknown.join(', ')}` : '', migrations.changed.length ? `changed after being applied: ${migrations.changed.join(', ')}` : '']
          .filter(Boolean)
          .join('; ')
      : migrations.pending.length
        ? `${migrations.applied}/${migrations.known} applied; ${migrations.pending.length} pending, applied on the next open`
        : `${migrations.applied}/${migrations.known} applied`,
  });

  for (const index of checkHotQueries(db)) checks.push({ name: `local.index: ${index.name}`, ok: index.ok, detail: index.detail });

  // Sync bookkeeping: read through the same accessors the engine uses (reads only).
  const session = new Session(createStatementCache(db));
  const state = createSyncState(session);
  const one = <T>(sql: string): T | undefined => {
    try {
      return db.prepare(sql).get() as T | undefined;
    } catch {
      return undefined;
    }
  };
  const outbox = one<{ pending: number; rejected: number; oldest: string | null }>(
    `SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'rejected') AS rejected,
            min(created_at) FILTER (WHERE status = 'pending') AS oldest FROM sync_outbox`,
  );
  const conflicts = one<{ n: number }>('SELECT count(*) AS n FROM sync_conflicts WHERE resolved_at IS NULL');
  const oldest = outbox?.oldest ?? null;
  const lagSeconds = oldest ? Math.max(0, Math.round((now.getTime() - new Date(oldest).getTime()) / 1000)) : 0;
  const sync = {
    pending: outbox?.pending ?? 0,
    rejected: outbox?.rejected ?? 0,
    openConflicts: conflicts?.n ?? 0,
    oldestPendingAt: oldest,
    lagSeconds,
    lastSyncedAt: state.lastSyncedAt(),
    lastError: state.lastError(),
    cursor: state.cursor(),
  };
  checks.push({
    name: 'sync.health',
    ok: sync.lastError === null,
    detail: [
      sync.lastError ? `last sync failed: ${sync.lastError}` : sync.lastSyncedAt ? `last synced ${sync.lastSyncedAt}` : 'never synced',
      `${sync.pending} pending${sync.pending ? ` (oldest ${lagSeconds} s old)` : ''}`,
      `${sync.rejected} refused`,
      `${sync.openConflicts} open conflicts`,
    ].join('; '),
  });

  const info = databaseFileInfo(db, file);
  return {
    checks,
    counts: tableCounts(db),
    growth: growthSince(db, new Date(now.getTime() - WEEK_MS).toISOString()),
    sync,
    database: {
      path: file,
      sizeBytes: info.sizeBytes,
      walBytes: info.walBytes,
      pageSize: info.pageSize,
      freePages: info.freePages,
      migrations: { applied: migrations.applied, known: migrations.known },
    },
  };
}
