import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteVecPath } from '../../../core/database/open';
import { migrateSqlite } from '../../../core/database/migrate-sqlite';
import { findMigrationsDir } from '../../../core/database/migrations-dir';
import { loadMigrations } from '../../../core/database/migrations';

/**
 * Migration 0004_outbox_local_transactions: outbox entries remember their local transaction, so
 * the server can apply a transaction all or nothing. Entries queued before it have none.
 */

const DIR = findMigrationsDir('sqlite');
const ALL = loadMigrations(DIR);
const UP_TO = (n: number) => ALL.filter((m) => m.index <= n);
type Snapshot = { tables: Record<string, { columns: Record<string, unknown> }> };
const snap = (n: number) => JSON.parse(readFileSync(path.join(DIR, 'meta', `${String(n).padStart(4, '0')}_snapshot.json`), 'utf8')) as Snapshot;

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

describe('migration 0004_outbox_local_transactions', () => {
  it('adds only sync_outbox.tx_id', () => {
    expect(ALL[4]?.tag).toBe('0004_outbox_local_transactions');
    const before = snap(3);
    const after = snap(4);
    expect(Object.keys(after.tables).sort()).toEqual(Object.keys(before.tables).sort());
    for (const [name, table] of Object.entries(before.tables)) {
      if (name !== 'sync_outbox') expect(after.tables[name], name).toEqual(table);
    }
    expect(Object.keys(after.tables.sync_outbox!.columns).filter((c) => !(c in before.tables.sync_outbox!.columns))).toEqual(['tx_id']);
  });

  it('keeps entries queued before it, which belong to no transaction', () => {
    migrateSqlite(db, UP_TO(3));
    db.prepare(`INSERT INTO sync_outbox (mutation_id, table_name, row_id, op, fields, hlc, created_at) VALUES ('m1', 'tasks', 'r1', 'insert', '{}', 'h', '2026-03-02T09:00:00.000Z')`).run();
    expect(migrateSqlite(db, UP_TO(4)).applied).toEqual(['0004_outbox_local_transactions']);
    expect(db.prepare('SELECT mutation_id, tx_id FROM sync_outbox').all()).toEqual([{ mutation_id: 'm1', tx_id: null }]);
    db.prepare(`INSERT INTO sync_outbox (mutation_id, table_name, row_id, op, fields, hlc, created_at, tx_id) VALUES ('m2', 'tasks', 'r1', 'update', '{}', 'h', '2026-03-02T09:00:00.000Z', 't1')`).run();
    expect(db.prepare('SELECT tx_id FROM sync_outbox WHERE mutation_id = ?').get('m2')).toEqual({ tx_id: 't1' });
  });
});
