import { newId } from '../../core/common/ids';
import type { Core } from '../../core/app/core';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../shared/enums';

const TASK_COLUMNS = [
  'id', 'project_id', 'title', 'description', 'status', 'priority', 'assigned_to', 'created_by',
  'due_date', 'estimated_hours', 'created_at', 'updated_at',
] as const;

/** The title of scale task `n` (1-based): zero-padded so text filters can name one task exactly. */
export const scaleTitle = (n: number): string => `Scale task ${String(n).padStart(5, '0')}`;

/**
 * Loads the demo organisation, then tops the replica up to `total` tasks with one bare INSERT
 * per row in a single transaction. The UI tests and the ui-board bench need many rows, not the
 * write path's audit and outbox work for each (that path has its own bench, local-write).
 * Deterministic: task n gets status, priority, assignee, project and due date from n.
 */
export function seedScaleTasks(core: Core, total: number): { total: number; added: number } {
  core.demo.seed();
  const projects = core.projects.list();
  const employees = core.employees.list();
  const me = core.session.currentUserId;
  const existing = core.tasks.count();
  const added = Math.max(0, total - existing);
  const insert = core.db.prepare(
    `INSERT INTO tasks (${TASK_COLUMNS.join(', ')}) VALUES (${TASK_COLUMNS.map(() => '?').join(', ')})`,
  );
  const base = Date.parse('2026-01-05T08:00:00.000Z');
  core.db.transaction(() => {
    for (let n = 1; n <= added; n += 1) {
      const at = new Date(base + n * 1000).toISOString();
      const due = n % 3 === 0 ? null : new Date(base + (n % 120) * 86_400_000).toISOString().slice(0, 10);
      insert.run(
        newId(),
        projects[n % projects.length]?.id ?? null,
        scaleTitle(n),
        `Generated task number ${n} for the scale tests.`,
        TASK_STATUSES[n % TASK_STATUSES.length],
        TASK_PRIORITIES[n % TASK_PRIORITIES.length],
        employees[n % (employees.length + 1)]?.id ?? null,
        me,
        due,
        (n % 8) + 1,
        at,
        at,
      );
    }
  })();
  return { total: core.tasks.count(), added };
}
