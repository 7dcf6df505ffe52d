/**
 * Central migration 0016_sync_clients_user_index: sync_clients gets an index on user_id, so the
 * row-level security of sync_conflicts (the person's replicas) looks the person up once, as an
 * index probe, instead of once per replica row on every conflict read (docs/capacity.md).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findMigrationsDir } from '../../../core/database/migrations-dir';
import { loadMigrations } from '../../../core/database/migrations';
import { migratePg } from '../../../core/sync/central/migrate-pg';
import { readConflictPage } from '../../../core/sync/central/pull';
import { tempCentral } from '../../support/pg';
import { addPerson, dropLogins } from '../../support/sync-service';

const DIR = findMigrationsDir('pg');
const ALL = loadMigrations(DIR);
type Snapshot = { tables: Record<string, { indexes: Record<string, { columns: { expression: string }[] }> }> };
const snap = (n: number) => JSON.parse(readFileSync(path.join(DIR, 'meta', `${String(n).padStart(4, '0')}_snapshot.json`), 'utf8')) as Snapshot;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('migration 0016_sync_clients_user_index', () => {
  it('adds only the index on sync_clients (user_id)', () => {
    expect(ALL[16]?.tag).toBe('0016_sync_clients_user_index');
    const before = snap(15);
    const after = snap(16);
    for (const [name, table] of Object.entries(before.tables)) {
      if (name !== 'public.sync_clients') expect(after.tables[name], name).toEqual(table);
    }
    expect(Object.keys(after.tables['public.sync_clients']?.indexes ?? {})).toEqual(['idx_sync_clients_user']);
    expect(after.tables['public.sync_clients']?.indexes.idx_sync_clients_user?.columns.map((c) => c.expression)).toEqual(['user_id']);
  });

  it("applies keeping every replica, and a coordinator's conflict read probes it once instead of scanning every replica", async () => {
    const central = await tempCentral({ migrate: false });
    cleanups.push(central.drop);
    await migratePg(central.client, ALL.filter((m) => m.index <= 15));
    await central.query(`INSERT INTO sync_clients (client_id, user_id) SELECT 'replica-' || g, gen_random_uuid() FROM generate_series(1, 2000) AS g`);
    const before = (await central.query('SELECT * FROM sync_clients ORDER BY client_id')).rows;
    expect((await migratePg(central.client)).applied).toEqual(['0016_sync_clients_user_index']);
    expect((await central.query('SELECT * FROM sync_clients ORDER BY client_id')).rows).toEqual(before);
    await central.query('ANALYZE sync_clients');

    const person = await addPerson(central.client, 'coordinator', 'conflicts');
    cleanups.push(() => dropLogins(central.url, [person.login]));
    // The conflict read's own query, explained as the person (row-level security applies to their role).
    let plan = '';
    const explaining = {
      query: async (sql: string, params: unknown[]) => {
        await central.query('BEGIN');
        try {
          await central.query(`SET LOCAL ROLE ${central.client.escapeIdentifier(person.login)}`);
          const { rows } = await central.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
          plan = JSON.stringify(rows[0]?.['QUERY PLAN']);
        } finally {
          await central.query('ROLLBACK');
        }
        return { rows: [] };
      },
    } as unknown as Parameters<typeof readConflictPage>[0];
    await readConflictPage(explaining, ['replica-1'], { xid: '0', version: 0 }, 500);
    expect(plan).toContain('"Index Name":"idx_sync_clients_user"');
    expect(plan).not.toMatch(/"Node Type":"Seq Scan","Parent Relationship":"SubPlan"[^}]*"Relation Name":"sync_clients"/);
  });
});
