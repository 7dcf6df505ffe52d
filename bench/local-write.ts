import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCore } from '../core/app/core';
import { newId } from '../core/common/ids';
import { round, summarise, type Benchmark } from './harness';

const TASK_COLUMNS = [
  'id', 'crm_task_id', 'project_id', 'title', 'description', 'status', 'priority', 'assigned_to', 'created_by',
  'start_time', 'end_time', 'due_date', 'estimated_hours', 'actual_hours', 'completed_at', 'created_at', 'updated_at',
];

const time = (fn: () => void): number => {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

/**
 * Task create and update through the domain services (validation, write path, audit, hooks)
 * against the bare prepared INSERT/UPDATE on the same table, each in its own transaction with the
 * app's durability settings, on a replica already holding 100k tasks. Samples are interleaved so
 * both sides see the same disk and cache conditions.
 */
export const localWrite: Benchmark = {
  name: 'local-write',
  description: 'task create/update via services vs bare prepared statements, 100k tasks present',
  run({ quick }) {
    const preload = quick ? 20_000 : 100_000;
    const samples = quick ? 300 : 2_000;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-bench-'));
    const core = openCore({ dbFile: path.join(dir, 'bench.db') });
    try {
      const project = core.projects.create({ name: 'Bench project' });
      const employee = core.employees.create({ name: 'Bench Person', email: 'bench@example.com' });
      const now = new Date().toISOString();
      const insertSql = `INSERT INTO tasks (${TASK_COLUMNS.join(', ')}) VALUES (${TASK_COLUMNS.map(() => '?').join(', ')})`;
      const bareInsert = core.db.prepare(insertSql);
      const row = (title: string) => [newId(), null, project.id, title, 'A task description of ordinary length for the benchmark.', 'todo', 'medium', employee.id, null, null, null, '2026-12-01', 4, null, null, now, now];
      core.db.transaction(() => {
        for (let i = 0; i < preload; i += 1) bareInsert.run(...row(`Preloaded task ${i}`));
      })();

      const serviceCreate: number[] = [];
      const bareCreate: number[] = [];
      const serviceIds: string[] = [];
      const bareIds: string[] = [];
      for (let i = 0; i < samples; i += 1) {
        serviceCreate.push(
          time(() => {
            const task = core.tasks.create({ title: `Service task ${i}`, projectId: project.id, assignedTo: employee.id, description: 'A task description of ordinary length for the benchmark.', dueDate: '2026-12-01', estimatedHours: 4 });
            serviceIds.push(task.id);
          }),
        );
        const values = row(`Bare task ${i}`);
        bareCreate.push(time(() => bareInsert.run(...values)));
        bareIds.push(String(values[0]));
      }

      const bareUpdate = core.db.prepare('UPDATE tasks SET status = ?, priority = ?, updated_at = ? WHERE id = ?');
      const serviceUpdate: number[] = [];
      const bareUpdateTimes: number[] = [];
      const statuses = ['in_progress', 'testing', 'todo'] as const;
      const priorities = ['high', 'low', 'medium'] as const;
      for (let i = 0; i < samples; i += 1) {
        const status = statuses[i % 3] as (typeof statuses)[number];
        const priority = priorities[i % 3] as (typeof priorities)[number];
        serviceUpdate.push(time(() => core.tasks.update({ id: serviceIds[i], status, priority })));
        bareUpdateTimes.push(time(() => bareUpdate.run(status, priority, new Date().toISOString(), bareIds[i])));
      }

      const sc = summarise(serviceCreate);
      const bc = summarise(bareCreate);
      const su = summarise(serviceUpdate);
      const bu = summarise(bareUpdateTimes);
      const createRatio = sc.p50 / bc.p50;
      const updateRatio = su.p50 / bu.p50;
      const ms = (v: number) => `${v.toFixed(3)} ms`;
      return {
        name: 'local-write',
        metrics: { createP50Ms: round(sc.p50), createP99Ms: round(sc.p99), updateP50Ms: round(su.p50), updateP99Ms: round(su.p99), createRatio: round(createRatio, 2), updateRatio: round(updateRatio, 2) },
        baseline: { createP50Ms: round(bc.p50), createP99Ms: round(bc.p99), updateP50Ms: round(bu.p50), updateP99Ms: round(bu.p99) },
        ratio: round(Math.max(createRatio, updateRatio), 2),
        table: [
          { label: 'tasks already present', value: String(preload) },
          { label: 'samples per operation', value: String(samples) },
          { label: 'create p50', value: ms(sc.p50), baseline: ms(bc.p50), note: `${createRatio.toFixed(2)}x` },
          { label: 'create p99', value: ms(sc.p99), baseline: ms(bc.p99) },
          { label: 'update p50', value: ms(su.p50), baseline: ms(bu.p50), note: `${updateRatio.toFixed(2)}x` },
          { label: 'update p99', value: ms(su.p99), baseline: ms(bu.p99) },
        ],
      };
    } finally {
      core.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
