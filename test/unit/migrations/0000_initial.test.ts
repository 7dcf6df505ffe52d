import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { openDatabase, sqliteVecPath } from '../../../core/database/open';
import { migrateSqlite } from '../../../core/database/migrate-sqlite';
import { findMigrationsDir } from '../../../core/database/migrations-dir';
import { loadMigrations, type Migration } from '../../../core/database/migrations';
import { newId } from '../../../core/common/ids';
import { PROJECT_STATUSES, TASK_PRIORITIES, TASK_STATUSES, USER_ROLES } from '../../../shared/enums';

/**
 * Migration 0000_initial: the seed schema on an empty replica, plus the behaviour of the runner
 * that applies it (ledger, idempotence, refusal of foreign or edited histories) and the
 * connection settings every opened replica gets.
 */

const DIR = findMigrationsDir('sqlite');
const ALL = loadMigrations(DIR);
const INITIAL = ALL.filter((m) => m.tag === '0000_initial');
const snapshot = JSON.parse(readFileSync(path.join(DIR, 'meta', '0000_snapshot.json'), 'utf8')) as {
  tables: Record<string, { name: string; columns: Record<string, unknown>; indexes: Record<string, { isUnique: boolean }> }>;
};
const SNAPSHOT_TABLES = Object.keys(snapshot.tables).sort();
const SNAPSHOT_INDEXES = Object.values(snapshot.tables)
  .flatMap((t) => Object.keys(t.indexes))
  .sort();

let dir: string;
let file: string;
let db: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-migration-'));
  file = path.join(dir, 'replica.db');
  db = new Database(file);
  db.pragma('foreign_keys = ON');
  db.loadExtension(sqliteVecPath()); // later migrations create sqlite-vec tables, as openDatabase allows
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const tableNames = (d: Database.Database) =>
  (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
const indexNames = (d: Database.Database) =>
  (d.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
const schemaDump = (d: Database.Database) => d.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name').all();
const ledger = (d: Database.Database) =>
  d.prepare('SELECT idx, tag, checksum, applied_at FROM schema_migrations ORDER BY idx').all() as {
    idx: number;
    tag: string;
    checksum: string;
    applied_at: string;
  }[];

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

const now = '2026-03-02T09:00:00.000Z';

function insertUser(d: Database.Database, overrides: Record<string, unknown> = {}): string {
  const id = newId();
  const row = { id, username: `u${id.slice(-6)}`, email: 'a@example.com', full_name: 'A', created_at: now, updated_at: now, ...overrides };
  const cols = Object.keys(row);
  d.prepare(`INSERT INTO users (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...Object.values(row));
  return id;
}

function insertTask(d: Database.Database, overrides: Record<string, unknown> = {}): string {
  const id = newId();
  const row = { id, title: 'T', created_at: now, updated_at: now, ...overrides };
  const cols = Object.keys(row);
  d.prepare(`INSERT INTO tasks (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...Object.values(row));
  return id;
}

describe('migration 0000_initial on an empty database', () => {
  it('is the first migration in the journal and splits into many statements', () => {
    expect(ALL[0]?.tag).toBe('0000_initial');
    expect(ALL[0]?.index).toBe(0);
    expect(INITIAL).toHaveLength(1);
    expect(INITIAL[0]?.statements.length).toBeGreaterThan(20);
  });

  it('creates every table of its snapshot (the ten seed tables, audit_log, local_settings) and the ledger', () => {
    migrateSqlite(db, INITIAL);
    expect(SNAPSHOT_TABLES).toEqual(
      [
        'ai_actions',
        'audit_log',
        'comments',
        'conversation_history',
        'employees',
        'local_settings',
        'memory_embeddings',
        'notifications',
        'projects',
        'prompt_templates',
        'tasks',
        'users',
      ].sort(),
    );
    expect(tableNames(db)).toEqual([...SNAPSHOT_TABLES, 'schema_migrations'].sort());
  });

  it('creates every column of every table as the snapshot lists it', () => {
    migrateSqlite(db, INITIAL);
    for (const table of Object.values(snapshot.tables)) {
      const columns = (db.prepare(`PRAGMA table_info("${table.name}")`).all() as { name: string }[]).map((c) => c.name);
      expect(columns, table.name).toEqual(Object.keys(table.columns));
    }
  });

  it('creates every index of the seed schema, unique where the snapshot says so', () => {
    migrateSqlite(db, INITIAL);
    expect(indexNames(db)).toEqual(SNAPSHOT_INDEXES);
    expect(SNAPSHOT_INDEXES).toEqual(
      expect.arrayContaining(['idx_tasks_project_id', 'idx_tasks_assigned_to', 'idx_tasks_status', 'idx_tasks_due_date', 'idx_users_username', 'idx_notifications_user_read']),
    );
    for (const table of Object.values(snapshot.tables)) {
      const list = db.prepare(`PRAGMA index_list("${table.name}")`).all() as { name: string; unique: number; origin: string }[];
      for (const [name, index] of Object.entries(table.indexes)) {
        expect(list.find((i) => i.name === name)?.unique, name).toBe(index.isUnique ? 1 : 0);
      }
    }
  });

  it('enforces the task status enum with a CHECK constraint', () => {
    migrateSqlite(db, INITIAL);
    expect(() => insertTask(db, { status: 'nope' })).toThrow(/CHECK constraint failed: tasks_status_check/);
    for (const status of TASK_STATUSES) expect(() => insertTask(db, { status })).not.toThrow();
    expect((db.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n).toBe(TASK_STATUSES.length);
  });

  it('enforces the task priority, project status, user role and notification type enums', () => {
    migrateSqlite(db, INITIAL);
    expect(() => insertTask(db, { priority: 'whenever' })).toThrow(/CHECK constraint failed: tasks_priority_check/);
    for (const priority of TASK_PRIORITIES) expect(() => insertTask(db, { priority })).not.toThrow();
    const project = (status: string) =>
      db.prepare('INSERT INTO projects (id, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(newId(), 'P', status, now, now);
    expect(() => project('archived')).toThrow(/CHECK constraint failed: projects_status_check/);
    for (const status of PROJECT_STATUSES) expect(() => project(status)).not.toThrow();
    expect(() => insertUser(db, { role: 'superuser' })).toThrow(/CHECK constraint failed: users_role_check/);
    for (const role of USER_ROLES) expect(() => insertUser(db, { role })).not.toThrow();
    const userId = insertUser(db);
    expect(() =>
      db
        .prepare('INSERT INTO notifications (id, user_id, type, title, message, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(newId(), userId, 'gossip', 't', 'm', now),
    ).toThrow(/CHECK constraint failed: notifications_type_check/);
  });

  it('refuses negative hours on a task', () => {
    migrateSqlite(db, INITIAL);
    expect(() => insertTask(db, { estimated_hours: -1 })).toThrow(/CHECK constraint failed: tasks_hours_check/);
    expect(() => insertTask(db, { actual_hours: -0.5 })).toThrow(/CHECK constraint failed: tasks_hours_check/);
    expect(() => insertTask(db, { estimated_hours: 0, actual_hours: 3.5 })).not.toThrow();
  });

  it('fills the seed defaults: status todo, priority medium, role member, empty JSON objects', () => {
    migrateSqlite(db, INITIAL);
    const taskId = insertTask(db);
    expect(db.prepare('SELECT status, priority FROM tasks WHERE id = ?').get(taskId)).toEqual({ status: 'todo', priority: 'medium' });
    const userId = insertUser(db);
    expect(db.prepare('SELECT role, is_active, preferences, ai_settings FROM users WHERE id = ?').get(userId)).toEqual({
      role: 'member',
      is_active: 1,
      preferences: '{}',
      ai_settings: '{}',
    });
  });

  it('declares foreign keys that are enforced, cascade and set null as designed', () => {
    migrateSqlite(db, INITIAL);
    expect(() => insertTask(db, { project_id: newId() })).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => insertTask(db, { assigned_to: newId() })).toThrow(/FOREIGN KEY constraint failed/);
    const projectId = newId();
    db.prepare('INSERT INTO projects (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(projectId, 'P', now, now);
    const userId = insertUser(db);
    const taskId = insertTask(db, { project_id: projectId, created_by: userId });
    db.prepare(
      'INSERT INTO comments (id, task_id, user_id, author_name, content, comment_order, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(newId(), taskId, userId, 'A', 'hello', 1, now, now);
    // Deleting a user keeps their work, unattributed.
    db.prepare('DELETE FROM users WHERE id = ?').run(userId);
    expect(db.prepare('SELECT created_by FROM tasks WHERE id = ?').get(taskId)).toEqual({ created_by: null });
    expect(db.prepare('SELECT user_id FROM comments WHERE task_id = ?').get(taskId)).toEqual({ user_id: null });
    // Deleting a project removes its tasks, and their comments.
    db.prepare('DELETE FROM projects WHERE id = ?').run(projectId);
    expect(db.prepare('SELECT count(*) AS n FROM tasks').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM comments').get()).toEqual({ n: 0 });
  });

  it('keeps usernames and CRM ids unique', () => {
    migrateSqlite(db, INITIAL);
    insertUser(db, { username: 'alex', crm_user_id: 7 });
    expect(() => insertUser(db, { username: 'alex' })).toThrow(/UNIQUE constraint failed: users.username/);
    expect(() => insertUser(db, { username: 'sam', crm_user_id: 7 })).toThrow(/UNIQUE constraint failed: users.crm_user_id/);
    // Rows without a CRM id do not collide with each other.
    expect(() => insertUser(db, { username: 'kim', crm_user_id: null })).not.toThrow();
    expect(() => insertUser(db, { username: 'lee', crm_user_id: null })).not.toThrow();
  });
});

describe('the migration runner with 0000_initial', () => {
  it('records the applied migration in schema_migrations with its tag, file checksum and time', () => {
    const report = migrateSqlite(db, INITIAL);
    expect(report).toEqual({ applied: ['0000_initial'], current: 0 });
    const sqlText = readFileSync(path.join(DIR, '0000_initial.sql'), 'utf8');
    const rows = ledger(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ idx: 0, tag: '0000_initial', checksum: createHash('sha256').update(sqlText).digest('hex') });
    expect(rows[0]?.applied_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('does nothing when run again: no statement re-run, ledger and schema unchanged', () => {
    migrateSqlite(db, INITIAL);
    const before = { schema: schemaDump(db), ledger: ledger(db) };
    insertTask(db, { title: 'kept' });
    const report = migrateSqlite(db, INITIAL);
    expect(report).toEqual({ applied: [], current: 0 });
    expect(schemaDump(db)).toEqual(before.schema);
    expect(ledger(db)).toEqual(before.ledger);
    expect(db.prepare('SELECT title FROM tasks').all()).toEqual([{ title: 'kept' }]);
  });

  it('applies every shipped migration in order on a fresh replica, and none on the next open', () => {
    const first = migrateSqlite(db);
    expect(first.applied).toEqual(ALL.map((m) => m.tag));
    expect(first.current).toBe(ALL.length - 1);
    expect(ledger(db).map((r) => [r.idx, r.tag])).toEqual(ALL.map((m) => [m.index, m.tag]));
    expect(migrateSqlite(db).applied).toEqual([]);
  });

  it('refuses a database written by a newer Coordinator, before applying anything, with a clear message', () => {
    db.exec(
      "CREATE TABLE schema_migrations (idx INTEGER PRIMARY KEY, tag TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL);" +
        "INSERT INTO schema_migrations VALUES (99, '0099_from_the_future', 'abc', '2030-01-01T00:00:00.000Z');",
    );
    const before = { schema: schemaDump(db), ledger: ledger(db) };
    const error = catchError(() => migrateSqlite(db, ALL));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONFLICT');
    expect((error as AppError).message).toMatch(/newer Coordinator/);
    expect((error as AppError).message).toContain('0099_from_the_future');
    expect((error as AppError).message).toMatch(/Update Coordinator/);
    // Not even 0000_initial was applied.
    expect(schemaDump(db)).toEqual(before.schema);
    expect(ledger(db)).toEqual(before.ledger);
    expect(tableNames(db)).toEqual(['schema_migrations']);
  });

  it('refuses a replica migrated further by a newer version and leaves its tables and data untouched', () => {
    const future: Migration = { index: ALL.length, tag: `${String(ALL.length).padStart(4, '0')}_future_feature`, statements: ['CREATE TABLE future_things (id TEXT PRIMARY KEY)', "INSERT INTO future_things VALUES ('x')"], checksum: 'f'.repeat(64), formerChecksums: [] };
    migrateSqlite(db, [...ALL, future]);
    const before = { schema: schemaDump(db), ledger: ledger(db) };
    expect(() => migrateSqlite(db, ALL)).toThrow(/written by a newer Coordinator \(migration \d+ "\d{4}_future_feature" is unknown/);
    expect(schemaDump(db)).toEqual(before.schema);
    expect(ledger(db)).toEqual(before.ledger);
    expect(db.prepare('SELECT id FROM future_things').all()).toEqual([{ id: 'x' }]);
  });

  it('refuses to open such a database through openDatabase and leaves its ledger intact', () => {
    migrateSqlite(db, ALL);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, ?)').run(ALL.length + 5, 'from_the_future', 'abc', now);
    db.close();
    expect(() => openDatabase({ file })).toThrow(/newer Coordinator/);
    // The file is still usable by a newer version: the ledger row is intact.
    const again = new Database(file, { readonly: true });
    expect(again.prepare('SELECT tag FROM schema_migrations WHERE idx = ?').get(ALL.length + 5)).toEqual({ tag: 'from_the_future' });
    again.close();
  });

  it('refuses a migration whose SQL changed after it was applied (checksum mismatch)', () => {
    migrateSqlite(db, INITIAL);
    const edited = INITIAL.map((m) => ({ ...m, checksum: createHash('sha256').update('something else').digest('hex') }));
    const before = ledger(db);
    const error = catchError(() => migrateSqlite(db, edited));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONFLICT');
    expect((error as AppError).message).toBe('Migration 0 "0000_initial" was changed after it was applied; migrations are append-only.');
    expect(ledger(db)).toEqual(before);
  });

  it('refuses a migration that was renamed after it was applied', () => {
    migrateSqlite(db, INITIAL);
    const renamed = INITIAL.map((m) => ({ ...m, tag: '0000_renamed' }));
    expect(() => migrateSqlite(db, renamed)).toThrow(/append-only/);
  });

  it('detects an edited file on disk through loadMigrations', () => {
    migrateSqlite(db, INITIAL);
    const copy = path.join(dir, 'migrations');
    mkdirSync(path.join(copy, 'meta'), { recursive: true });
    writeFileSync(path.join(copy, 'meta', '_journal.json'), JSON.stringify({ dialect: 'sqlite', entries: [{ idx: 0, tag: '0000_initial' }] }));
    writeFileSync(path.join(copy, '0000_initial.sql'), `${readFileSync(path.join(DIR, '0000_initial.sql'), 'utf8')}\n-- a sneaky edit\n`);
    expect(() => migrateSqlite(db, loadMigrations(copy))).toThrow(/was changed after it was applied/);
  });

  it('applies a migration atomically with its ledger row: a failing statement leaves no trace', () => {
    migrateSqlite(db, INITIAL);
    const broken: Migration = { index: 1, tag: '0001_broken', statements: ['CREATE TABLE half_done (id TEXT)', 'THIS IS NOT SQL'], checksum: 'b'.repeat(64), formerChecksums: [] };
    expect(() => migrateSqlite(db, [...INITIAL, broken])).toThrow(/syntax error/);
    expect(tableNames(db)).not.toContain('half_done');
    expect(ledger(db).map((r) => r.tag)).toEqual(['0000_initial']);
  });

  it('refuses a journal with a gap in its numbering', () => {
    const copy = path.join(dir, 'gappy');
    mkdirSync(path.join(copy, 'meta'), { recursive: true });
    writeFileSync(
      path.join(copy, 'meta', '_journal.json'),
      JSON.stringify({ dialect: 'sqlite', entries: [{ idx: 0, tag: 'a' }, { idx: 2, tag: 'c' }] }),
    );
    writeFileSync(path.join(copy, 'a.sql'), 'CREATE TABLE a (x);');
    writeFileSync(path.join(copy, 'c.sql'), 'CREATE TABLE c (x);');
    expect(() => loadMigrations(copy)).toThrow(/gap or duplicate at index 1/);
  });
});

describe('an opened replica', () => {
  let opened: Database.Database;
  beforeEach(() => {
    db.close();
    opened = openDatabase({ file });
  });
  afterEach(() => {
    if (opened.open) opened.close();
  });

  it('has sqlite-vec loaded and working', () => {
    const { version } = opened.prepare('SELECT vec_version() AS version').get() as { version: string };
    expect(version).toMatch(/^v\d+\.\d+\.\d+/);
    opened.exec('CREATE VIRTUAL TABLE temp.v USING vec0(embedding float[3])');
    const insert = opened.prepare('INSERT INTO temp.v (rowid, embedding) VALUES (?, ?)');
    insert.run(1n, JSON.stringify([1, 0, 0]));
    insert.run(2n, JSON.stringify([0, 1, 0]));
    const nearest = opened.prepare('SELECT rowid FROM temp.v WHERE embedding MATCH ? ORDER BY distance LIMIT 1').get(JSON.stringify([0.1, 0.9, 0])) as {
      rowid: number;
    };
    expect(nearest.rowid).toBe(2);
    expect(sqliteVecPath()).toMatch(/vec0\.(so|dylib|dll)$/);
  });

  it('runs in WAL mode with full sync, foreign keys on and a busy timeout', () => {
    expect(opened.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(opened.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(opened.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(opened.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('is migrated to the newest shipped migration', () => {
    expect(ledger(opened).map((r) => r.tag)).toEqual(ALL.map((m) => m.tag));
    expect(tableNames(opened)).toEqual(expect.arrayContaining(SNAPSHOT_TABLES));
  });

  it('can be opened without migrating, leaving an empty file empty', () => {
    opened.close();
    const emptyFile = path.join(dir, 'empty.db');
    const raw = openDatabase({ file: emptyFile, migrate: false });
    expect(tableNames(raw)).toEqual([]);
    raw.close();
  });
});
