import type pg from 'pg';
import { openCore } from '../core/app/core';
import type { EntityTable, Row } from '../core/mutations/types';
import { TABLE_SPECS, toCentralValue } from '../core/sync/columns';
import type { SyncProgress } from '../core/sync/engine';
import { round, type Benchmark, type BenchResult } from './harness';
import { createBenchCentral, functionStats, waitForHorizon, type BenchCentral } from './support/central';
import { fixtureId, loadFixture, type FixtureSpec } from './support/fixture';
import { fmtInt, fmtMs, fmtS, machineNote, seconds, tempDir } from './support/util';

const STATEMENT_ROWS = 500;

/** Multi-row INSERT (optionally ON CONFLICT DO UPDATE) of local rows, in chunks, on one connection. */
async function insertRows(client: pg.Client, table: EntityTable, rows: Row[], upsert: boolean): Promise<void> {
  const specs = TABLE_SPECS[table].columns;
  const cols = specs.map((c) => `"${c.name}"`);
  const tail = upsert ? ` ON CONFLICT (id) DO UPDATE SET ${cols.filter((c) => c !== '"id"').map((c) => `${c} = excluded.${c}`).join(', ')}` : '';
  for (let i = 0; i < rows.length; i += STATEMENT_ROWS) {
    const chunk = rows.slice(i, i + STATEMENT_ROWS);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => `(${specs.map((c) => `$${params.push(toCentralValue(c, row[c.name]))}`).join(', ')})`);
    await client.query(`INSERT INTO "${table}" (${cols.join(', ')}) VALUES ${tuples.join(', ')}${tail}`, params);
  }
}

/**
 * A replica bootstrapped against the central database goes offline and makes 10k mutations
 * through the domain services (40% task creates, 30% task updates, 30% comments; half of the
 * updates and comments touch tasks that came from the server, half touch tasks created offline),
 * then pushes them with `syncOnce()` (default push chunk of 500). The figure is the whole
 * `syncOnce()` (push, then the pull of the resulting change log, then conflicts).
 *
 * Baseline: the same 10k row writes (4k task rows, 3k task row states after the update, 3k
 * comments) sent to a second database with the identical fixture as plain multi-row INSERTs
 * (`ON CONFLICT DO UPDATE` for the updates), 500 rows per statement, in one transaction; the
 * change-log trigger fires there too.
 */
export const syncBacklog: Benchmark = {
  name: 'sync-backlog',
  description: '10k offline mutations pushed by syncOnce() vs plain multi-row INSERTs in one transaction',
  async run({ quick }): Promise<BenchResult> {
    const n = quick ? 1_000 : 10_000;
    const centralTasks = quick ? 500 : 2_000;
    const spec: FixtureSpec = { users: 20, employees: 50, projects: 100, tasks: centralTasks, comments: centralTasks, tasksOwnedByFirstUser: true };
    const machine = machineNote();
    const tmp = tempDir();
    const centrals: BenchCentral[] = [];
    let core: ReturnType<typeof openCore> | null = null;
    try {
      const replica = openCore({ dbFile: tmp.file('replica.db') });
      core = replica;
      const central = await createBenchCentral();
      centrals.push(central);
      const other = await createBenchCentral();
      centrals.push(other);
      const fixture = await loadFixture(central.client, spec);
      await loadFixture(other.client, spec);
      await waitForHorizon(central.client, fixture.xid);
      // Per-function timings of the sessions the engine opens (push function, trigger).
      await central.client.query(`ALTER DATABASE ${central.name} SET track_functions = 'all'`);

      const phases: { phase: SyncProgress['phase']; at: number }[] = [];
      const engine = replica.sync.connect({ central: { url: central.url }, firstConnect: 'upload', onProgress: (p) => phases.push({ phase: p.phase, at: performance.now() }) });
      let result: Awaited<ReturnType<typeof engine.syncOnce>>;
      let syncSeconds: number;
      let pushSeconds: number;
      let offlineSeconds: number;
      let bootSeconds: number;
      const baselineRows = { created: [] as Row[], updated: [] as Row[], comments: [] as Row[] };
      try {
        let started = performance.now();
        const boot = await engine.syncOnce();
        bootSeconds = seconds(started);
        if (!boot.bootstrapped) throw new Error('replica did not bootstrap');

        // Offline work, as user 1 (whose employee 1 is assigned every task here, so the
        // notification rules stay silent and every service call is exactly one outbox mutation).
        replica.session.setCurrentUser(fixtureId('user', 1));
        const me = fixtureId('employee', 1);
        const created: string[] = [];
        let updates = 0;
        let comments = 0;
        started = performance.now();
        for (let i = 0; i < n; i += 1) {
          const k = i % 10;
          if (k < 4) {
            const task = replica.tasks.create({
              title: `Offline task ${i}: call the supplier back`,
              description: 'Drafted on the train; the supplier wants the revised quantities before Friday. Check the sheet first.',
              projectId: fixtureId('project', 1 + (i % spec.projects)),
              assignedTo: me,
              priority: 'medium',
              dueDate: '2026-09-01',
              estimatedHours: 3,
            });
            created.push(task.id);
          } else if (k < 7) {
            const j = updates;
            updates += 1;
            const id = j % 2 === 0 ? fixtureId('task', j / 2 + 1) : (created[(j - 1) / 2] as string);
            replica.tasks.update({ id, status: j % 3 === 0 ? 'testing' : 'in_progress', priority: 'high', estimatedHours: 1.25 + (j % 7) });
          } else {
            const m = comments;
            comments += 1;
            const taskId = m % 2 === 0 ? fixtureId('task', 1 + ((m / 2) % centralTasks)) : (created[((m - 1) / 2) % created.length] as string);
            replica.comments.add({ taskId, content: `Offline note ${m}: spoke to them, the quantities are fine but delivery slips a week.` });
          }
        }
        offlineSeconds = seconds(started);
        const pending = replica.sync.outbox.allPending();
        if (pending.length !== n) throw new Error(`expected ${n} outbox mutations, found ${pending.length}`);

        // The baseline's rows, taken before the push: inserts as queued, updates as the row now reads.
        const current = replica.db.prepare('SELECT * FROM tasks WHERE id = ?');
        for (const entry of pending) {
          if (entry.table === 'tasks' && entry.op === 'insert') baselineRows.created.push(entry.fields);
          else if (entry.table === 'tasks' && entry.op === 'update') baselineRows.updated.push(current.get(entry.rowId) as Row);
          else if (entry.table === 'comments' && entry.op === 'insert') baselineRows.comments.push(entry.fields);
          else throw new Error(`unexpected mutation ${entry.table}/${entry.op}`);
        }

        phases.length = 0;
        started = performance.now();
        result = await engine.syncOnce();
        syncSeconds = seconds(started);
        const lastPush = phases.filter((p) => p.phase === 'push').at(-1);
        pushSeconds = ((lastPush?.at ?? started) - started) / 1000;
      } finally {
        await engine.close();
      }
      if (result.pushed !== n || result.rejected > 0) throw new Error(`pushed ${result.pushed} of ${n}, ${result.rejected} rejected`);
      const counts = await central.client.query<{ tasks: number; comments: number; rejections: number }>(
        'SELECT (SELECT count(*) FROM tasks)::int AS tasks, (SELECT count(*) FROM comments)::int AS comments, (SELECT count(*) FROM sync_rejections)::int AS rejections',
      );
      const c = counts.rows[0];
      if (!c || c.tasks !== centralTasks + baselineRows.created.length || c.comments !== centralTasks + baselineRows.comments.length || c.rejections > 0) {
        throw new Error(`central state after push is off: ${JSON.stringify(c)}`);
      }

      // Server-side time per function, once the engine's backend has exited and flushed its stats.
      let stats = await functionStats(central.client);
      for (let tries = 0; tries < 40 && (stats.get('coordinator_push')?.calls ?? 0) === 0; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        stats = await functionStats(central.client);
      }
      const push = stats.get('coordinator_push');
      const applyOne = stats.get('coordinator_apply_one');
      const trigger = stats.get('coordinator_record_change');

      // Baseline: the same row writes as plain multi-row INSERTs, one transaction, on the twin database.
      await other.client.query(`SET track_functions = 'all'`);
      const started = performance.now();
      await other.client.query('BEGIN');
      await insertRows(other.client, 'tasks', baselineRows.created, false);
      await insertRows(other.client, 'tasks', baselineRows.updated, true);
      await insertRows(other.client, 'comments', baselineRows.comments, false);
      await other.client.query('COMMIT');
      const baselineSeconds = seconds(started);
      await other.client.query('SELECT pg_stat_force_next_flush()');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const baseTrigger = (await functionStats(other.client)).get('coordinator_record_change');

      const rate = n / syncSeconds;
      const baseRate = n / baselineSeconds;
      const ratio = syncSeconds / baselineSeconds;
      const msEach = (total: number | undefined) => (total === undefined ? 'n/a' : `${fmtMs(total / n)} per mutation`);
      return {
        name: 'sync-backlog',
        metrics: {
          mutations: n,
          seconds: round(syncSeconds, 2),
          mutationsPerSec: Math.round(rate),
          pushSeconds: round(pushSeconds, 2),
          pulledBack: result.pulled,
          conflicts: result.conflicts,
          pgPushMs: round(push?.totalMs ?? Number.NaN, 0),
          pgApplyOneSelfMs: round(applyOne?.selfMs ?? Number.NaN, 0),
          pgTriggerMs: round(trigger?.totalMs ?? Number.NaN, 0),
          offlineWriteSeconds: round(offlineSeconds, 2),
        },
        baseline: { seconds: round(baselineSeconds, 2), mutationsPerSec: Math.round(baseRate), pgTriggerMs: round(baseTrigger?.totalMs ?? Number.NaN, 0) },
        ratio: round(ratio, 1),
        table: [
          { label: 'machine', value: machine, note: 'shared with other work; figures are noisy' },
          { label: 'central before', value: `${fmtInt(centralTasks)} tasks + ${fmtInt(centralTasks)} comments`, note: `bootstrapped in ${fmtS(bootSeconds)} (not measured)` },
          { label: 'offline mutations', value: fmtInt(n), note: `${baselineRows.created.length} task creates, ${baselineRows.updated.length} updates, ${baselineRows.comments.length} comments; written in ${fmtS(offlineSeconds)} (not measured)` },
          { label: 'syncOnce() total', value: fmtS(syncSeconds), baseline: fmtS(baselineSeconds), note: `${ratio.toFixed(1)}x; aim <= 10 s` },
          { label: 'throughput', value: `${fmtInt(rate)} mutations/s`, baseline: `${fmtInt(baseRate)} rows/s` },
          { label: 'of which push phase', value: fmtS(pushSeconds), note: `${Math.ceil(n / 500)} coordinator_push calls of <= 500` },
          { label: 'of which pull-back', value: fmtS(syncSeconds - pushSeconds), note: `${fmtInt(result.pulled)} rows re-read: the replica pulls its own pushed changes` },
          { label: 'PG: coordinator_push', value: fmtMs(push?.totalMs ?? Number.NaN, 0), note: msEach(push?.totalMs) },
          { label: 'PG: apply_one (self)', value: fmtMs(applyOne?.selfMs ?? Number.NaN, 0), note: msEach(applyOne?.selfMs) },
          { label: 'PG: change-log trigger', value: fmtMs(trigger?.totalMs ?? Number.NaN, 0), baseline: fmtMs(baseTrigger?.totalMs ?? Number.NaN, 0), note: msEach(trigger?.totalMs) },
          { label: 'conflicts / rejected', value: `${result.conflicts} / ${result.rejected}` },
        ],
      };
    } finally {
      core?.close();
      for (const c of centrals) await c.drop().catch(() => undefined);
      tmp.remove();
    }
  },
};
