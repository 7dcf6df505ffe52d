import { copyFileSync } from 'node:fs';
import { openCore } from '../core/app/core';
import { openDatabase } from '../core/database/open';
import type { EntityTable } from '../core/mutations/types';
import { TABLE_SPECS } from '../core/sync/columns';
import type { SyncProgress } from '../core/sync/engine';
import { round, summarise, type Benchmark, type BenchResult } from './harness';
import { createBenchCentral, waitForHorizon } from './support/central';
import { fixtureIdSql, loadFixture, type FixtureSpec } from './support/fixture';
import { fmtInt, fmtMs, fmtS, machineNote, median, seconds, tempDir } from './support/util';

const CHANGES_PER_ROUND = 1_000;

/**
 * A replica already holding 500k rows (250k tasks + 250k comments, bootstrapped once through the
 * engine and timed separately) pulls 1k remote changes: 500 task updates and 500 comment edits
 * made by another writer directly in PostgreSQL (the change-log trigger records them), applied by
 * `syncOnce()`. Repeated for several rounds on fresh rows; figures are per changed row.
 *
 * Baseline: the same 1k row states upserted with bare prepared `INSERT … ON CONFLICT DO UPDATE`
 * statements in one transaction into a byte copy of the replica taken right after bootstrap (so
 * both sides change the same rows from the same old values on a 500k-row database).
 */
export const syncIncremental: Benchmark = {
  name: 'sync-incremental',
  description: '1k remote changes pulled by syncOnce() into a 500k-row replica vs bare upserts',
  async run({ quick }): Promise<BenchResult> {
    const half = quick ? 25_000 : 250_000;
    const rounds = quick ? 3 : 5;
    const spec: FixtureSpec = { users: 100, employees: 300, projects: 1_000, tasks: half, comments: half };
    if (rounds * (CHANGES_PER_ROUND / 2) > half) throw new Error('not enough rows for distinct changes per round');
    const machine = machineNote();
    const tmp = tempDir();
    const central = await createBenchCentral().catch((error: unknown) => {
      tmp.remove();
      throw error;
    });
    let core: ReturnType<typeof openCore> | null = null;
    let copy: ReturnType<typeof openDatabase> | null = null;
    try {
      const replica = openCore({ dbFile: tmp.file('replica.db') });
      core = replica;
      const fixture = await loadFixture(central.client, spec);
      await waitForHorizon(central.client, fixture.xid);

      const phases: { phase: SyncProgress['phase']; at: number }[] = [];
      const engine = replica.sync.connect({ central: { url: central.url }, onProgress: (p) => phases.push({ phase: p.phase, at: performance.now() }) });
      try {
        // The replica: one bootstrap through the engine, timed but not part of the measure.
        let started = performance.now();
        const boot = await engine.syncOnce();
        const bootSeconds = seconds(started);
        if (!boot.bootstrapped || boot.pulled !== fixture.rows) throw new Error(`bootstrap wrote ${boot.pulled} of ${fixture.rows} rows`);

        // Fixed cost of a sync that finds nothing to do.
        started = performance.now();
        const idle = await engine.syncOnce();
        const idleMs = performance.now() - started;
        if (idle.pulled !== 0) throw new Error(`idle sync pulled ${idle.pulled} rows`);

        // Baseline database: a byte copy of the bootstrapped replica.
        replica.db.pragma('wal_checkpoint(TRUNCATE)');
        copyFileSync(tmp.file('replica.db'), tmp.file('baseline.db'));
        copy = openDatabase({ file: tmp.file('baseline.db') });
        const upsert = (db: NonNullable<typeof copy>, table: EntityTable) => {
          const cols = TABLE_SPECS[table].columns.map((c) => `"${c.name}"`);
          const set = cols.filter((c) => c !== '"id"').map((c) => `${c} = excluded.${c}`);
          return db.prepare(`INSERT INTO "${table}" (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT(id) DO UPDATE SET ${set.join(', ')}`);
        };
        const baselineUpsert = { tasks: upsert(copy, 'tasks'), comments: upsert(copy, 'comments') };

        const syncMs: number[] = [];
        const pullMs: number[] = [];
        const baseMs: number[] = [];
        const writeMs: number[] = [];
        const horizonWaitMs: number[] = [];
        for (let r = 0; r < rounds; r += 1) {
          // Another writer: 500 task updates and 500 comment edits, in one central transaction.
          const from = r * (CHANGES_PER_ROUND / 2) + 1;
          const to = from + CHANGES_PER_ROUND / 2 - 1;
          started = performance.now();
          await central.client.query('BEGIN');
          const tasks = await central.client.query<{ id: string }>(
            `UPDATE tasks SET status = CASE WHEN status = 'done' THEN 'in_progress'::task_status ELSE 'done'::task_status END,
                              priority = 'urgent', title = title || ' (rev ${r + 1})', updated_at = now()
             WHERE id IN (SELECT ${fixtureIdSql('task', 'i')} FROM generate_series(${from}, ${to}) i) RETURNING id::text`,
          );
          const comments = await central.client.query<{ id: string }>(
            `UPDATE comments SET content = content || ' Edit ${r + 1}: the source is attached now.', is_edited = true, updated_at = now()
             WHERE id IN (SELECT ${fixtureIdSql('comment', 'i')} FROM generate_series(${from}, ${to}) i) RETURNING id::text`,
          );
          const { rows: xidRows } = await central.client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
          await central.client.query('COMMIT');
          writeMs.push(performance.now() - started);
          // The engine reads changes only below the cluster-wide snapshot horizon (see waitForHorizon):
          // wait, unmeasured, until this write is below it, so the measured sync sees the whole round.
          horizonWaitMs.push(await waitForHorizon(central.client, xidRows[0]?.xid ?? '0'));
          const changed = tasks.rows.length + comments.rows.length;
          if (changed !== CHANGES_PER_ROUND) throw new Error(`remote writer changed ${changed} rows`);

          phases.length = 0;
          started = performance.now();
          const result = await engine.syncOnce();
          const elapsed = performance.now() - started;
          if (result.pulled !== CHANGES_PER_ROUND || result.skipped.length > 0) throw new Error(`round ${r + 1} pulled ${result.pulled} rows, skipped ${result.skipped.length}`);
          syncMs.push(elapsed / CHANGES_PER_ROUND);
          const lastPull = phases.filter((p) => p.phase === 'pull').at(-1);
          pullMs.push(((lastPull?.at ?? started) - started) / CHANGES_PER_ROUND);

          // Baseline: the row states the sync just wrote, upserted into the copy (which still has the old ones).
          const rowsOf = (table: 'tasks' | 'comments', ids: string[]) => {
            const cols = TABLE_SPECS[table].columns.map((c) => c.name);
            const stmt = replica.db.prepare(`SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM "${table}" WHERE id IN (SELECT value FROM json_each(?))`).raw(true);
            return stmt.all(JSON.stringify(ids)) as unknown[][];
          };
          const taskRows = rowsOf('tasks', tasks.rows.map((x) => x.id));
          const commentRows = rowsOf('comments', comments.rows.map((x) => x.id));
          if (taskRows.length + commentRows.length !== CHANGES_PER_ROUND) throw new Error('replica is missing pulled rows');
          const db = copy;
          started = performance.now();
          db.transaction(() => {
            for (const row of taskRows) baselineUpsert.tasks.run(row);
            for (const row of commentRows) baselineUpsert.comments.run(row);
          })();
          baseMs.push((performance.now() - started) / CHANGES_PER_ROUND);
        }

        const sync = summarise(syncMs);
        const base = summarise(baseMs);
        const ratio = sync.p50 / base.p50;
        return {
          name: 'sync-incremental',
          metrics: {
            replicaRows: fixture.rows,
            changesPerRound: CHANGES_PER_ROUND,
            rounds,
            msPerRowP50: round(sync.p50),
            msPerRowMean: round(sync.mean),
            msPerRowMax: round(Math.max(...syncMs)),
            idleSyncMs: round(idleMs, 1),
            bootstrapSeconds: round(bootSeconds, 2),
            bootstrapRowsPerSec: Math.round(fixture.rows / bootSeconds),
          },
          baseline: { msPerRowP50: round(base.p50, 4), msPerRowMean: round(base.mean, 4) },
          ratio: round(ratio, 1),
          table: [
            { label: 'machine', value: machine, note: 'shared with other work; figures are noisy' },
            { label: 'replica rows', value: fmtInt(fixture.rows), note: `${fmtInt(half)} tasks + ${fmtInt(half)} comments + users/employees/projects` },
            { label: 'fixture load (not measured)', value: fmtS(fixture.totalSeconds), note: `bulk load, change log written in SQL` },
            { label: 'replica bootstrap (not measured)', value: fmtS(bootSeconds), note: `${fmtInt(fixture.rows / bootSeconds)} rows/s via syncOnce()` },
            { label: 'idle syncOnce()', value: fmtMs(idleMs, 1), note: 'nothing to push or pull' },
            { label: 'rounds x changes', value: `${rounds} x ${fmtInt(CHANGES_PER_ROUND)}`, note: '500 task updates + 500 comment edits each, by another writer' },
            { label: 'per row, p50 of rounds', value: fmtMs(sync.p50), baseline: fmtMs(base.p50, 4), note: `${ratio.toFixed(1)}x; aim <= 5 ms` },
            { label: 'per row, worst round', value: fmtMs(Math.max(...syncMs)), baseline: fmtMs(Math.max(...baseMs), 4) },
            { label: '1k-change sync, p50', value: fmtMs(median(syncMs) * CHANGES_PER_ROUND, 0), baseline: fmtMs(median(baseMs) * CHANGES_PER_ROUND, 1) },
            { label: 'of which until pull applied', value: fmtMs(median(pullMs) * CHANGES_PER_ROUND, 0), note: 'rest: conflict fetch, bookkeeping' },
            { label: 'remote writer txn (not measured)', value: fmtMs(median(writeMs), 0), note: 'UPDATE of 1k rows with the change-log trigger' },
            { label: 'horizon wait (not measured)', value: fmtMs(Math.max(...horizonWaitMs), 0), note: 'longest wait until a committed change was pullable (open txns elsewhere on the server)' },
          ],
        };
      } finally {
        await engine.close();
      }
    } finally {
      copy?.close();
      core?.close();
      await central.drop();
      tmp.remove();
    }
  },
};
