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
  hs: number;
  so: TaskStatus | null;
  sn: TaskStatus | null;
  ha: number;
  ao: string | null;
  an: string | null;
  he: number;
  eo: number | null;
  en: number | null;
  hd: number;
  do: string | null;
  dn: string | null;
}

type Field = 'status' | 'assignee' | 'estimate' | 'due';
interface FieldChange {
  at: string;
  field: Field;
  old: unknown;
  new: unknown;
}

const TASK_COLUMNS = 'id, project_id, title, status, assigned_to, estimated_hours, due_date, created_at, completed_at';

// Only the four fields charts need are pulled out of the JSON, in SQL, so 100k audit rows never
// become 100k parsed objects.
const AUDIT_SELECT = `SELECT a.entity_id AS id, a.created_at AS at,
  json_type(a.changes, '$.status') IS NOT NULL AS hs, json_extract(a.changes, '$.status.old') AS so, json_extract(a.changes, '$.status.new') AS sn,
  json_type(a.changes, '$.assigned_to') IS NOT NULL AS ha, json_extract(a.changes, '$.assigned_to.old') AS ao, json_extract(a.changes, '$.assigned_to.new') AS an,
  json_type(a.changes, '$.estimated_hours') IS NOT NULL AS he, json_extract(a.changes, '$.estimated_hours.old') AS eo, json_extract(a.changes, '$.estimated_hours.new') AS en,
  json_type(a.changes, '$.due_date') IS NOT NULL AS hd, json_extract(a.changes, '$.due_date.old') AS "do", json_extract(a.changes, '$.due_date.new') AS dn
  FROM audit_log a JOIN tasks t ON t.id = a.entity_id
  WHERE a.entity_table = 'tasks' AND a.action = 'update'`;

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
      ? statements.get(`${AUDIT_SELECT} ORDER BY a.created_at, a.id`).all()
      : statements.get(`${AUDIT_SELECT} AND t.project_id = ? ORDER BY a.created_at, a.id`).all(projectId)
  ) as AuditRow[];

  const changesByTask = new Map<string, FieldChange[]>();
  for (const a of audits) {
    let list = changesByTask.get(a.id);
    if (!list) changesByTask.set(a.id, (list = []));
    if (a.hs) list.push({ at: a.at, field: 'status', old: a.so, new: a.sn });
    if (a.ha) list.push({ at: a.at, field: 'assignee', old: a.ao, new: a.an });
    if (a.he) list.push({ at: a.at, field: 'estimate', old: a.eo, new: a.en });
    if (a.hd) list.push({ at: a.at, field: 'due', old: a.do, new: a.dn });
  }
  return tasks.map((t) => buildHistory(t, changesByTask.get(t.id) ?? []));
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
