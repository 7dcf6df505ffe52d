import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/errors';
import { findMigrationsDir } from '../../database/migrations-dir';
import { isKnownChecksum, loadMigrations, type Migration } from '../../database/migrations';
import type pg from 'pg';

export interface PgMigrationReport {
  applied: string[];
  /** Functions (re)defined because they were new or their source file changed. */
  functions: string[];
  current: number;
}

/**
 * A server-side function as a source file: `migrations/pg/functions/<name>.sql` holds its one
 * current definition (CREATE OR REPLACE, idempotent). Migrations create tables, triggers,
 * policies and grants; a function's behaviour is read in one place instead of in whichever
 * migration redefined it last.
 */
export interface PgFunctionSource {
  name: string;
  sql: string;
  checksum: string;
}

export function loadPgFunctions(dir: string = path.join(findMigrationsDir('pg'), 'functions')): PgFunctionSource[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return { name: file.slice(0, -'.sql'.length), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

const MIGRATION_LOCK = 7_420_001;

/**
 * Creates or upgrades the central schema. Idempotent and safe to run from several machines at
 * once (an advisory lock serialises them); append-only like the local runner: a changed or
 * unknown (newer) migration is refused. Changed function sources and pending migrations are
 * applied in one transaction, so no push ever runs a new function against an old schema (or the
 * reverse). Function bodies are not checked at creation (as pg_dump restores them): a function
 * may name a table that a migration of the same run creates.
 */
export async function migratePg(
  client: pg.ClientBase,
  migrations: Migration[] = loadMigrations(findMigrationsDir('pg')),
  functions: PgFunctionSource[] = loadPgFunctions(),
): Promise<PgMigrationReport> {
  // Each step is one transaction holding a transaction-scoped lock: through a transaction-mode
  // pooler (PgBouncer) statements outside a transaction may each run on another server
  // connection, so a session lock could be taken on one and "released" on another (and stay held
  // for ever by the first). The bookkeeping tables are made first, in a transaction of their own.
  await locked(client, async () => {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      idx integer PRIMARY KEY, tag text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_functions (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  return locked(client, async () => {
    const { rows } = await client.query<{ idx: number; tag: string; checksum: string }>('SELECT idx, tag, checksum FROM schema_migrations ORDER BY idx');
    const known = new Map(migrations.map((m) => [m.index, m]));
    for (const row of rows) {
      const migration = known.get(row.idx);
      if (!migration) {
        throw new AppError('CONFLICT', `The central database has migration ${row.idx} "${row.tag}" which this Coordinator does not know; update Coordinator.`);
      }
      if (!isKnownChecksum(migration, row.checksum)) throw new AppError('CONFLICT', `Central migration ${row.idx} "${row.tag}" was changed after it was applied.`);
    }
    const done = new Set(rows.map((r) => r.idx));
    const pending = migrations.filter((m) => !done.has(m.index));
    const recorded = new Map(
      (await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_functions')).rows.map((r) => [r.name, r.checksum]),
    );
    const changed = functions.filter((f) => recorded.get(f.name) !== f.checksum);
    if (pending.length > 0 || changed.length > 0) {
      await client.query('SET LOCAL check_function_bodies = off');
      for (const fn of changed) {
        await client.query(fn.sql);
        await client.query(
          `INSERT INTO schema_functions (name, checksum) VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`,
          [fn.name, fn.checksum],
        );
      }
      for (const migration of pending) {
        if (migration.statements.length > 0) await client.query(migration.statements.join(';\n'));
        await client.query('INSERT INTO schema_migrations (idx, tag, checksum) VALUES ($1, $2, $3)', [migration.index, migration.tag, migration.checksum]);
      }
    }
    return { applied: pending.map((m) => m.tag), functions: changed.map((f) => f.name), current: migrations.length - 1 };
  });
}

/** `work` in one transaction that holds the migration lock; rolled back when it throws. */
async function locked<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
