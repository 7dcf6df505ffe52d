import type { Task, TaskDetail, TaskListItem } from '../../shared/entities';
import { idSchema } from '../../shared/entities';
import { taskCreateInput, taskListFilter, taskUpdateInput, type TaskListFilter } from '../../shared/inputs';
import type { AuditEntry } from '../../shared/entities';
import { taskPageInput, taskRowSchema, type TaskPage, type TaskRow, type TaskSort, type TaskSortKey } from '../../shared/task-page';
import { AppError, notFound, parseInput } from '../common/errors';
import { newId } from '../common/ids';
import { likePattern, num, patchFrom, str } from '../common/rows';
import type { ServiceContext } from '../mutations/context';
import type { Row, SqlValue } from '../mutations/types';
import type { CommentsService } from '../comments/comments-service';
import type { createAuditQueries } from '../audit/audit';
import { PRIORITY_RANK_SQL, readTask, STATUS_RANK_SQL } from './task-rows';

const TASK_FIELDS = [
  'id', 'crmTaskId', 'projectId', 'title', 'description', 'status', 'priority', 'assignedTo', 'createdBy',
  'startTime', 'endTime', 'dueDate', 'estimatedHours', 'actualHours', 'completedAt', 'createdAt', 'updatedAt',
] as const satisfies readonly (keyof Task)[];
const ROW_FIELDS = Object.keys(taskRowSchema.shape) as (keyof TaskRow)[];

export const toTask = (r: Row): Task => readTask(r, TASK_FIELDS);

const toListItem = (r: Row): TaskListItem => readTask(r, [...TASK_FIELDS, 'projectName', 'assigneeName', 'commentCount']);

const LIST_SELECT = `SELECT t.*, p.name AS project_name, e.name AS assignee_name,
    (SELECT count(*) FROM comments c WHERE c.task_id = t.id) AS comment_count
  FROM tasks t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN employees e ON e.id = t.assigned_to`;

/** The narrow columns of a page row (see taskRowSchema): the description never leaves the database. */
const ROW_SELECT = `SELECT t.id, t.project_id, t.title, t.status, t.priority, t.assigned_to, t.due_date,
    p.name AS project_name, e.name AS assignee_name,
    (SELECT count(*) FROM comments c WHERE c.task_id = t.id) AS comment_count
  FROM tasks t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN employees e ON e.id = t.assigned_to`;

const toRow = (r: Row): TaskRow => readTask(r, ROW_FIELDS);

const LIST_ORDER_TERMS = `t.status = 'done',
    ${PRIORITY_RANK_SQL},
    t.due_date IS NULL, t.due_date, t.created_at DESC, t.id`;
const LIST_ORDER = `ORDER BY ${LIST_ORDER_TERMS}`;

const PAGE_FROM = `tasks t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN employees e ON e.id = t.assigned_to`;

/** Column sorts of the task table. Empty values sort last in both directions. */
const SORT_TERMS: Record<TaskSortKey, (dir: string) => string> = {
  title: (dir) => `t.title COLLATE NOCASE ${dir}`,
  status: (dir) => `${STATUS_RANK_SQL} ${dir}`,
  priority: (dir) => `${PRIORITY_RANK_SQL} ${dir}`,
  assignee: (dir) => `e.name IS NULL, e.name COLLATE NOCASE ${dir}`,
  project: (dir) => `p.name IS NULL, p.name COLLATE NOCASE ${dir}`,
  due: (dir) => `t.due_date IS NULL, t.due_date ${dir}`,
};
const sortOrder = (sort: TaskSort): string => SORT_TERMS[sort.key](sort.dir === 'asc' ? 'ASC' : 'DESC');

const FIELD_COLUMNS = {
  title: 'title',
  description: 'description',
  projectId: 'project_id',
  status: 'status',
  priority: 'priority',
  assignedTo: 'assigned_to',
  dueDate: 'due_date',
  startTime: 'start_time',
  endTime: 'end_time',
  estimatedHours: 'estimated_hours',
  actualHours: 'actual_hours',
} as const;

export interface TasksDeps {
  comments: () => CommentsService;
  audit: ReturnType<typeof createAuditQueries>;
  currentEmployeeId: () => string | null;
}

export function createTasksService(ctx: ServiceContext, deps: TasksDeps) {
  const { writer, statements, session } = ctx;

  const getRow = (id: string): Task => {
    const row = writer.get('tasks', id);
    if (!row) throw notFound('Task', id);
    return toTask(row);
  };

  const assertReferences = (projectId: string | null | undefined, assignedTo: string | null | undefined) => {
    if (projectId && !writer.get('projects', projectId)) throw notFound('Project', projectId);
    if (assignedTo) {
      const employee = writer.get('employees', assignedTo);
      if (!employee) throw notFound('Employee', assignedTo);
      if (!employee.is_active) throw new AppError('VALIDATION', `${String(employee.name)} is deactivated and cannot be assigned tasks`, [{ path: 'assignedTo', message: 'is deactivated' }]);
    }
  };

  /** The seed's `tasks.assignee`: the assigned employee's display name, in step with `assigned_to`. */
  const assigneeName = (assignedTo: string | null): string | null => {
    if (!assignedTo) return null;
    const employee = writer.get('employees', assignedTo);
    return employee ? String(employee.name).slice(0, 100) : null;
  };

  const assertTimeOrder = (start: string | null | undefined, end: string | null | undefined) => {
    if (start && end && Date.parse(end) < Date.parse(start)) {
      throw new AppError('VALIDATION', 'The end time is before the start time', [{ path: 'endTime', message: 'is before the start time' }]);
    }
  };

  /** WHERE clause and parameters for a task filter; null when the filter cannot match anything. */
  function whereFor(filter: TaskListFilter): { sql: string; params: SqlValue[]; needsJoins: boolean } | null {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const anyOf = (column: string, value: string | string[] | undefined) => {
      if (value === undefined) return;
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0) return;
      where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    if (filter.projectId) {
      where.push('t.project_id = ?');
      params.push(filter.projectId);
    }
    anyOf('t.status', filter.status);
    anyOf('t.priority', filter.priority);
    if (filter.assignedTo) {
      where.push('t.assigned_to = ?');
      params.push(filter.assignedTo);
    }
    if (filter.mine) {
      const me = deps.currentEmployeeId();
      if (!me) return null;
      where.push('t.assigned_to = ?');
      params.push(me);
    }
    if (filter.dueBefore) {
      where.push('t.due_date IS NOT NULL AND t.due_date < ?');
      params.push(filter.dueBefore);
    }
    const text = filter.text?.trim();
    if (text) {
      where.push("(t.title LIKE ? ESCAPE '\\' OR t.description LIKE ? ESCAPE '\\' OR p.name LIKE ? ESCAPE '\\' OR e.name LIKE ? ESCAPE '\\')");
      const pattern = likePattern(text);
      params.push(pattern, pattern, pattern, pattern);
    }
    return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params, needsJoins: Boolean(text) };
  }

  function list(raw: unknown = {}): TaskListItem[] {
    const filter: TaskListFilter = parseInput(taskListFilter, raw ?? {}, 'task filter');
    const where = whereFor(filter);
    if (!where) return [];
    const sql = `${LIST_SELECT} ${where.sql} ${LIST_ORDER} LIMIT ? OFFSET ?`;
    return (statements.get(sql).all(...where.params, filter.limit ?? 500, filter.offset ?? 0) as Row[]).map(toListItem);
  }

  /**
   * One page of the filtered, sorted list plus the total. Three cheap statements instead of one
   * wide one: the page's ids by a top-N sort over narrow rows, then only those rows with their
   * names and comment counts, then the count (without joins unless the text filter needs them).
   * At 10k tasks that is ~3 ms against ~20 ms for a single windowed query (measured).
   */
  function page(raw: unknown): TaskPage {
    const input = parseInput(taskPageInput, raw, 'task page');
    const offset = input.offset ?? 0;
    const where = whereFor(input);
    if (!where) return { items: [], total: 0, offset };
    const order = input.sort ? `${sortOrder(input.sort)}, ${LIST_ORDER_TERMS}` : LIST_ORDER_TERMS;
    const idSql = `SELECT t.id FROM ${PAGE_FROM} ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`;
    const ids = (statements.get(idSql).all(...where.params, input.limit, offset) as { id: string }[]).map((r) => r.id);
    const byId = new Map<string, TaskRow>();
    if (ids.length > 0) {
      const rows = statements.get(`${ROW_SELECT} WHERE t.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as Row[];
      for (const row of rows) byId.set(str(row.id), toRow(row));
    }
    const items = ids.flatMap((id) => byId.get(id) ?? []);
    const countSql = `SELECT count(*) AS n FROM ${where.needsJoins ? PAGE_FROM : 'tasks t'} ${where.sql}`;
    const total = num((statements.get(countSql).get(...where.params) as Row).n);
    return { items, total, offset };
  }

  return {
    getRow,
    list,
    page,

    get(rawId: unknown): TaskDetail {
      const id = parseInput(idSchema, rawId, 'task id');
      const row = statements.get(`${LIST_SELECT} WHERE t.id = ?`).get(id) as Row | undefined;
      if (!row) throw notFound('Task', id);
      return { ...toListItem(row), comments: deps.comments().list({ taskId: id }) };
    },

    history(rawId: unknown): AuditEntry[] {
      const id = parseInput(idSchema, rawId, 'task id');
      return deps.audit.history('tasks', id);
    },

    create(raw: unknown): Task {
      const input = parseInput(taskCreateInput, raw);
      return writer.transaction(() => {
        assertReferences(input.projectId, input.assignedTo);
        assertTimeOrder(input.startTime, input.endTime);
        const now = writer.now;
        const status = input.status ?? 'todo';
        const row = writer.insert('tasks', {
          id: newId(),
          crm_task_id: null,
          project_id: input.projectId ?? null,
          title: input.title,
          description: input.description ?? null,
          status,
          priority: input.priority ?? 'medium',
          assigned_to: input.assignedTo ?? null,
          assignee: assigneeName(input.assignedTo ?? null),
          created_by: session.currentUserId,
          start_time: input.startTime ?? null,
          end_time: input.endTime ?? null,
          due_date: input.dueDate ?? null,
          estimated_hours: input.estimatedHours ?? null,
          actual_hours: input.actualHours ?? null,
          completed_at: status === 'done' ? now : null,
          created_at: now,
          updated_at: now,
        });
        return toTask(row);
      });
    },

    /** Changes any subset of a task's fields; completing stamps completed_at, reopening clears it. */
    update(raw: unknown): Task {
      const input = parseInput(taskUpdateInput, raw);
      return writer.transaction(() => {
        const current = getRow(input.id);
        assertReferences(input.projectId, input.assignedTo);
        assertTimeOrder(input.startTime === undefined ? current.startTime : input.startTime, input.endTime === undefined ? current.endTime : input.endTime);
        const patch = patchFrom(input, FIELD_COLUMNS);
        if (input.assignedTo !== undefined) patch.assignee = assigneeName(input.assignedTo);
        if (input.status && input.status !== current.status) {
          if (input.status === 'done') patch.completed_at = writer.now;
          else if (current.status === 'done') patch.completed_at = null;
        }
        const change = writer.update('tasks', input.id, patch);
        return change?.after ? toTask(change.after) : current;
      });
    },

    delete(rawId: unknown): { id: string } {
      const id = parseInput(idSchema, rawId, 'task id');
      writer.transaction(() => {
        // Comments go through the write path too (not only via ON DELETE CASCADE) so that every
        // removed row is seen by the hooks: audit, outbox, memory.
        for (const { id: commentId } of statements.get('SELECT id FROM comments WHERE task_id = ?').all(id) as { id: string }[]) {
          writer.delete('comments', commentId);
        }
        writer.delete('tasks', id);
      });
      return { id };
    },

    count(): number {
      return num((statements.get('SELECT count(*) AS n FROM tasks').get() as Row).n);
    },
  };
}

export type TasksService = ReturnType<typeof createTasksService>;
