/**
 * Central migration 0015_sync_conflicts_pull_index: sync_conflicts gets an index on (xid, seq),
 * the order the conflict pull reads in (core/sync/central/pull.ts readConflictPage). Applied to a
 * database holding conflicts, it keeps them; an index of that name made by hand is left alone; and
 * the pull of a replica whose cursor is near the top reads only the newest conflicts through it
 * instead of scanning the whole table.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findMigrationsDir } from '../../../core/database/migrations-dir';
import { loadMigrations } from '../../../core/database/migrations';
import { migratePg } from '../../../core/sync/central/migrate-pg';
import { readConflictPage } from '../../../core/sync/central/pull';
import { tempCentral } from '../../support/pg';

const DIR = findMigrationsDir('pg');
const ALL = loadMigrations(DIR);
const UP_TO = (n: number) => ALL.filter((m) => m.index <= n);
type Snapshot = { tables: Record<string, { indexes: Record<string, { columns: { expression: string }[] }> }> };
const snap = (n: number) => JSON.parse(readFileSync(path.join(DIR, 'meta', `${String(n).padStart(4, '0')}_snapshot.json`), 'utf8')) as Snapshot;

type Central = Awaited<ReturnType<typeof tempCentral>>;
const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (drops.length > 0) await drops.pop()?.();
});

async function centralAt(n: number): Promise<Central> {
  const central = await tempCentral({ migrate: false });
  drops.push(central.drop);
  await migratePg(central.client, UP_TO(n));
  return central;
}

/** `count` conflicts with transaction ids from 1000 on: replica-a lost every third, a CRM every fifth, 100 other replicas the rest. */
async function addConflicts(central: Central, count: number): Promise<void> {
  await central.query(
    `INSERT INTO sync_conflicts (id, xid, table_name, row_id, field, kind, losing_client_id, losing_value, winning_value)
     SELECT gen_random_uuid(), (1000 + g)::text::xid8, 'tasks', gen_random_uuid(), 'title', 'field',
            CASE WHEN g % 3 = 0 THEN 'replica-a' WHEN g % 5 = 0 THEN 'crm:perfex' ELSE 'replica-' || (g % 100) END,
            to_jsonb('lost ' || g), to_jsonb('won ' || g)
     FROM generate_series(1, $1) AS g`,
    [count],
  );
  await central.query('ANALYZE sync_conflicts');
}

interface PlanNode {
  'Node Type'?: string;
  Plan?: PlanNode;
  Plans?: PlanNode[];
}

/** The first node of `type` in an EXPLAIN (FORMAT JSON) plan, depth first. */
function findNode(plan: unknown, type: string): PlanNode | null {
  const nodes: PlanNode[] = Array.isArray(plan) ? (plan as PlanNode[]) : [plan as PlanNode];
  for (const node of nodes) {
    if (node['Node Type'] === type) return node;
    const found = findNode([...(node.Plan ? [node.Plan] : []), ...(node.Plans ?? [])], type);
    if (found) return found;
  }
  return null;
}

const indexDefinition = async (central: Central) =>
  (await central.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'sync_conflicts' AND indexname = 'idx_sync_conflicts_xid_seq'`)).rows.map((r) => r.indexdef);

describe('migration 0015_sync_conflicts_pull_index', () => {
  it('adds only the index on sync_conflicts (xid, seq)', () => {
    expect(ALL[15]?.tag).toBe('0015_sync_conflicts_pull_index');
    const before = snap(14);
    const after = snap(15);
    expect(Object.keys(after.tables).sort()).toEqual(Object.keys(before.tables).sort());
    for (const [name, table] of Object.entries(before.tables)) {
      if (name !== 'public.sync_conflicts') expect(after.tables[name], name).toEqual(table);
    }
    const added = Object.keys(after.tables['public.sync_conflicts']?.indexes ?? {}).filter((i) => !(i in (before.tables['public.sync_conflicts']?.indexes ?? {})));
    expect(added).toEqual(['idx_sync_conflicts_xid_seq']);
    expect(after.tables['public.sync_conflicts']?.indexes.idx_sync_conflicts_xid_seq?.columns.map((c) => c.expression)).toEqual(['xid', 'seq']);
  });

  it('applies on a central database holding conflicts, keeping every one', async () => {
    const central = await centralAt(14);
    await addConflicts(central, 300);
    const before = (await central.query('SELECT * FROM sync_conflicts ORDER BY xid, seq')).rows;
    expect(await indexDefinition(central)).toEqual([]);
    expect((await migratePg(central.client, UP_TO(15))).applied).toEqual(['0015_sync_conflicts_pull_index']);
    expect((await central.query('SELECT * FROM sync_conflicts ORDER BY xid, seq')).rows).toEqual(before);
    expect(await indexDefinition(central)).toEqual(['CREATE INDEX idx_sync_conflicts_xid_seq ON public.sync_conflicts USING btree (xid, seq)']);
  });

  it('leaves an index of that name an administrator made by hand, and still records itself', async () => {
    const central = await centralAt(14);
    await central.query('CREATE INDEX idx_sync_conflicts_xid_seq ON sync_conflicts (xid, seq)');
    expect((await migratePg(central.client, UP_TO(15))).applied).toEqual(['0015_sync_conflicts_pull_index']);
    expect(await indexDefinition(central)).toHaveLength(1);
  });

  it('a replica near the top of the conflicts reads the newest ones through it, in order, without scanning the table or sorting', async () => {
    const central = await centralAt(15);
    await addConflicts(central, 20_000);
    const plans: unknown[] = [];
    // The pull's own query, explained: a Queryable that asks PostgreSQL for the plan instead.
    const explaining = {
      query: async (sql: string, params: unknown[]) => {
        const { rows } = await central.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        plans.push(rows[0]?.['QUERY PLAN']);
        return { rows: [] };
      },
    } as unknown as Parameters<typeof readConflictPage>[0];
    await readConflictPage(explaining, ['replica-a'], { xid: '20950', version: 0 }, 500);
    // The page itself is the LIMIT under the lateral join (the statement then orders that one page).
    const page = JSON.stringify(findNode(plans[0], 'Limit'));
    expect(page).toContain('"Index Name":"idx_sync_conflicts_xid_seq"');
    expect(page).not.toContain('"Seq Scan"');
    expect(page).not.toContain('"Sort"');
  });
});
