import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteVecPath } from '../../../core/database/open';
import { migrateSqlite } from '../../../core/database/migrate-sqlite';
import { findMigrationsDir } from '../../../core/database/migrations-dir';
import { loadMigrations } from '../../../core/database/migrations';

/**
 * Migration 0006_seed_columns: a replica created by the previous release, holding data, pending
 * edits and a sync cursor, upgrades in place to the seed's column names and loses nothing.
 */

const ALL = loadMigrations(findMigrationsDir('sqlite'));
const UP_TO = (n: number) => ALL.filter((m) => m.index <= n);
const T = '2026-03-02T09:00:00.000Z';
const USER = '019a0000-0000-7000-8000-000000000001';
const EMPLOYEE = '019a0000-0000-7000-8000-000000000002';
const TASK = '019a0000-0000-7000-8000-000000000003';
const LOOSE_TASK = '019a0000-0000-7000-8000-000000000004';
const COMMENT = '019a0000-0000-7000-8000-000000000005';
const TALK = '019a0000-0000-7000-8000-000000000006';

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-migration-'));
  db = new Database(path.join(dir, 'replica.db'));
  db.loadExtension(sqliteVecPath());
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The previous release's replica: rows under the old names, edits still in the outbox, a cursor. */
function previousReleaseReplica(): void {
  migrateSqlite(db, UP_TO(5));
  db.exec(`
    INSERT INTO users (id, username, email, full_name, role, created_at, updated_at) VALUES ('${USER}', 'maria', 'maria@example.com', 'Maria Garcia', 'coordinator', '${T}', '${T}');
    INSERT INTO employees (id, user_id, name, email, created_at, updated_at) VALUES ('${EMPLOYEE}', '${USER}', 'Maria Garcia', 'maria@example.com', '${T}', '${T}');
    INSERT INTO tasks (id, title, assigned_to, created_at, updated_at) VALUES ('${TASK}', 'Fix invoice layout', '${EMPLOYEE}', '${T}', '${T}');
    INSERT INTO tasks (id, title, created_at, updated_at) VALUES ('${LOOSE_TASK}', 'Nobody yet', '${T}', '${T}');
    INSERT INTO comments (id, task_id, user_id, author_name, content, comment_order, created_at, updated_at) VALUES ('${COMMENT}', '${TASK}', '${USER}', 'Maria Garcia', 'On it', 1, '${T}', '${T}');
    INSERT INTO conversation_history (id, session_id, user_id, query, response, user_rating, created_at) VALUES ('${TALK}', 's1', '${USER}', 'What is late?', 'Nothing.', 1, '${T}');
    INSERT INTO local_settings (key, value) VALUES ('sync.cursor', '{"xid":"812","version":40}');
    INSERT INTO sync_row_versions (table_name, row_id, version) VALUES ('users', '${USER}', 7);
    INSERT INTO sync_conflicts (id, table_name, row_id, field, kind, losing_value, winning_value, created_at) VALUES ('c1', 'users', '${USER}', 'full_name', 'field_lww', '"Maria G."', '"Maria Garcia"', '${T}');
  `);
  const queue = db.prepare(`INSERT INTO sync_outbox (mutation_id, table_name, row_id, op, fields, base_version, hlc, created_at, tx_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  queue.run('m1', 'users', USER, 'update', JSON.stringify({ full_name: 'María García', updated_at: T }), 7, 'h1', T, 't1');
  queue.run('m2', 'comments', COMMENT, 'update', JSON.stringify({ author_name: 'María García', content: 'On it!' }), 3, 'h2', T, 't1');
  queue.run('m3', 'conversation_history', TALK, 'update', JSON.stringify({ query: 'What is overdue?', response: null, user_rating: -1 }), null, 'h3', T, null);
  queue.run('m4', 'tasks', TASK, 'update', JSON.stringify({ title: 'Fix the invoice layout' }), 2, 'h4', T, null);
}

describe('migration 0006_seed_columns', () => {
  it('renames the columns to the seed’s names and keeps every row’s values', () => {
    previousReleaseReplica();
    expect(migrateSqlite(db).applied).toEqual(['0006_seed_columns']);
    expect(db.prepare('SELECT name FROM users').get()).toEqual({ name: 'Maria Garcia' });
    expect(db.prepare('SELECT author, content FROM comments').get()).toEqual({ author: 'Maria Garcia', content: 'On it' });
    expect(db.prepare('SELECT user_query, ai_response, user_satisfaction FROM conversation_history').get()).toEqual({
      user_query: 'What is late?',
      ai_response: 'Nothing.',
      user_satisfaction: 1,
    });
    const columns = (table: string) => (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
    expect(columns('users')).not.toContain('full_name');
    expect(columns('comments')).not.toContain('author_name');
    expect(columns('conversation_history')).not.toEqual(expect.arrayContaining(['query']));
    expect(columns('memory_embeddings')).toContain('embedding_vector');
  });

  it('fills tasks.assignee with the assigned employee’s name, and leaves unassigned tasks without one', () => {
    previousReleaseReplica();
    migrateSqlite(db);
    expect(db.prepare('SELECT id, assignee FROM tasks ORDER BY id').all()).toEqual([
      { id: TASK, assignee: 'Maria Garcia' },
      { id: LOOSE_TASK, assignee: null },
    ]);
  });

  it('keeps every pending edit, in order and in its transaction, under the new field names', () => {
    previousReleaseReplica();
    const before = db.prepare('SELECT seq, mutation_id, table_name, row_id, op, base_version, hlc, tx_id, status FROM sync_outbox ORDER BY seq').all();
    migrateSqlite(db);
    expect(db.prepare('SELECT seq, mutation_id, table_name, row_id, op, base_version, hlc, tx_id, status FROM sync_outbox ORDER BY seq').all()).toEqual(before);
    const fields = (db.prepare('SELECT fields FROM sync_outbox ORDER BY seq').all() as { fields: string }[]).map((r) => JSON.parse(r.fields) as unknown);
    expect(fields).toEqual([
      { name: 'María García', updated_at: T },
      { author: 'María García', content: 'On it!' },
      { user_query: 'What is overdue?', ai_response: null, user_satisfaction: -1 },
      { title: 'Fix the invoice layout' },
    ]);
  });

  it('keeps the sync cursor and row versions, and names conflicts by the new field', () => {
    previousReleaseReplica();
    migrateSqlite(db);
    expect(db.prepare(`SELECT value FROM local_settings WHERE key = 'sync.cursor'`).get()).toEqual({ value: '{"xid":"812","version":40}' });
    expect(db.prepare('SELECT version FROM sync_row_versions').get()).toEqual({ version: 7 });
    expect(db.prepare('SELECT field, losing_value FROM sync_conflicts').get()).toEqual({ field: 'name', losing_value: '"Maria G."' });
  });
});
