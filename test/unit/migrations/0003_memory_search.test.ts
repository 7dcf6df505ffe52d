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
 * Migration 0003_memory_search (custom SQL): FTS5 and sqlite-vec tables and the triggers that
 * keep the index queue and the full-text index in step with memory_embeddings on every path.
 */

const ALL = loadMigrations(findMigrationsDir('sqlite'));
const UP_TO = (n: number) => ALL.filter((m) => m.index <= n);
const now = '2026-03-02T09:00:00.000Z';

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-migration-'));
  db = new Database(path.join(dir, 'replica.db'));
  db.pragma('foreign_keys = ON');
  db.loadExtension(sqliteVecPath());
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const memory = (id: string, content: string, extra: Record<string, string> = {}) => {
  const row = { id, content, content_type: 'note', created_at: now, updated_at: now, ...extra };
  const cols = Object.keys(row);
  db.prepare(`INSERT INTO memory_embeddings (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...Object.values(row));
};
const fts = (q: string) => (db.prepare('SELECT i.memory_id FROM memory_fts f JOIN memory_index i ON i.key = f.rowid WHERE memory_fts MATCH ? ORDER BY i.memory_id').all(q) as { memory_id: string }[]).map((r) => r.memory_id);
const index = () => db.prepare('SELECT memory_id, state, project_id FROM memory_index ORDER BY memory_id').all();

describe('migration 0003_memory_search', () => {
  it('is custom SQL that needs sqlite-vec, which openDatabase loads first', () => {
    expect(ALL[3]?.tag).toBe('0003_memory_search');
    const plain = new Database(':memory:');
    try {
      expect(() => migrateSqlite(plain, UP_TO(3))).toThrow(/no such module: vec0/);
    } finally {
      plain.close();
    }
  });

  it('queues and full-text indexes memory rows that existed before it', () => {
    migrateSqlite(db, UP_TO(2));
    memory('m1', 'Invoices are late');
    migrateSqlite(db, UP_TO(3));
    expect(index()).toEqual([{ memory_id: 'm1', state: 'pending', project_id: '' }]);
    expect(fts('invoice')).toEqual(['m1']);
  });

  it('keeps FTS and the queue in step with inserts, text changes and deletes', () => {
    migrateSqlite(db, UP_TO(3));
    memory('m1', 'Invoices are late');
    db.prepare("UPDATE memory_index SET state = 'indexed'").run();
    db.prepare("UPDATE memory_embeddings SET access_count = 3 WHERE id = 'm1'").run();
    expect(index()).toEqual([{ memory_id: 'm1', state: 'indexed', project_id: '' }]); // not a text change
    db.prepare("UPDATE memory_embeddings SET content = 'Budget spreadsheet' WHERE id = 'm1'").run();
    expect(index()).toEqual([{ memory_id: 'm1', state: 'pending', project_id: '' }]);
    expect(fts('invoice')).toEqual([]);
    expect(fts('budget')).toEqual(['m1']);
    db.prepare("DELETE FROM memory_embeddings WHERE id = 'm1'").run();
    expect(fts('budget')).toEqual([]);
    // The index row stays pending until the indexer has removed the vector.
    expect(index()).toEqual([{ memory_id: 'm1', state: 'pending', project_id: '' }]);
  });

  it('derives the project filter from the source and follows a task to another project', () => {
    migrateSqlite(db, UP_TO(3));
    db.prepare("INSERT INTO projects (id, name, created_at, updated_at) VALUES ('p1', 'One', ?, ?), ('p2', 'Two', ?, ?)").run(now, now, now, now);
    db.prepare("INSERT INTO tasks (id, title, project_id, created_at, updated_at) VALUES ('t1', 'Task', 'p1', ?, ?)").run(now, now);
    db.prepare("INSERT INTO comments (id, task_id, author_name, content, comment_order, created_at, updated_at) VALUES ('c1', 't1', 'Ana', 'Note', 1, ?, ?)").run(now, now);
    memory('mt', 'Task', { content_type: 'task', source_table: 'tasks', source_id: 't1' });
    memory('mc', 'Note', { content_type: 'comment', source_table: 'comments', source_id: 'c1' });
    memory('mp', 'One', { content_type: 'project', source_table: 'projects', source_id: 'p1' });
    expect(index()).toEqual([
      { memory_id: 'mc', state: 'pending', project_id: 'p1' },
      { memory_id: 'mp', state: 'pending', project_id: 'p1' },
      { memory_id: 'mt', state: 'pending', project_id: 'p1' },
    ]);
    db.prepare("UPDATE memory_index SET state = 'indexed'").run();
    db.prepare("UPDATE tasks SET project_id = 'p2' WHERE id = 't1'").run();
    expect(index()).toEqual([
      { memory_id: 'mc', state: 'pending', project_id: 'p2' },
      { memory_id: 'mp', state: 'indexed', project_id: 'p1' },
      { memory_id: 'mt', state: 'pending', project_id: 'p2' },
    ]);
  });

  it('queues a source for memory when it is added, its text changes or it is deleted — not for other edits', () => {
    migrateSqlite(db, UP_TO(3));
    const queue = () => db.prepare('SELECT source_table, source_id FROM memory_source_queue ORDER BY source_table, source_id').all();
    db.prepare("INSERT INTO projects (id, name, created_at, updated_at) VALUES ('p1', 'One', ?, ?)").run(now, now);
    db.prepare("INSERT INTO tasks (id, title, project_id, created_at, updated_at) VALUES ('t1', 'Task', 'p1', ?, ?)").run(now, now);
    expect(queue()).toEqual([{ source_table: 'projects', source_id: 'p1' }, { source_table: 'tasks', source_id: 't1' }]);
    db.prepare('DELETE FROM memory_source_queue').run();
    db.prepare("UPDATE tasks SET status = 'done', priority = 'high', title = 'Task' WHERE id = 't1'").run();
    expect(queue()).toEqual([]);
    db.prepare("UPDATE tasks SET description = 'Now with details' WHERE id = 't1'").run();
    db.prepare("UPDATE tasks SET title = 'Renamed' WHERE id = 't1'").run(); // queued once
    expect(queue()).toEqual([{ source_table: 'tasks', source_id: 't1' }]);
    db.prepare('DELETE FROM memory_source_queue').run();
    db.prepare("DELETE FROM tasks WHERE id = 't1'").run();
    expect(queue()).toEqual([{ source_table: 'tasks', source_id: 't1' }]);
  });

  it('queues the sources a replica already holds', () => {
    migrateSqlite(db, UP_TO(2));
    db.prepare("INSERT INTO projects (id, name, created_at, updated_at) VALUES ('p1', 'One', ?, ?)").run(now, now);
    migrateSqlite(db, UP_TO(3));
    expect(db.prepare('SELECT source_table, source_id FROM memory_source_queue').all()).toEqual([{ source_table: 'projects', source_id: 'p1' }]);
  });

  it('creates a 512-dimension vec0 table partitioned by model with filterable metadata', () => {
    migrateSqlite(db, UP_TO(3));
    const v = Buffer.from(new Float32Array(512).fill(0.1).buffer);
    const insert = db.prepare('INSERT INTO memory_vec_512 (rowid, model, embedding, embedding_bits, content_type, project_id, created_at) VALUES (?, ?, ?, vec_quantize_binary(?), ?, ?, ?)');
    insert.run(1n, 'a', v, v, 'task', '', now);
    insert.run(2n, 'b', v, v, 'task', '', now);
    insert.run(3n, 'a', v, v, 'note', '', now);
    const knn = (model: string, type: string) =>
      (db.prepare('SELECT rowid FROM memory_vec_512 WHERE embedding MATCH ? AND k = 5 AND model = ? AND content_type = ?').all(v, model, type) as { rowid: number }[]).map((r) => r.rowid);
    expect(knn('a', 'task')).toEqual([1]);
    expect(knn('b', 'task')).toEqual([2]);
    expect(() => insert.run(4n, 'a', Buffer.from(new Float32Array(3).buffer), v, 'task', '', now)).toThrow(/Dimension mismatch/);
  });
});
