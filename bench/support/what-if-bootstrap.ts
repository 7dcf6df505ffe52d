/**
 * Experiment (not a benchmark, not product code): how fast could bootstrap be with a few changes
 * to the applier? Runs the engine's `syncOnce()` bootstrap and then prototype bootstrap loops
 * built from the same core pieces (readSnapshotPage, rowToLocal, invalidReason, the same SQLite
 * schema and pragmas), each on a fresh replica against the same central fixture, switching on one
 * change at a time:
 *   plain     INSERT instead of INSERT … ON CONFLICT DO UPDATE while the table was empty at start
 *   parents   a Set of ids written during this bootstrap answers the FK probes; no outbox lookups
 *             when the outbox is empty
 *   prefetch  the next page's query is sent before the current page is applied
 *   normal    PRAGMA synchronous = NORMAL for the bootstrap (it is resumable page by page)
 * `npx tsx bench/support/what-if-bootstrap.ts [--quick]`
 */
import type pg from 'pg';
import { openCore } from '../../core/app/core';
import type { EntityTable } from '../../core/mutations/types';
import { createCentralPool } from '../../core/sync/central/connect';
import { readHorizon, readSnapshotPage, type CentralRow } from '../../core/sync/central/pull';
import { rowToLocal, TABLE_SPECS } from '../../core/sync/columns';
import { FOREIGN_KEYS, invalidReason } from '../../core/sync/validate-row';
import { createBenchCentral } from './central';
import { loadFixture } from './fixture';
import { tempDir } from './util';

const TABLES: EntityTable[] = ['users', 'employees', 'projects', 'tasks', 'comments'];
const PAGE = 5000;
type Options = { plain: boolean; parents: boolean; prefetch: boolean; normal: boolean };

async function prototype(dbFile: string, url: string, o: Options): Promise<number> {
  const core = openCore({ dbFile });
  const db = core.db;
  if (o.normal) db.pragma('synchronous = NORMAL');
  const pool = createCentralPool({ url });
  const client: pg.PoolClient = await pool.connect();
  const written = new Map<EntityTable, Set<string>>();
  let total = 0;
  try {
    const horizon = await readHorizon(client);
    for (const [index, table] of TABLES.entries()) {
      const cols = TABLE_SPECS[table].columns.map((c) => c.name);
      const list = cols.map((c) => `"${c}"`).join(', ');
      const marks = cols.map(() => '?').join(', ');
      const empty = !db.prepare(`SELECT 1 FROM "${table}" LIMIT 1`).get();
      const insert = db.prepare(
        o.plain && empty
          ? `INSERT INTO "${table}" (${list}) VALUES (${marks})`
          : `INSERT INTO "${table}" (${list}) VALUES (${marks}) ON CONFLICT(id) DO UPDATE SET ${cols.filter((c) => c !== 'id').map((c) => `"${c}" = excluded."${c}"`).join(', ')}`,
      );
      const version = db.prepare(
        'INSERT INTO sync_row_versions (table_name, row_id, version) VALUES (?, ?, ?) ON CONFLICT(table_name, row_id) DO UPDATE SET version = max(version, excluded.version)',
      );
      const pendingFor = db.prepare(`SELECT * FROM sync_outbox WHERE status = 'pending' AND table_name = ? AND row_id = ? ORDER BY seq`);
      const outboxEmpty = !db.prepare(`SELECT 1 FROM sync_outbox WHERE status = 'pending' LIMIT 1`).get();
      const probes = new Map(FOREIGN_KEYS[table].map((fk) => [fk.parent, db.prepare(`SELECT 1 FROM "${fk.parent}" WHERE id = ?`)]));
      const mine = new Set<string>();
      written.set(table, mine);
      const parentExists = (parent: EntityTable, id: string) =>
        (o.parents && written.get(parent)?.has(id)) || Boolean(probes.get(parent)?.get(id));
      let afterId: string | null = null;
      let next: Promise<CentralRow[]> = readSnapshotPage(client, table, null, PAGE);
      for (;;) {
        const rows = await next;
        const last = rows.length === PAGE ? String(rows[rows.length - 1]?.row.id) : null;
        if (o.prefetch && last) next = readSnapshotPage(client, table, last, PAGE);
        db.transaction(() => {
          db.pragma('defer_foreign_keys = ON');
          for (const r of rows) {
            const row = rowToLocal(table, r.row);
            const id = String(row.id);
            if (invalidReason(table, row)) continue;
            if (FOREIGN_KEYS[table].some((fk) => typeof row[fk.column] === 'string' && !parentExists(fk.parent, row[fk.column] as string))) continue;
            insert.run(cols.map((c) => row[c] ?? null));
            if (r.version !== null) version.run(table, id, r.version);
            mine.add(id);
            total += 1;
          }
          if (!(o.parents && outboxEmpty)) for (const r of rows) pendingFor.all(table, String(r.row.id));
          core.sync.state.setBootstrap({ horizon, tableIndex: index, afterId, rowsDone: total });
        })();
        if (!last) break;
        afterId = last;
        if (!o.prefetch) next = readSnapshotPage(client, table, last, PAGE);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return total;
  } finally {
    client.release();
    await pool.end();
    core.close();
  }
}

async function main() {
  const quick = process.argv.includes('--quick');
  const tmp = tempDir();
  const central = await createBenchCentral();
  try {
    const fixture = await loadFixture(central.client, quick
      ? { users: 20, employees: 50, projects: 100, tasks: 10_000, comments: 20_000 }
      : { users: 100, employees: 300, projects: 1_000, tasks: 100_000, comments: 200_000 });
    const rate = (rows: number, s: number) => `${Math.round(rows / s).toLocaleString('en-US')} rows/s (${s.toFixed(2)} s)`;
    const core = openCore({ dbFile: tmp.file('engine.db') });
    const engine = core.sync.connect({ central: { url: central.url } });
    let t = performance.now();
    const result = await engine.syncOnce();
    console.log(`engine syncOnce()                 ${rate(result.pulled, (performance.now() - t) / 1000)}`);
    await engine.close();
    core.close();
    const variants: [string, Options][] = [
      ['same algorithm (prototype check)', { plain: false, parents: false, prefetch: false, normal: false }],
      ['+ plain INSERT into empty table', { plain: true, parents: false, prefetch: false, normal: false }],
      ['+ parent-id set, no outbox probes', { plain: true, parents: true, prefetch: false, normal: false }],
      ['+ prefetch next page', { plain: true, parents: true, prefetch: true, normal: false }],
      ['+ synchronous=NORMAL', { plain: true, parents: true, prefetch: true, normal: true }],
    ];
    for (const [i, [label, options]] of variants.entries()) {
      t = performance.now();
      const rows = await prototype(tmp.file(`proto${i}.db`), central.url, options);
      if (rows !== fixture.rows) throw new Error(`${label}: wrote ${rows} of ${fixture.rows}`);
      console.log(`${label.padEnd(33)} ${rate(rows, (performance.now() - t) / 1000)}`);
    }
  } finally {
    await central.drop();
    tmp.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
