import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCore } from '../core/app/core';
import { newId } from '../core/common/ids';
import { insightsCharts } from '../shared/insights-charts';
import { round, summarise, type Benchmark } from './harness';

const time = (fn: () => void): number => {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

const DAY = 86_400_000;
const STATUS_WALK = ['in_progress', 'testing', 'in_progress', 'awaiting_feedback', 'in_progress', 'testing', 'done'] as const;

/**
 * Project insights (every chart's series, forecast and workload) for one project with 10k tasks and
 * 100k audit rows over eight weeks, against a bare SQL aggregation of the cumulative flow and the
 * weekly throughput from the same audit rows. Then the chart drawing a filter change costs (all
 * six SVGs and their tables from computed series), against one frame (16.7 ms).
 */
export const insightsBench: Benchmark = {
  name: 'insights',
  description: 'insights for 10k tasks / 100k audit rows vs bare SQL aggregation; chart re-render vs one frame',
  run({ quick }) {
    const tasks = quick ? 2_000 : 10_000;
    const perTask = 10;
    const samples = quick ? 5 : 15;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-bench-'));
    const core = openCore({ dbFile: path.join(dir, 'bench.db') });
    try {
      const project = core.projects.create({ name: 'Bench project', deadline: '2026-12-31' });
      const people = Array.from({ length: 20 }, (_, i) => core.employees.create({ name: `Person ${i}`, email: `p${i}@example.com` }));
      const to = '2026-11-30';
      const from = '2026-10-06';
      const start = Date.parse(`${from}T00:00:00Z`);
      const span = Date.parse(`${to}T00:00:00Z`) - start;
      let seed = 42;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      const insertTask = core.db.prepare(
        `INSERT INTO tasks (id, project_id, title, status, priority, assigned_to, estimated_hours, due_date, created_at, updated_at, completed_at)
         VALUES (?, ?, ?, ?, 'medium', ?, ?, ?, ?, ?, ?)`,
      );
      const insertAudit = core.db.prepare(`INSERT INTO audit_log (id, entity_table, entity_id, action, changes, actor_id, created_at) VALUES (?, 'tasks', ?, 'update', ?, NULL, ?)`);
      core.db.transaction(() => {
        for (let i = 0; i < tasks; i += 1) {
          const id = newId();
          const created = start + rand() * span * 0.6;
          let at = created;
          let status = 'todo';
          let estimate = 1 + Math.floor(rand() * 8);
          const changes: [string, string][] = [];
          for (let k = 0; k < perTask; k += 1) {
            at += rand() * (span * 0.4) / perTask;
            if (k % 3 === 2) {
              const next = estimate + 1;
              changes.push([JSON.stringify({ estimated_hours: { old: estimate, new: next } }), new Date(at).toISOString()]);
              estimate = next;
            } else {
              const next = STATUS_WALK[Math.min(Math.floor(k / 1.5), STATUS_WALK.length - 1)]!;
              const final = rand() < 0.5 && k >= perTask - 2 ? 'done' : next;
              changes.push([JSON.stringify({ status: { old: status, new: final } }), new Date(at).toISOString()]);
              status = final;
            }
          }
          const createdIso = new Date(created).toISOString();
          const due = new Date(created + rand() * 40 * DAY).toISOString().slice(0, 10);
          insertTask.run(id, project.id, `Task ${i}`, status, people[i % people.length]!.id, estimate, due, createdIso, new Date(at).toISOString(), status === 'done' ? new Date(at).toISOString() : null);
          for (const [c, when] of changes) insertAudit.run(newId(), id, c, when);
        }
      })();
      core.db.exec('ANALYZE');
      const auditRows = (core.db.prepare(`SELECT count(*) AS n FROM audit_log WHERE entity_table = 'tasks'`).get() as { n: number }).n;

      const bareFlow = core.db.prepare(`
        WITH RECURSIVE days(d) AS (SELECT ? UNION ALL SELECT date(d, '+1 day') FROM days WHERE d < ?),
        ch AS (SELECT a.entity_id AS id, a.created_at AS at, json_extract(a.changes, '$.status.new') AS s
               FROM audit_log a JOIN tasks t ON t.id = a.entity_id
               WHERE a.entity_table = 'tasks' AND t.project_id = ? AND json_type(a.changes, '$.status') IS NOT NULL),
        iv AS (SELECT s, substr(at, 1, 10) AS f, coalesce(substr(lead(at) OVER (PARTITION BY id ORDER BY at), 1, 10), '9999') AS t FROM ch)
        SELECT d, s, count(*) AS n FROM days JOIN iv ON iv.f <= d AND d < iv.t GROUP BY d, s`);
      const bareThroughput = core.db.prepare(`
        SELECT strftime('%Y-%W', a.created_at) AS week, count(*) AS n FROM audit_log a JOIN tasks t ON t.id = a.entity_id
        WHERE a.entity_table = 'tasks' AND t.project_id = ? AND json_extract(a.changes, '$.status.new') = 'done'
          AND a.created_at BETWEEN ? AND ? GROUP BY week`);

      const ours: number[] = [];
      const bare: number[] = [];
      let series = core.insights.compute({ projectId: project.id, from, to });
      for (let i = 0; i < samples; i += 1) {
        ours.push(time(() => (series = core.insights.compute({ projectId: project.id, from, to }))));
        bare.push(
          time(() => {
            bareFlow.all(from, to, project.id);
            bareThroughput.all(project.id, `${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`);
          }),
        );
      }
      const draws: number[] = [];
      for (let i = 0; i < 200; i += 1) draws.push(time(() => void insightsCharts(series)));

      const o = summarise(ours);
      const b = summarise(bare);
      const d = summarise(draws);
      const ms = (v: number) => `${v.toFixed(2)} ms`;
      return {
        name: 'insights',
        metrics: { computeP50Ms: round(o.p50, 2), computeP99Ms: round(o.p99, 2), chartsP50Ms: round(d.p50, 3), chartsP99Ms: round(d.p99, 3) },
        baseline: { bareSqlP50Ms: round(b.p50, 2), bareSqlP99Ms: round(b.p99, 2), frameMs: 16.7 },
        ratio: round(o.p50 / b.p50, 2),
        table: [
          { label: 'tasks / audit rows', value: `${tasks} / ${auditRows}` },
          { label: 'days in range', value: String(series.burndown.length) },
          { label: 'all series p50 (vs bare SQL flow + throughput)', value: ms(o.p50), baseline: ms(b.p50), note: `${(o.p50 / b.p50).toFixed(2)}x` },
          { label: 'all series p99', value: ms(o.p99), baseline: ms(b.p99) },
          { label: 'draw six charts + tables p50', value: ms(d.p50), baseline: '16.7 ms frame' },
          { label: 'draw six charts + tables p99', value: ms(d.p99) },
        ],
      };
    } finally {
      core.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
