import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Central fixture data, generated in PostgreSQL with `INSERT … SELECT generate_series` (no rows
 * cross the wire). Keys are deterministic (md5 of `<kind>:<n>`, shaped as a v4 uuid), so two databases loaded
 * with the same spec hold the same rows and a benchmark can name any row by kind and number.
 */
export interface FixtureSpec {
  users: number;
  employees: number;
  projects: number;
  tasks: number;
  comments: number;
  /** Every task assigned to employee 1 and created by user 1 (employee 1 belongs to user 1). */
  tasksOwnedByFirstUser?: boolean;
  /**
   * `bulk` (default): the change-log trigger is disabled while the rows go in, then the matching
   * sync_changes / sync_row_meta rows are written with set-based SQL in the same transaction, so
   * the result is what the per-row trigger would have written (same tables, same field-clock
   * shape, one change per row in insertion order). `triggers`: plain inserts, trigger per row.
   */
  mode?: 'bulk' | 'triggers';
}

export interface FixtureReport {
  rows: number;
  /** Entity rows inserted (with triggers when mode = triggers). */
  insertSeconds: number;
  /** sync_changes + sync_row_meta written in bulk (0 in trigger mode). */
  bookkeepingSeconds: number;
  /** VACUUM ANALYZE of the loaded tables (what autovacuum would have done on a real server). */
  vacuumSeconds: number;
  totalSeconds: number;
  /** The loading transaction's xid (see waitForHorizon). */
  xid: string;
}

/** The key of fixture row `<kind>:<n>`: md5 of that text, shaped as a version-4 uuid. */
export function fixtureId(kind: 'user' | 'employee' | 'project' | 'task' | 'comment', n: number): string {
  const d = createHash('md5').update(`${kind}:${n}`).digest('hex');
  const h = `${d.slice(0, 12)}4${d.slice(13, 16)}8${d.slice(17)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** SQL for the fixture key of `<kind>:<n>`: md5 with the version/variant nibbles of a v4 uuid. */
export const fixtureIdSql = (kind: 'user' | 'employee' | 'project' | 'task' | 'comment', n: string): string => {
  const h = `md5('${kind}:' || (${n}))`;
  return `(substr(${h}, 1, 12) || '4' || substr(${h}, 14, 3) || '8' || substr(${h}, 18))::uuid`;
};

const id = fixtureIdSql;

const TS = `timestamptz '2026-01-05 08:00:00+00'`;
const at = (i: string) => `(${TS} + ${i} * interval '1 second')`;

const int = (n: number): number => {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`fixture size must be a non-negative integer, got ${n}`);
  return n;
};

function insertStatements(spec: FixtureSpec): { table: string; sql: string; count: number }[] {
  const U = int(spec.users);
  const E = int(spec.employees);
  const P = int(spec.projects);
  const T = int(spec.tasks);
  const C = int(spec.comments);
  if (U < 1 || (E < 1 && T > 0) || (P < 1 && T > 0) || (T < 1 && C > 0)) throw new Error('fixture: tasks need users, employees and projects; comments need tasks');
  const owned = Boolean(spec.tasksOwnedByFirstUser);
  return [
    {
      table: 'users',
      count: U,
      sql: `INSERT INTO users (id, crm_user_id, username, email, name, role, is_active, preferences, ai_settings, last_login, last_activity, created_at, updated_at)
        SELECT ${id('user', `i`)}, NULL, 'user' || i, 'user' || i || '@example.com', 'User ' || i,
               (ARRAY['admin', 'coordinator', 'member'])[1 + i % 3]::user_role, true, '{}'::jsonb, '{"model": "default"}'::jsonb,
               NULL, NULL, ${at('i')}, ${at('i')}
        FROM generate_series(1, ${U}) AS i`,
    },
    {
      table: 'employees',
      count: E,
      sql: `INSERT INTO employees (id, user_id, crm_employee_id, name, email, department, position, manager_id, hire_date, is_active, created_at, updated_at)
        SELECT ${id('employee', `i`)}, ${id('user', `1 + (i - 1) % ${U}`)}, NULL, 'Employee ' || i, 'employee' || i || '@example.com',
               'Department ' || (i % 12), 'Engineer', NULL, date '2020-01-01' + (i % 1500), true, ${at('i')}, ${at('i')}
        FROM generate_series(1, ${E}) AS i`,
    },
    {
      table: 'projects',
      count: P,
      sql: `INSERT INTO projects (id, crm_project_id, name, description, status, start_date, end_date, deadline, created_by, created_at, updated_at)
        SELECT ${id('project', `i`)}, NULL, 'Project ' || i, 'Project ' || i || ' delivers the client''s quarterly programme; see the brief for scope.',
               (ARRAY['todo', 'in_progress', 'on_hold', 'done', 'cancelled'])[1 + i % 5]::project_status,
               date '2026-01-01' + (i % 90), NULL, date '2026-06-01' + (i % 180), ${id('user', `1 + (i - 1) % ${U}`)}, ${at('i')}, ${at('i')}
        FROM generate_series(1, ${P}) AS i`,
    },
    {
      table: 'tasks',
      count: T,
      sql: `INSERT INTO tasks (id, crm_task_id, project_id, title, description, status, priority, assigned_to, created_by, start_time, end_time,
                               due_date, estimated_hours, actual_hours, completed_at, created_at, updated_at)
        SELECT ${id('task', `i`)}, NULL, ${id('project', `1 + (i - 1) % ${P}`)},
               'Task ' || i || ': prepare the delivery review',
               'Collect the figures for item ' || i || ', check them against the plan and write a short summary for the team; attach the sheet and flag anything late.',
               (ARRAY['todo', 'in_progress', 'testing', 'awaiting_feedback', 'done'])[1 + i % 5]::task_status,
               (ARRAY['low', 'medium', 'high', 'urgent'])[1 + i % 4]::task_priority,
               ${owned ? id('employee', '1') : id('employee', `1 + (i - 1) % ${E}`)},
               ${owned ? id('user', '1') : id('user', `1 + (i * 7) % ${U}`)},
               CASE WHEN i % 3 = 0 THEN ${at('i')} END, CASE WHEN i % 3 = 0 THEN ${at('i')} + interval '2 hours' END,
               date '2026-03-01' + (i % 240), (i % 16) + 0.5, CASE WHEN i % 5 = 4 THEN (i % 12) + 0.25 END,
               CASE WHEN i % 5 = 4 THEN ${at('i')} + interval '1 day' END, ${at('i')}, ${at('i')}
        FROM generate_series(1, ${T}) AS i`,
    },
    {
      table: 'comments',
      count: C,
      sql: `INSERT INTO comments (id, crm_comment_id, task_id, user_id, author, content, comment_order, is_edited, created_at, updated_at)
        SELECT ${id('comment', `i`)}, NULL, ${id('task', `1 + (i - 1) % ${Math.max(T, 1)}`)}, ${id('user', `(1 + i % ${U})`)},
               'User ' || (1 + i % ${U}),
               'Comment ' || i || ': I looked at this today; the numbers match, but the second section still needs a source. Will update tomorrow.',
               1 + (i - 1) / ${Math.max(T, 1)}, false, ${at('i')}, ${at('i')}
        FROM generate_series(1, ${C}) AS i`,
    },
  ].filter((s) => s.count > 0);
}

/** What the change-log trigger writes for an inserted row, as one set-based statement per table. */
function bookkeepingStatements(table: string): string[] {
  return [
    `INSERT INTO sync_changes (table_name, row_id, op) SELECT '${table}', id, 'upsert' FROM ${table} ORDER BY created_at`,
    `INSERT INTO sync_row_meta (table_name, row_id, version, field_clocks)
     SELECT c.table_name, c.row_id, c.version,
            (SELECT coalesce(jsonb_object_agg(k, jsonb_build_object('h', s.stamp, 'v', c.version)), '{}'::jsonb)
             FROM jsonb_object_keys(to_jsonb(t)) AS k WHERE k NOT IN ('id', 'updated_at'))
     FROM sync_changes c
     JOIN ${table} t ON t.id = c.row_id
     CROSS JOIN (SELECT lpad((floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint::text, 15, '0') || ':00000:server' AS stamp) s
     WHERE c.table_name = '${table}'`,
  ];
}

/**
 * The bench's replicas sign in with the loader's own login, which the server enrols as a user on
 * its first sign-in (docs/team-identity.md): enrol it now, so the rows a bootstrap brings are
 * known up front. Returns the users it added (0 or 1).
 */
export async function enrolLoader(client: pg.Client): Promise<number> {
  const count = async () => Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]?.n ?? 0);
  const before = await count();
  await client.query('SELECT user_id FROM coordinator_sign_in()');
  return (await count()) - before;
}

export async function loadFixture(client: pg.Client, spec: FixtureSpec): Promise<FixtureReport> {
  const mode = spec.mode ?? 'bulk';
  const statements = insertStatements(spec);
  const started = performance.now();
  let insertSeconds = 0;
  let bookkeepingSeconds = 0;
  let xid = '0';
  await client.query('BEGIN');
  try {
    xid = (await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows[0]?.xid ?? '0';
    if (mode === 'bulk') for (const s of statements) await client.query(`ALTER TABLE ${s.table} DISABLE TRIGGER USER`);
    let t = performance.now();
    for (const s of statements) await client.query(s.sql);
    insertSeconds = (performance.now() - t) / 1000;
    if (mode === 'bulk') {
      for (const s of statements) await client.query(`ALTER TABLE ${s.table} ENABLE TRIGGER USER`);
      t = performance.now();
      for (const s of statements) for (const sql of bookkeepingStatements(s.table)) await client.query(sql);
      bookkeepingSeconds = (performance.now() - t) / 1000;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const t = performance.now();
  for (const s of statements) await client.query(`VACUUM (ANALYZE) ${s.table}`);
  await client.query('VACUUM (ANALYZE) sync_changes');
  await client.query('VACUUM (ANALYZE) sync_row_meta');
  const vacuumSeconds = (performance.now() - t) / 1000;
  return {
    rows: statements.reduce((n, s) => n + s.count, 0) + (await enrolLoader(client)),
    insertSeconds,
    bookkeepingSeconds,
    vacuumSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    xid,
  };
}
