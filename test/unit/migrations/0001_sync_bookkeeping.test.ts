import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateSqlite } from '../../../core/database/migrate-sqlite';
import { findMigrationsDir } from '../../../core/database/migrations-dir';
import { loadMigrations } from '../../../core/database/migrations';

/**
 * Migration 0001_sync_bookkeeping: the local sync tables (outbox, row versions, conflicts),
 * added on top of a replica that already holds work.
 */

const DIR = findMigrationsDir('sqlite');
const ALL = loadMigrations(DIR);
const UP_TO_0000 = ALL.filter((m) => m.index === 0);
const UP_TO_0001 = ALL.filter((m) => m.index <= 1);

type Snapshot = { tables: Record<string, { name: string; columns: Record<string, unknown>; indexes: Record<string, { isUnique: boolean }> }> };
const snap = (n: number) => JSON.parse(readFileSync(path.join(DIR, 'meta', `${String(n).padStart(4, '0')}_snapshot.json`), 'utf8')) as Snapshot;
const before = snap(0);
const after = snap(1);
const NEW_TABLES = Object.keys(after.tables).filter((t) => !(t in before.tables)).sort();

const now = '2026-03-02T09:00:00.000Z';
let dir: string;
let db: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-migration-'));
  db = new Database(path.join(dir, 'replica.db'));
  db.pragma('foreign_keys = ON');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const tableNames = () =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

function outbox(overrides: Record<string, unknown> = {}) {
  const row = { mutation_id: `m-${Math.random()}`, table_name: 'tasks', row_id: 'r1', op: 'insert', fields: '{}', hlc: '0001', created_at: now, ...overrides };
  const cols = Object.keys(row);
  return db.prepare(`INSERT INTO sync_outbox (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...Object.values(row));
}

describe('migration 0001_sync_bookkeeping', () => {
  it('is the second migration and adds only the local sync tables', () => {
    expect(ALL[1]?.tag).toBe('0001_sync_bookkeeping');
    expect(NEW_TABLES).toEqual(['sync_conflicts', 'sync_outbox', 'sync_row_versions']);
    // It changes none of the seed tables.
    for (const [name, table] of Object.entries(before.tables)) expect(after.tables[name], name).toEqual(table);
  });

  it('applies on top of a replica holding work, keeping that work', () => {
    migrateSqlite(db, UP_TO_0000);
    db.prepare('INSERT INTO projects (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run('p1', 'Kept project', now, now);
    const report = migrateSqlite(db, UP_TO_0001);
    expect(report.applied).toEqual(['0001_sync_bookkeeping']);
    expect(tableNames()).toEqual(expect.arrayContaining(NEW_TABLES));
    expect(db.prepare('SELECT name FROM projects').all()).toEqual([{ name: 'Kept project' }]);
    expect((db.prepare('SELECT tag FROM schema_migrations ORDER BY idx').all() as { tag: string }[]).map((r) => r.tag)).toEqual([
      '0000_initial',
      '0001_sync_bookkeeping',
    ]);
  });

  it('creates the columns and indexes of its snapshot', () => {
    migrateSqlite(db, UP_TO_0001);
    for (const name of NEW_TABLES) {
      const table = after.tables[name] as Snapshot['tables'][string];
      const columns = (db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]).map((c) => c.name);
      expect(columns, name).toEqual(Object.keys(table.columns));
      const indexes = db.prepare(`PRAGMA index_list("${name}")`).all() as { name: string; unique: number; origin: string }[];
      expect(indexes.filter((i) => i.origin === 'c').map((i) => i.name).sort(), name).toEqual(Object.keys(table.indexes).sort());
      for (const [indexName, index] of Object.entries(table.indexes)) {
        expect(indexes.find((i) => i.name === indexName)?.unique, indexName).toBe(index.isUnique ? 1 : 0);
      }
    }
  });

  it('numbers outbox entries in order and refuses an unknown op, an unknown status or a duplicate mutation id', () => {
    migrateSqlite(db, UP_TO_0001);
    const a = outbox({ mutation_id: 'a' });
    const b = outbox({ mutation_id: 'b', op: 'update' });
    expect(Number(b.lastInsertRowid)).toBeGreaterThan(Number(a.lastInsertRowid));
    expect(db.prepare('SELECT status FROM sync_outbox WHERE mutation_id = ?').get('a')).toEqual({ status: 'pending' });
    expect(() => outbox({ op: 'upsert' })).toThrow(/CHECK constraint failed: sync_outbox_op_check/);
    expect(() => outbox({ status: 'sent' })).toThrow(/CHECK constraint failed: sync_outbox_status_check/);
    expect(() => outbox({ mutation_id: 'a' })).toThrow(/UNIQUE constraint failed: sync_outbox.mutation_id/);
  });

  it('keeps one pulled version per row', () => {
    migrateSqlite(db, UP_TO_0001);
    const insert = db.prepare('INSERT INTO sync_row_versions (table_name, row_id, version) VALUES (?, ?, ?)');
    insert.run('tasks', 'r1', 1);
    insert.run('projects', 'r1', 1);
    expect(() => insert.run('tasks', 'r1', 2)).toThrow(/UNIQUE constraint failed/);
  });
});
