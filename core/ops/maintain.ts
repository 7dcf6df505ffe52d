import type pg from 'pg';
import type { SqliteDb } from '../database/open';
import { connectCentral, describeTarget, type CentralConfig } from '../sync/central/connect';
import { compactChangeLog } from '../sync/central/compact';
import { SYNC_ORDER } from '../sync/columns';
import { describeFailure, passwordOf } from './errors';
import { databaseFileInfo } from './sqlite-info';

export interface LocalMaintenance {
  before: { sizeBytes: number; walBytes: number; freePages: number };
  after: { sizeBytes: number; walBytes: number; freePages: number };
  steps: { name: string; ok: boolean; detail: string }[];
}

/**
 * Keeps the replica lean and its query plans good: fresh statistics (`PRAGMA optimize`), free
 * pages returned to the file system, and the WAL folded back into the database and truncated.
 * A database created without incremental auto-vacuum can only shrink by a full VACUUM, which
 * rewrites the whole file and needs it to itself: that happens only with `vacuum: true`.
 */
export function maintainLocal(db: SqliteDb, file: string, options: { vacuum?: boolean } = {}): LocalMaintenance {
  const snapshot = () => {
    const info = databaseFileInfo(db, file);
    return { sizeBytes: info.sizeBytes, walBytes: info.walBytes, freePages: info.freePages };
  };
  const before = snapshot();
  const steps: LocalMaintenance['steps'] = [];
  const step = (name: string, run: () => string) => {
    try {
      steps.push({ name, ok: true, detail: run() });
    } catch (error) {
      steps.push({ name, ok: false, detail: describeFailure(error) });
    }
  };
  // 0x10002: analyse every table that needs it, even ones this connection never queried.
  step('optimize', () => {
    db.pragma('optimize = 0x10002');
    return 'statistics refreshed where stale';
  });
  const mode = databaseFileInfo(db, file).autoVacuum;
  if (mode === 'incremental') {
    step('incremental-vacuum', () => {
      db.pragma('incremental_vacuum');
      return `${before.freePages} free pages released`;
    });
  } else if (options.vacuum) {
    step('vacuum', () => {
      db.exec('VACUUM');
      return `database rewritten (${before.freePages} free pages dropped)`;
    });
  } else {
    steps.push({ name: 'vacuum', ok: true, detail: `skipped: ${before.freePages} free pages (auto_vacuum=${mode}); pass --vacuum to rewrite the file` });
  }
  step('wal-checkpoint', () => {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    if (result && result.busy) throw new Error('a reader kept the WAL busy; nothing truncated (run again when the app is idle)');
    return result ? `${result.checkpointed} pages checkpointed, WAL truncated` : 'not in WAL mode';
  });
  return { before, after: snapshot(), steps };
}

export interface CentralMaintenance {
  target: string;
  steps: { name: string; ok: boolean; detail: string }[];
}

/**
 * The change log compacted (core/sync/central/compact.ts), then `VACUUM (ANALYZE)` of the synced tables and the sync bookkeeping on the central PostgreSQL.
 * VACUUM cannot run inside a transaction and needs the table owner: each table is its own step,
 * so a missing privilege on one does not stop the rest.
 */
export async function maintainCentral(config: CentralConfig): Promise<CentralMaintenance> {
  const secrets = passwordOf(config.url);
  const target = describeTarget(config.url);
  let client: pg.Client;
  try {
    client = await connectCentral({ ...config, queryTimeoutMs: config.queryTimeoutMs ?? 600_000 });
  } catch (error) {
    return { target, steps: [{ name: 'connect', ok: false, detail: describeFailure(error, secrets) }] };
  }
  const steps: CentralMaintenance['steps'] = [];
  try {
    // Before VACUUM, so the space of what it removes is reclaimed in the same run.
    try {
      const started = performance.now();
      const { removed, remaining } = await compactChangeLog(client);
      steps.push({ name: 'compact-change-log', ok: true, detail: `${removed} superseded changes removed, ${remaining} kept (${Math.round(performance.now() - started)} ms)` });
    } catch (error) {
      steps.push({ name: 'compact-change-log', ok: false, detail: describeFailure(error, secrets) });
    }
    const tables = [...SYNC_ORDER, 'audit_log', 'sync_changes', 'sync_tombstones', 'sync_row_meta', 'sync_conflicts', 'sync_rejections', 'sync_clients'];
    const present = new Set(
      (await client.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema()`)).rows.map((r) => r.t),
    );
    // Without the privilege PostgreSQL does not fail: it skips the table with a WARNING notice.
    const notices: string[] = [];
    client.on('notice', (notice) => notices.push(notice.message ?? ''));
    for (const table of tables.filter((t) => present.has(t))) {
      const started = performance.now();
      try {
        notices.length = 0;
        await client.query(`VACUUM (ANALYZE) "${table}"`);
        const skipped = notices.find((n) => /skipping/i.test(n));
        steps.push({ name: `vacuum-analyze ${table}`, ok: !skipped, detail: skipped ?? `${Math.round(performance.now() - started)} ms` });
      } catch (error) {
        steps.push({ name: `vacuum-analyze ${table}`, ok: false, detail: describeFailure(error, secrets) });
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return { target, steps };
}
