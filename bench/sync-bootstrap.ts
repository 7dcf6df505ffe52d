import { openCore } from '../core/app/core';
import { openDatabase } from '../core/database/open';
import type { EntityTable } from '../core/mutations/types';
import { createCentralPool } from '../core/sync/central/connect';
import { readSnapshotPage } from '../core/sync/central/pull';
import { rowToLocal, TABLE_SPECS } from '../core/sync/columns';
import { invalidReason } from '../core/sync/validate-row';
import { round, type Benchmark, type BenchResult } from './harness';
import { createBenchCentral, waitForHorizon } from './support/central';
import { psqlCopy } from './support/copy';
import { loadFixture, type FixtureSpec } from './support/fixture';
import { fmtInt, fmtRate, fmtS, machineNote, seconds, tableDigest, tempDir } from './support/util';

const TABLES: EntityTable[] = ['users', 'employees', 'projects', 'tasks', 'comments'];
const PAGE = 5000;

/**
 * First sync of an empty replica against a central database holding 100k tasks and 200k
 * comments (plus the users, employees and projects they reference), through `engine.syncOnce()`
 * with the engine's default page size. Baseline, in the same run: the raw path, i.e. the same rows
 * and columns streamed by `psql -c "COPY (SELECT …) TO STDOUT"` and inserted as they arrive into
 * an empty SQLite with the replica's schema and settings, in one transaction.
 */
export const syncBootstrap: Benchmark = {
  name: 'sync-bootstrap',
  description: 'empty replica bootstrapped by syncOnce() vs psql COPY TO STDOUT + bulk SQLite insert',
  async run({ quick }): Promise<BenchResult> {
    const spec: FixtureSpec = quick
      ? { users: 20, employees: 50, projects: 100, tasks: 10_000, comments: 20_000 }
      : { users: 100, employees: 300, projects: 1_000, tasks: 100_000, comments: 200_000 };
    const machine = machineNote();
    const tmp = tempDir();
    const central = await createBenchCentral();
    try {
      const fixture = await loadFixture(central.client, spec);
      // Otherwise an open transaction elsewhere on the server could make the sync re-pull the fixture's change log.
      await waitForHorizon(central.client, fixture.xid);
      const total = fixture.rows;

      // Baseline: psql COPY → SQLite, one transaction, replica schema and pragmas (WAL, synchronous=FULL, FKs on).
      const raw = openDatabase({ file: tmp.file('raw.db') });
      let rawSeconds: number;
      let rawRows = 0;
      const rawTableSeconds = new Map<string, number>();
      try {
        const started = performance.now();
        raw.exec('BEGIN');
        for (const table of TABLES) {
          const columns = TABLE_SPECS[table].columns;
          const insert = raw.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c.name}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
          const t = performance.now();
          rawRows += await psqlCopy(central.url, table, columns, (values) => insert.run(values));
          rawTableSeconds.set(table, seconds(t));
        }
        raw.exec('COMMIT');
        rawSeconds = seconds(started);
      } catch (error) {
        if (raw.inTransaction) raw.exec('ROLLBACK');
        raw.close();
        throw error;
      }

      // The path under test.
      const core = openCore({ dbFile: tmp.file('replica.db') });
      const tableSeconds = new Map<string, number>();
      let syncSeconds: number;
      let result: Awaited<ReturnType<ReturnType<typeof core.sync.connect>['syncOnce']>>;
      try {
        let lastMark = performance.now();
        let lastTable = '';
        const engine = core.sync.connect({
          central: { url: central.url },
          onProgress: (p) => {
            if (p.phase !== 'bootstrap' || !p.table) return;
            if (p.table !== lastTable) lastTable = p.table;
            const now = performance.now();
            tableSeconds.set(p.table, (tableSeconds.get(p.table) ?? 0) + (now - lastMark) / 1000);
            lastMark = now;
          },
        });
        try {
          const started = performance.now();
          lastMark = started;
          result = await engine.syncOnce();
          syncSeconds = seconds(started);
        } finally {
          await engine.close();
        }
        if (!result.bootstrapped) throw new Error('syncOnce did not bootstrap the empty replica');
        if (result.pulled !== total || result.skipped.length > 0) {
          throw new Error(`bootstrap wrote ${result.pulled} of ${total} rows (${result.skipped.length} skipped: ${result.skipped[0]?.reason ?? ''})`);
        }
      } catch (error) {
        core.close();
        raw.close();
        throw error;
      }
      const sameData = ['tasks', 'comments'].every((t) => {
        const columns = TABLE_SPECS[t as EntityTable].columns.map((c) => c.name);
        return tableDigest(core.db, t, columns) === tableDigest(raw, t, columns);
      });
      core.close();
      raw.close();

      // Where the time goes: the same keyset pages read with the engine's own reader and driver
      // settings, converted to local form and validated, without writing SQLite.
      const pool = createCentralPool({ url: central.url });
      let fetchSeconds = 0;
      let convertSeconds = 0;
      let validateSeconds = 0;
      try {
        const client = await pool.connect();
        try {
          for (const table of TABLES) {
            let afterId: string | null = null;
            for (;;) {
              let t = performance.now();
              const rows = await readSnapshotPage(client, table, afterId, PAGE);
              fetchSeconds += seconds(t);
              t = performance.now();
              const local = rows.map((r) => rowToLocal(table, r.row));
              convertSeconds += seconds(t);
              t = performance.now();
              for (const row of local) if (invalidReason(table, row)) throw new Error(`invalid ${table} row`);
              validateSeconds += seconds(t);
              if (rows.length < PAGE) break;
              afterId = String(rows[rows.length - 1]?.row.id);
            }
          }
        } finally {
          client.release();
        }
      } finally {
        await pool.end();
      }

      const rate = total / syncSeconds;
      const rawRate = rawRows / rawSeconds;
      const ratio = syncSeconds / rawSeconds;
      const rest = Math.max(0, syncSeconds - fetchSeconds - convertSeconds - validateSeconds);
      const share = (s: number) => `${((100 * s) / syncSeconds).toFixed(0)}% of sync`;
      return {
        name: 'sync-bootstrap',
        metrics: {
          rows: total,
          seconds: round(syncSeconds, 2),
          rowsPerSec: Math.round(rate),
          tasksSeconds: round(tableSeconds.get('tasks') ?? 0, 2),
          commentsSeconds: round(tableSeconds.get('comments') ?? 0, 2),
          fetchSeconds: round(fetchSeconds, 2),
          convertSeconds: round(convertSeconds, 2),
          validateSeconds: round(validateSeconds, 2),
          fixtureSeconds: round(fixture.totalSeconds, 2),
        },
        baseline: { rows: rawRows, seconds: round(rawSeconds, 2), rowsPerSec: Math.round(rawRate) },
        ratio: round(ratio, 2),
        table: [
          { label: 'machine', value: machine, note: 'shared with other work; figures are noisy' },
          { label: 'central rows', value: fmtInt(total), note: `${fmtInt(spec.tasks)} tasks, ${fmtInt(spec.comments)} comments, ${spec.users}/${spec.employees}/${spec.projects} users/employees/projects` },
          { label: 'fixture load (not measured)', value: fmtS(fixture.totalSeconds), note: `bulk: insert ${fmtS(fixture.insertSeconds)}, change log ${fmtS(fixture.bookkeepingSeconds)}, vacuum ${fmtS(fixture.vacuumSeconds)}` },
          { label: 'total time', value: fmtS(syncSeconds), baseline: fmtS(rawSeconds), note: `${ratio.toFixed(2)}x (aim <= 3x)` },
          { label: 'throughput', value: fmtRate(rate), baseline: fmtRate(rawRate), note: 'aim >= 20,000 rows/s' },
          ...(['tasks', 'comments'] as const).map((t) => ({
            label: `${t} phase`,
            value: fmtS(tableSeconds.get(t) ?? 0),
            baseline: fmtS(rawTableSeconds.get(t) ?? 0),
            note: `${fmtRate(spec[t] / (tableSeconds.get(t) ?? Number.NaN))} vs ${fmtRate(spec[t] / (rawTableSeconds.get(t) ?? Number.NaN))}`,
          })),
          { label: 'of which: central reads', value: fmtS(fetchSeconds), note: `${share(fetchSeconds)} (readSnapshotPage, separate pass)` },
          { label: 'of which: rowToLocal', value: fmtS(convertSeconds), note: share(convertSeconds) },
          { label: 'of which: zod validation', value: fmtS(validateSeconds), note: share(validateSeconds) },
          { label: 'of which: SQLite + rest', value: fmtS(rest), note: `${share(rest)} (upsert, FK probes, sync_row_versions, commit)` },
          { label: 'replica == raw copy', value: sameData ? 'yes' : 'NO', note: 'content digest of tasks and comments' },
        ],
      };
    } finally {
      await central.drop();
      tmp.remove();
    }
  },
};
