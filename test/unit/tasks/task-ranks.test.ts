import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../../shared/enums';
import { PRIORITY_RANK_SQL, STATUS_RANK_SQL } from '../../../core/tasks/task-rows';

/** The ranks are SQL built from the shared enums; these run them on SQLite and read the order back. */
describe('task ranks in SQL', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, priority TEXT NOT NULL, status TEXT NOT NULL)');
  afterAll(() => db.close());

  const orderBy = (rank: string, rows: { priority: string; status: string }[]): string[][] => {
    db.exec('DELETE FROM t');
    const insert = db.prepare('INSERT INTO t (priority, status) VALUES (?, ?)');
    for (const r of rows) insert.run(r.priority, r.status);
    return (db.prepare(`SELECT priority, status FROM t ORDER BY ${rank}, id`).all() as { priority: string; status: string }[]).map((r) => [r.priority, r.status]);
  };

  it('puts the most urgent priority first, whatever order the tasks were written in', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TASK_PRIORITIES), { maxLength: 30 }), (priorities) => {
        const sorted = orderBy(PRIORITY_RANK_SQL, priorities.map((priority) => ({ priority, status: 'todo' }))).map(([p]) => p);
        const urgency = (p: string | undefined) => TASK_PRIORITIES.length - TASK_PRIORITIES.indexOf(p as (typeof TASK_PRIORITIES)[number]);
        expect(sorted).toEqual([...priorities].sort((a, b) => urgency(a) - urgency(b)));
      }),
    );
    expect(orderBy(PRIORITY_RANK_SQL, ['low', 'urgent', 'medium', 'high'].map((priority) => ({ priority, status: 'todo' }))).map(([p]) => p)).toEqual(['urgent', 'high', 'medium', 'low']);
  });

  it('orders statuses as the board shows its columns', () => {
    const rows = [...TASK_STATUSES].reverse().map((status) => ({ priority: 'low', status }));
    expect(orderBy(STATUS_RANK_SQL, rows).map(([, s]) => s)).toEqual([...TASK_STATUSES]);
  });
});
