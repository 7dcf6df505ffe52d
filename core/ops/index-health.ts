import type { SqliteDb } from '../database/open';

/**
 * The queries the app runs all the time, in the shape the services run them (same WHERE and
 * ORDER BY), each with the indexes that should serve it. A plan that scans the table instead
 * means a missing or unusable index: the screen that runs it gets slower with every row.
 */
export interface HotQuery {
  name: string;
  table: string;
  sql: string;
  params: (string | number)[];
  /** Any of these may serve it (statistics from ANALYZE can make the planner prefer one). */
  indexes: string[];
}

export const HOT_QUERIES: HotQuery[] = [
  {
    name: 'tasks of a project by status (board, project view)',
    table: 'tasks',
    sql: `SELECT t.id FROM tasks t WHERE t.project_id = ? AND t.status IN (?, ?)`,
    params: ['p', 'todo', 'in_progress'],
    indexes: ['idx_tasks_project_status', 'idx_tasks_project_id'],
  },
  {
    name: 'my open tasks',
    table: 'tasks',
    sql: `SELECT t.id FROM tasks t WHERE t.status IN (?, ?) AND t.assigned_to = ?`,
    params: ['todo', 'in_progress', 'e'],
    indexes: ['idx_tasks_assigned_status', 'idx_tasks_assigned_to'],
  },
  {
    name: 'tasks due soon (notification scan)',
    table: 'tasks',
    sql: `SELECT t.id FROM tasks t WHERE t.status <> 'done' AND t.due_date IS NOT NULL AND t.due_date >= ? AND t.due_date <= ?`,
    params: ['2026-01-01', '2026-01-02'],
    indexes: ['idx_tasks_due_date'],
  },
  {
    name: 'comments of a task',
    table: 'comments',
    sql: `SELECT * FROM comments WHERE task_id = ? ORDER BY comment_order, created_at, id`,
    params: ['t'],
    indexes: ['idx_comments_task_id'],
  },
  {
    name: 'unread notifications of the user',
    table: 'notifications',
    sql: `SELECT * FROM notifications WHERE user_id = ? AND read = 0 ORDER BY created_at DESC, id DESC LIMIT ?`,
    params: ['u', 50],
    indexes: ['idx_notifications_user_read'],
  },
  {
    name: 'history of a task (audit)',
    table: 'audit_log',
    sql: `SELECT a.* FROM audit_log a WHERE a.entity_table = ? AND a.entity_id = ? ORDER BY a.created_at DESC, a.id DESC LIMIT ?`,
    params: ['tasks', 't', 50],
    indexes: ['idx_audit_entity'],
  },
  {
    name: 'employee of the signed-in user',
    table: 'employees',
    sql: `SELECT id FROM employees WHERE user_id = ?`,
    params: ['u'],
    indexes: ['idx_employees_user_id'],
  },
  {
    name: 'outbox: next changes to push',
    table: 'sync_outbox',
    sql: `SELECT * FROM sync_outbox WHERE status = 'pending' ORDER BY seq LIMIT ?`,
    params: [500],
    indexes: ['idx_sync_outbox_status'],
  },
  {
    name: 'outbox: pending changes of a row (rebase)',
    table: 'sync_outbox',
    sql: `SELECT * FROM sync_outbox WHERE status = 'pending' AND table_name = ? AND row_id = ? ORDER BY seq`,
    params: ['tasks', 't'],
    indexes: ['idx_sync_outbox_row', 'idx_sync_outbox_status'],
  },
  {
    name: 'base version of a row',
    table: 'sync_row_versions',
    sql: `SELECT version FROM sync_row_versions WHERE table_name = ? AND row_id = ?`,
    params: ['tasks', 't'],
    indexes: ['idx_sync_row_versions_pk'],
  },
  {
    name: 'open conflicts',
    table: 'sync_conflicts',
    sql: `SELECT * FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY created_at DESC LIMIT 500`,
    params: [],
    indexes: ['idx_sync_conflicts_open'],
  },
];

export interface IndexHealth {
  name: string;
  ok: boolean;
  /** The plan lines, as EXPLAIN QUERY PLAN prints them. */
  plan: string[];
  detail: string;
}

/** Runs EXPLAIN QUERY PLAN (nothing is executed) and checks the expected index is used. */
export function explainHotQuery(db: SqliteDb, query: HotQuery): IndexHealth {
  let plan: string[];
  try {
    plan = (db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[]).map((r) => r.detail);
  } catch (error) {
    return { name: query.name, ok: false, plan: [], detail: `cannot plan: ${error instanceof Error ? error.message : String(error)}` };
  }
  const used = query.indexes.find((index) => plan.some((line) => line.includes(`INDEX ${index} `) || line.endsWith(`INDEX ${index}`)));
  // Any table scan in a hot query is the problem this check exists for.
  const fullScan = plan.some((line) => /^SCAN /.test(line) && !/USING (COVERING )?INDEX|USING (INTEGER )?PRIMARY KEY/.test(line));
  const ok = used !== undefined && !fullScan;
  return {
    name: query.name,
    ok,
    plan,
    detail: ok ? `uses ${used}` : `expected ${query.indexes.join(' or ')}; plan: ${plan.join(' | ')}`,
  };
}

export function checkHotQueries(db: SqliteDb, queries: HotQuery[] = HOT_QUERIES): IndexHealth[] {
  return queries.map((q) => explainHotQuery(db, q));
}
