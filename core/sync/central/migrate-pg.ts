import { AppError } from '../../common/errors';
import { findMigrationsDir } from '../../database/migrations-dir';
import { loadMigrations, type Migration } from '../../database/migrations';
import type pg from 'pg';

export interface PgMigrationReport {
  applied: string[];
  current: number;
}

const MIGRATION_LOCK = 7_420_001;

/**
 * Creates or upgrades the central schema. Idempotent and safe to run from several machines at
 * once (an advisory lock serialises them); append-only like the local runner: a changed or
 * unknown (newer) migration is refused.
 */
export async function migratePg(client: pg.ClientBase, migrations: Migration[] = loadMigrations(findMigrationsDir('pg'))): Promise<PgMigrationReport> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      idx integer PRIMARY KEY, tag text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ idx: number; tag: string; checksum: string }>('SELECT idx, tag, checksum FROM schema_migrations ORDER BY idx');
    const known = new Map(migrations.map((m) => [m.index, m]));
    for (const row of rows) {
      const migration = known.get(row.idx);
      if (!migration) {
        throw new AppError('CONFLICT', `The central database has migration ${row.idx} "${row.tag}" which this Coordinator does not know; update Coordinator.`);
      }
      if (migration.checksum !== row.checksum) throw new AppError('CONFLICT', `Central migration ${row.idx} "${row.tag}" was changed after it was applied.`);
    }
    const done = new Set(rows.map((r) => r.idx));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.index)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.statements.join(';\n'));
        await client.query('INSERT INTO schema_migrations (idx, tag, checksum) VALUES ($1, $2, $3)', [migration.index, migration.tag, migration.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(migration.tag);
    }
    return { applied, current: migrations.length - 1 };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
