/**
 * The central migration runner: function sources applied with the migrations in one transaction,
 * re-applied when their text changes, and a database migrated before the functions moved to their
 * own files (recording the migrations' former checksums) upgraded in place.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findMigrationsDir } from '../../../core/database/migrations-dir';
import { loadMigrations } from '../../../core/database/migrations';
import { loadPgFunctions, migratePg } from '../../../core/sync/central/migrate-pg';
import { tempCentral } from '../../support/pg';

const PG_DIR = findMigrationsDir('pg');
const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (drops.length > 0) await drops.pop()?.();
});

async function emptyCentral() {
  const central = await tempCentral({ migrate: false });
  drops.push(central.drop);
  return central;
}

describe('central migrations and function sources', () => {
  it('a fresh database gets every migration and every function, and a second run does nothing', async () => {
    const central = await emptyCentral();
    const first = await migratePg(central.client);
    expect(first.applied).toHaveLength(loadMigrations(PG_DIR).length);
    expect(first.functions.sort()).toEqual(loadPgFunctions().map((f) => f.name).sort());
    const { rows } = await central.query<{ proname: string }>(`SELECT proname FROM pg_proc WHERE proname LIKE 'coordinator\\_%'`);
    for (const fn of loadPgFunctions()) expect(rows.map((r) => r.proname)).toContain(fn.name);
    expect(await migratePg(central.client)).toEqual({ applied: [], functions: [], current: first.current });
  });

  it('re-applies a function whose source file changed, and only that one', async () => {
    const central = await emptyCentral();
    await migratePg(central.client);
    const functions = loadPgFunctions().map((f) =>
      f.name === 'coordinator_hlc_writer' ? { ...f, sql: f.sql.replace("'')", "'none')"), checksum: 'changed' } : f,
    );
    const report = await migratePg(central.client, undefined, functions);
    expect(report).toMatchObject({ applied: [], functions: ['coordinator_hlc_writer'] });
    const { rows } = await central.query<{ w: string }>(`SELECT coordinator_hlc_writer(NULL) AS w`);
    expect(rows[0]?.w).toBe('none');
  });

  it('a failing migration leaves neither its changes nor the functions applied with it', async () => {
    const central = await emptyCentral();
    const migrations = loadMigrations(PG_DIR);
    const broken = { index: migrations.length, tag: 'broken', statements: ['CREATE TABLE half_done (id int)', 'NOT SQL'], checksum: 'b'.repeat(64), formerChecksums: [] };
    await expect(migratePg(central.client, [...migrations, broken])).rejects.toThrow(/syntax error/);
    const { rows } = await central.query(`SELECT to_regclass('half_done') AS t, to_regclass('schema_functions') AS f, (SELECT count(*) FROM pg_proc WHERE proname = 'coordinator_push')::int AS push`);
    expect(rows[0]).toEqual({ t: null, f: 'schema_functions', push: 0 });
  });

  it('upgrades a database migrated when the functions still lived inside the migrations', async () => {
    // The previous release's migration files: the function definitions inline, as they were.
    const central = await emptyCentral();
    const former = JSON.parse(readFileSync(path.join(PG_DIR, 'former_checksums.json'), 'utf8')) as { checksums: Record<string, string[]> };
    await migratePg(central.client);
    // Rewrite the ledger as the previous release recorded it and forget the function ledger.
    for (const [tag, [checksum]] of Object.entries(former.checksums)) {
      await central.query('UPDATE schema_migrations SET checksum = $1 WHERE tag = $2', [checksum, tag]);
    }
    await central.query('DROP TABLE schema_functions');
    const report = await migratePg(central.client);
    expect(report.applied).toEqual([]);
    expect(report.functions.length).toBe(loadPgFunctions().length);
  });

  it('refuses a migration edited in any other way', async () => {
    const central = await emptyCentral();
    await migratePg(central.client);
    await central.query(`UPDATE schema_migrations SET checksum = $1 WHERE idx = 3`, ['0'.repeat(64)]);
    await expect(migratePg(central.client)).rejects.toThrow(/was changed after it was applied/);
  });

  it('defines each function in exactly one file: no migration carries a function body', () => {
    const names = loadPgFunctions().map((f) => f.name);
    for (const file of readdirSync(PG_DIR).filter((f) => f.endsWith('.sql'))) {
      const text = readFileSync(path.join(PG_DIR, file), 'utf8');
      expect(text, file).not.toMatch(/CREATE (OR REPLACE )?FUNCTION/i);
    }
    for (const fn of loadPgFunctions()) {
      const defined = [...fn.sql.matchAll(/CREATE OR REPLACE FUNCTION (\w+)\(/g)].map((m) => m[1]);
      expect(defined, fn.name).toEqual([fn.name]);
    }
    expect(new Set(names).size).toBe(names.length);
  });
});
