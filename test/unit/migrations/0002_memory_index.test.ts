import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateSqlite } from '../../../core/database/migrate-sqlite';
import { findMigrationsDir } from '../../../core/database/migrations-dir';
import { loadMigrations } from '../../../core/database/migrations';

/** Migration 0002_memory_index: the local state of semantic memory's index (one row per memory). */

const DIR = findMigrationsDir('sqlite');
const ALL = loadMigrations(DIR);
const UP_TO = (n: number) => ALL.filter((m) => m.index <= n);
type Snapshot = { tables: Record<string, { columns: Record<string, unknown>; indexes: Record<string, { isUnique: boolean }> }> };
const snap = (n: number) => JSON.parse(readFileSync(path.join(DIR, 'meta', `${String(n).padStart(4, '0')}_snapshot.json`), 'utf8')) as Snapshot;

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-migration-'));
  db = new Database(path.join(dir, 'replica.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('migration 0002_memory_index', () => {
  it('adds only memory_index and memory_source_queue and changes no earlier table', () => {
    expect(ALL[2]?.tag).toBe('0002_memory_index');
    const before = snap(1);
    const after = snap(2);
    expect(Object.keys(after.tables).filter((t) => !(t in before.tables)).sort()).toEqual(['memory_index', 'memory_source_queue']);
    for (const [name, table] of Object.entries(before.tables)) expect(after.tables[name], name).toEqual(table);
  });

  it('applies on a replica holding memory rows, keeping them', () => {
    migrateSqlite(db, UP_TO(1));
    const now = '2026-03-02T09:00:00.000Z';
    db.prepare("INSERT INTO memory_embeddings (id, content, content_type, created_at, updated_at) VALUES ('m1', 'kept', 'note', ?, ?)").run(now, now);
    expect(migrateSqlite(db, UP_TO(2)).applied).toEqual(['0002_memory_index']);
    expect(db.prepare('SELECT content FROM memory_embeddings').all()).toEqual([{ content: 'kept' }]);
    const columns = (db.prepare('PRAGMA table_info(memory_index)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(Object.keys(snap(2).tables.memory_index?.columns ?? {}));
  });

  it('keeps one index row per memory and only known states', () => {
    migrateSqlite(db, UP_TO(2));
    const insert = db.prepare('INSERT INTO memory_index (memory_id, state) VALUES (?, ?)');
    const a = insert.run('m1', 'pending');
    const b = insert.run('m2', 'indexed');
    expect(Number(b.lastInsertRowid)).toBeGreaterThan(Number(a.lastInsertRowid));
    expect(() => insert.run('m1', 'pending')).toThrow(/UNIQUE constraint failed: memory_index.memory_id/);
    expect(() => insert.run('m3', 'embedded')).toThrow(/CHECK constraint failed: memory_index_state_check/);
  });
});
