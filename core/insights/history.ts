import type { StatementCache } from '../database/statements';
import type { TaskStatus } from '../../shared/enums';

/** One stretch of time during which nothing a chart looks at changed for a task. */
export interface Segment {
  /** ISO instant the state began; `to` is when the next began (null: still current). */
  from: string;
  to: string | null;
  status: TaskStatus;
  assignee: string | null;
  estimate: number | null;
  due: string | null;
}

export interface TaskHistory {
  id: string;
  projectId: string | null;
  title: string;
  createdAt: string;
  segments: Segment[];
  /** Times the task entered a status (in order); for throughput and cycle time. */
  transitions: { at: string; from: TaskStatus; to: TaskStatus }[];
}

interface TaskRow {
  id: string;
  project_id: string | null;
  title: string;
  status: TaskStatus;
  assigned_to: string | null;
  estimated_hours: number | null;
  due_date: string | null;
  created_at: string;
  completed_at: string | null;
}

interface AuditRow {
  id: string;
  at: string;
  changes: string;
}

type Field = 'status' | 'assignee' | 'estimate' | 'due';
interface FieldChange {
  at: string;
  field: Field;
  old: unknown;
  new: unknown;
}

const TASK_COLUMNS = 'id, project_id, title, status, assigned_to, estimated_hours, due_date, created_at, completed_at';

// Parsing the JSON in JS is several times faster than a dozen json_extract calls a row in SQL.
// Driven from the tasks, each task's entries come by the (entity_table, entity_id, created_at)
// index; no global sort (each task's short list is sorted in JS).
const AUDIT_SELECT = `SELECT a.entity_id AS id, a.created_at AS at, a.changes AS changes
  FROM tasks t JOIN audit_log a ON a.entity_table = 'tasks' AND a.entity_id = t.id
  WHERE a.action = 'update'`;

/** Audit columns → the fields charts follow. */
const TRACKED: [string, Field][] = [
  ['status', 'status'],
  ['assigned_to', 'assignee'],
  ['estimated_hours', 'estimate'],
  ['due_date', 'due'],
];

/**
 * Rebuilds each task's past from the audit trail (local edits by the Writer, pulled edits by the
 * applier): the value of a field at any time is the new value of its last change before then, or
 * the old value of its first change after then, or — never changed — its current value.
 *
 * A task with no recorded status change (it arrived by bootstrap already finished) is taken to
 * have been open from created_at until completed_at: the best the replica knows.
 */
export function loadTaskHistories(statements: StatementCache, projectId: string | null): TaskHistory[] {
  const tasks = (
    projectId === null
      ? statements.get(`SELECT ${TASK_COLUMNS} FROM tasks`).all()
      : statements.get(`SELECT ${TASK_COLUMNS} FROM tasks WHERE project_id = ?`).all(projectId)
  ) as TaskRow[];
  const audits = (
    projectId === null
      ? statements.get(AUDIT_SELECT).all()
      : statements.get(`${AUDIT_SELECT} AND t.project_id = ?`).all(projectId)
  ) as AuditRow[];

  const changesByTask = new Map<string, FieldChange[]>();
  for (const a of audits) {
    let list = changesByTask.get(a.id);
    if (!list) changesByTask.set(a.id, (list = []));
    let changes: Record<string, { old?: unknown; new?: unknown } | undefined>;
    try {
      changes = JSON.parse(a.changes) as typeof changes;
    } catch {
      continue; // an unreadable entry tells nothing; the rest of the history still stands
    }
    for (const [column, field] of TRACKED) {
      const c = changes[column];
      if (c && typeof c === 'object') list.push({ at: a.at, field, old: c.old ?? null, new: c.new ?? null });
    }
  }
  const byTime = (a: FieldChange, b: FieldChange) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);
  // Array.prototype.sort is stable: entries of one instant keep their recorded order.
  return tasks.map((t) => buildHistory(t, (changesByTask.get(t.id) ?? []).sort(byTime)));
}

function buildHistory(task: TaskRow, changes: FieldChange[]): TaskHistory {
  if (!changes.some((c) => c.field === 'status') && task.status === 'done' && task.completed_at && task.completed_at > task.created_at) {
    changes = [...changes, { at: task.completed_at, field: 'status', old: 'todo', new: 'done' } satisfies FieldChange].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
  const initial = {
    status: task.status as TaskStatus,
    assignee: task.assigned_to,
    estimate: task.estimated_hours,
    due: task.due_date,
  };
  const firstSeen = new Set<Field>();
  for (const c of changes) {
    if (firstSeen.has(c.field)) continue;
    firstSeen.add(c.field);
    (initial as Record<Field, unknown>)[c.field] = c.old;
  }
  const segments: Segment[] = [];
  const transitions: TaskHistory['transitions'] = [];
  // A change recorded before the task's creation (clock skew between replicas) counts as at creation.
  let current: Segment = { from: task.created_at, to: null, ...initial };
  for (const c of changes) {
    const at = c.at < task.created_at ? task.created_at : c.at;
    if (at > current.from) {
      segments.push({ ...current, to: at });
      current = { ...current, from: at };
    }
    if (c.field === 'status') {
      const to = c.new as TaskStatus;
      if (to !== current.status) transitions.push({ at, from: current.status, to });
      current.status = to;
    } else if (c.field === 'assignee') current.assignee = c.new as string | null;
    else if (c.field === 'estimate') current.estimate = c.new === null ? null : Number(c.new);
    else current.due = c.new as string | null;
  }
  segments.push(current);
  return { id: task.id, projectId: task.project_id, title: task.title, createdAt: task.created_at, segments, transitions };
}

/** The task's state at an instant (null: it did not exist yet). */
export function stateAt(history: TaskHistory, at: string): Segment | null {
  if (at < history.createdAt) return null;
  for (let i = history.segments.length - 1; i >= 0; i -= 1) {
    const s = history.segments[i]!;
    if (s.from <= at) return s;
  }
  return null;
}
