import type { TaskListItem } from '../../shared/entities';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../shared/enums';
import { num, numOrNull, str, strOrNull } from '../common/rows';
import type { Row } from '../mutations/types';

/**
 * How each field of a task (and the names a listing joins in) is read from its SQL column. Every
 * task projection — the full task, a list item, a page row, a Home card, a workload chip — maps
 * through this one table, so a column's reading is written once.
 */
const READERS: { [K in keyof TaskListItem]: (r: Row) => TaskListItem[K] } = {
  id: (r) => str(r.id),
  crmTaskId: (r) => numOrNull(r.crm_task_id),
  projectId: (r) => strOrNull(r.project_id),
  title: (r) => str(r.title),
  description: (r) => strOrNull(r.description),
  // The table's CHECK constraints keep these to the shared enums.
  status: (r) => str(r.status) as TaskListItem['status'],
  priority: (r) => str(r.priority) as TaskListItem['priority'],
  assignedTo: (r) => strOrNull(r.assigned_to),
  createdBy: (r) => strOrNull(r.created_by),
  startTime: (r) => strOrNull(r.start_time),
  endTime: (r) => strOrNull(r.end_time),
  dueDate: (r) => strOrNull(r.due_date),
  estimatedHours: (r) => numOrNull(r.estimated_hours),
  actualHours: (r) => numOrNull(r.actual_hours),
  completedAt: (r) => strOrNull(r.completed_at),
  createdAt: (r) => str(r.created_at),
  updatedAt: (r) => str(r.updated_at),
  projectName: (r) => strOrNull(r.project_name),
  assigneeName: (r) => strOrNull(r.assignee_name),
  commentCount: (r) => num(r.comment_count),
};

/** The chosen fields of a task row; the query must select their columns. */
export function readTask<K extends keyof TaskListItem>(r: Row, fields: readonly K[]): Pick<TaskListItem, K> {
  return Object.fromEntries(fields.map((field) => [field, READERS[field](r)])) as Pick<TaskListItem, K>;
}

const rankSql = (column: string, order: readonly string[]): string =>
  `CASE ${column} ${order.map((value, i) => `WHEN '${value}' THEN ${i}`).join(' ')} ELSE ${order.length} END`;

/** SQL ranking a task's priority, most urgent first (0 = urgent), from the shared enum's order. */
export const PRIORITY_RANK_SQL = rankSql('t.priority', [...TASK_PRIORITIES].reverse());
/** SQL ranking a task's status in the board's column order. */
export const STATUS_RANK_SQL = rankSql('t.status', TASK_STATUSES);
