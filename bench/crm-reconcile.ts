import mysql from 'mysql2/promise';
import { reconcileCrm, type CrmReconcileResult } from '../core/crm/reconcile';
import { tempCrm, type TempCrm } from '../test/support/crm';
import { round, type Benchmark, type BenchResult } from './harness';
import { createBenchCentral, waitForHorizon } from './support/central';
import { fmtInt, fmtMs, fmtS, machineNote, median, seconds } from './support/util';

const ROUNDS = 3;

/**
 * A Perfex CRM with 50k project tasks (1–3 assignees each, one comment each, timers on a tenth)
 * already reconciled once with a central database: a reconcile when nothing changed, and one after
 * 1% of the tasks changed in the CRM (name, status, priority or assignee), each repeated on fresh rows.
 *
 * Baseline: reading the same 50k task rows with one `SELECT *` through mysql2 in the same run.
 */
export const crmReconcile: Benchmark = {
  name: 'crm-reconcile',
  description: 'no-op and 1%-changed reconcile of 50k Perfex tasks vs one SELECT of the same rows',
  async run({ quick }): Promise<BenchResult> {
    const taskCount = quick ? 5_000 : 50_000;
    const machine = machineNote();
    const central = await createBenchCentral();
    const crm = await tempCrm({ generation: '3.1' });
    try {
      let started = performance.now();
      await fillCrm(crm, taskCount);
      const fillSeconds = seconds(started);

      const run = async (): Promise<CrmReconcileResult> => {
        const { rows } = await central.client.query<{ x: string }>('SELECT coalesce(max(xid)::text, \'0\') AS x FROM sync_changes');
        await waitForHorizon(central.client, rows[0]?.x ?? '0');
        return reconcileCrm({ central: { url: central.url }, crm: { url: crm.url } });
      };
      started = performance.now();
      const initial = await run();
      const initialSeconds = seconds(started);
      if (initial.skipped.length) throw new Error(`initial import skipped ${initial.skipped.length} rows: ${initial.skipped[0]?.reason}`);

      const noop: number[] = [];
      const changed: number[] = [];
      const baseline: number[] = [];
      const perChange = Math.round(taskCount / 100);
      for (let r = 0; r < ROUNDS; r += 1) {
        started = performance.now();
        const idle = await run();
        noop.push(performance.now() - started);
        if (idle.imported + idle.exported !== 0) throw new Error(`no-op reconcile wrote ${idle.imported}+${idle.exported}`);

        await changeTasks(crm, r, perChange, taskCount);
        started = performance.now();
        const result = await run();
        changed.push(performance.now() - started);
        if (result.imported < perChange) throw new Error(`1% reconcile imported ${result.imported} of ${perChange}`);

        started = performance.now();
        const [rows] = await crm.db.query<mysql.RowDataPacket[]>(`SELECT * FROM ${crm.t('tasks')}`);
        baseline.push(performance.now() - started);
        if (rows.length !== taskCount) throw new Error(`baseline read ${rows.length} rows`);
      }
      const noopMs = median(noop);
      const changedMs = median(changed);
      const selectMs = median(baseline);
      return {
        name: 'crm-reconcile',
        metrics: { tasks: taskCount, noopMs: round(noopMs, 1), changedMs: round(changedMs, 1), changedRows: perChange, initialSeconds: round(initialSeconds, 2) },
        baseline: { selectMs: round(selectMs, 1) },
        ratio: round(noopMs / selectMs, 2),
        table: [
          { label: 'CRM fixture', value: `${fmtInt(taskCount)} tasks, ${fmtInt(taskCount)} comments`, note: `filled in ${fmtS(fillSeconds)}; ${machine}` },
          { label: 'initial import', value: fmtS(initialSeconds), note: 'not part of the measure' },
          { label: 'no-op reconcile (median)', value: fmtMs(noopMs, 0), baseline: `${fmtMs(selectMs, 0)} (one SELECT *)`, note: 'aim ≤ 2 s' },
          { label: `1% changed (${fmtInt(perChange)} tasks, median)`, value: fmtMs(changedMs, 0), baseline: fmtMs(selectMs, 0), note: 'aim ≤ 5 s' },
        ],
      };
    } finally {
      await crm.drop().catch(() => undefined);
      await central.drop().catch(() => undefined);
    }
  },
};

async function insertMany(crm: TempCrm, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    const part = rows.slice(i, i + 2000);
    await crm.db.query(`INSERT INTO ${crm.t(table)} (${columns.join(', ')}) VALUES ?`, [part]);
  }
}

async function fillCrm(crm: TempCrm, taskCount: number): Promise<void> {
  const staff = Array.from({ length: 50 }, (_, i) => [`staff${i + 1}@example.com`, `Staff${i + 1}`, 'Member', '$2a$08$x', '2026-01-01 09:00:00', i === 0 ? 1 : 0, 1]);
  await insertMany(crm, 'staff', ['email', 'firstname', 'lastname', 'password', 'datecreated', 'admin', 'active'], staff);
  const projects = Array.from({ length: 500 }, (_, i) => [`Project ${i + 1}`, `<p>About project ${i + 1}</p>`, 1 + (i % 5), 1, 1, '2026-01-01', '2026-01-01', 1]);
  await insertMany(crm, 'projects', ['name', 'description', 'status', 'clientid', 'billing_type', 'start_date', 'project_created', 'addedfrom'], projects);
  const tasks = Array.from({ length: taskCount }, (_, i) => [
    `Task ${i + 1}: ${['Design', 'Review', 'Draft', 'Call', 'Fix'][i % 5]} the ${['page', 'invoice', 'plan', 'report'][i % 4]}`,
    i % 3 === 0 ? `<p>Details for task ${i + 1}<br>with a second line</p>` : null,
    i % 7 === 0 ? null : 1 + (i % 4), '2026-02-01 10:00:00', '2026-02-01', i % 2 ? `2026-0${1 + (i % 9)}-1${i % 10}` : null,
    1 + (i % 50), 1 + (i % 5), 1 + (i % 500), 'project',
  ]);
  await insertMany(crm, 'tasks', ['name', 'description', 'priority', 'dateadded', 'startdate', 'duedate', 'addedfrom', 'status', 'rel_id', 'rel_type'], tasks);
  await crm.db.query(`UPDATE ${crm.t('tasks')} SET datefinished = '2026-02-10 12:00:00' WHERE status = 5`);
  const assigned: unknown[][] = [];
  for (let id = 1; id <= taskCount; id += 1) for (let k = 0; k < 1 + (id % 3); k += 1) assigned.push([1 + ((id + k * 7) % 50), id, 1]);
  await insertMany(crm, 'task_assigned', ['staffid', 'taskid', 'assigned_from'], assigned);
  const comments = Array.from({ length: taskCount }, (_, i) => [`<p>Comment on task ${i + 1}</p>`, i + 1, i % 11 === 0 ? 0 : 1 + (i % 50), i % 11 === 0 ? 5 : 0, '2026-02-02 11:00:00']);
  await insertMany(crm, 'task_comments', ['content', 'taskid', 'staffid', 'contact_id', 'dateadded'], comments);
  const timers = Array.from({ length: Math.floor(taskCount / 10) }, (_, i) => [i * 10 + 1, '1767261600', '1767265200', 1 + (i % 50)]);
  await insertMany(crm, 'taskstimers', ['task_id', 'start_time', 'end_time', 'staff_id'], timers);
}

/** 1% of the tasks edited in the CRM, spread over the whole id range, different rows each round. */
async function changeTasks(crm: TempCrm, round: number, count: number, taskCount: number): Promise<void> {
  const step = Math.floor(taskCount / count);
  const ids = Array.from({ length: count }, (_, i) => 1 + i * step + round);
  const quarter = Math.ceil(ids.length / 4);
  await crm.db.query(`UPDATE ${crm.t('tasks')} SET name = CONCAT(name, ' (edited ', ?, ')') WHERE id IN (?)`, [round, ids.slice(0, quarter)]);
  await crm.db.query(`UPDATE ${crm.t('tasks')} SET status = IF(status = 4, 3, 4) WHERE id IN (?)`, [ids.slice(quarter, 2 * quarter)]);
  await crm.db.query(`UPDATE ${crm.t('tasks')} SET priority = IF(priority = 4, 1, 4) WHERE id IN (?)`, [ids.slice(2 * quarter, 3 * quarter)]);
  await crm.db.query(`UPDATE ${crm.t('task_assigned')} SET staffid = IF(staffid = 50, 1, staffid + 1) WHERE taskid IN (?)`, [ids.slice(3 * quarter)]);
}
