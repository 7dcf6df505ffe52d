import type { SqliteDb } from '../database/open';
import { createStatementCache } from '../database/statements';
import type { EntityTable, Row } from '../mutations/types';
import { SYNC_ORDER, TABLE_SPECS } from './columns';
import type { Outbox, OutboxEntry } from './outbox';
import type { DeferredIndex } from './state';
import { FOREIGN_KEYS, invalidReason } from './validate-row';
import { createPulledAudit } from '../audit/pulled';

export interface PulledRow {
  table: EntityTable;
  row: Row;
  /** The central version of this row state (null when the server has no metadata for it). */
  version: number | null;
}

export interface RowRef {
  table: EntityTable;
  id: string;
}

export interface SkippedRow extends RowRef {
  reason: string;
}

export interface ApplyBatch {
  upserts: PulledRow[];
  deletes: RowRef[];
}

export interface ApplyResult {
  upserted: number;
  deleted: number;
  skipped: SkippedRow[];
  tables: EntityTable[];
}

/**
 * Writes pulled central state into the replica, then re-applies the replica's still-pending
 * mutations for the touched rows on top, so unsynced local edits stay visible. Runs in one
 * SQLite transaction together with `within` (the cursor update), so a crash leaves either the
 * whole page applied with its cursor, or none of it.
 */
export function createApplier(db: SqliteDb, outbox: Outbox) {
  const statements = createStatementCache(db);
  const pulledAudit = createPulledAudit(db);

  const upsertSql = (table: EntityTable): string => {
    const cols = TABLE_SPECS[table].columns.map((c) => `"${c.name}"`);
    const updates = TABLE_SPECS[table].columns.filter((c) => c.name !== 'id').map((c) => `"${c.name}" = excluded."${c.name}"`);
    return `INSERT INTO "${table}" (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT(id) DO UPDATE SET ${updates.join(', ')}`;
  };

  const exists = (table: EntityTable, id: string): boolean => Boolean(statements.get(`SELECT 1 FROM "${table}" WHERE id = ?`).get(id));

  const setVersion = (table: EntityTable, id: string, version: number | null) => {
    if (version === null) return;
    statements
      .get(
        `INSERT INTO sync_row_versions (table_name, row_id, version) VALUES (?, ?, ?)
         ON CONFLICT(table_name, row_id) DO UPDATE SET version = max(version, excluded.version)`,
      )
      .run(table, id, version);
  };

  const reapply = (entry: OutboxEntry) => {
    if (entry.op === 'delete') {
      statements.get(`DELETE FROM "${entry.table}" WHERE id = ?`).run(entry.rowId);
      return;
    }
    const columns = Object.keys(entry.fields).filter((c) => c !== 'id' && TABLE_SPECS[entry.table].byName.has(c));
    if (columns.length === 0) return;
    if (entry.op === 'insert' && !exists(entry.table, entry.rowId)) {
      const all = ['id', ...columns];
      statements
        .get(`INSERT INTO "${entry.table}" (${all.map((c) => `"${c}"`).join(', ')}) VALUES (${all.map(() => '?').join(', ')})`)
        .run(entry.rowId, ...columns.map((c) => entry.fields[c] ?? null));
      return;
    }
    statements
      .get(`UPDATE "${entry.table}" SET ${columns.map((c) => `"${c}" = ?`).join(', ')} WHERE id = ?`)
      .run(...columns.map((c) => entry.fields[c] ?? null), entry.rowId);
  };

  const insertIfNewSql = (table: EntityTable): string => {
    const cols = TABLE_SPECS[table].columns.map((c) => `"${c.name}"`);
    return `INSERT OR IGNORE INTO "${table}" (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
  };

  function applyRows(batch: ApplyBatch, result: ApplyResult, bulk: boolean): Map<EntityTable, Set<string>> {
    const touched = new Map<EntityTable, Set<string>>();
    const touch = (table: EntityTable, id: string) => {
      let set = touched.get(table);
      if (!set) touched.set(table, (set = new Set()));
      set.add(id);
    };
    const incoming = new Map<EntityTable, Set<string>>();
    for (const u of batch.upserts) {
      let set = incoming.get(u.table);
      if (!set) incoming.set(u.table, (set = new Set()));
      set.add(String(u.row.id));
    }
    // Parents already confirmed in this page: many children share one parent.
    const present = new Set<string>();
    const byTable = new Map<EntityTable, PulledRow[]>();
    for (const u of batch.upserts) {
      const list = byTable.get(u.table);
      if (list) list.push(u);
      else byTable.set(u.table, [u]);
    }

    for (const table of SYNC_ORDER) {
      const rows = byTable.get(table);
      if (!rows) continue;
      const insert = statements.get(upsertSql(table));
      // Bootstrap writes into (mostly) empty tables, where a plain insert is ~3x cheaper than an
      // upsert; a row that was already there (a parent fetched early) falls back to the upsert.
      const insertIfNew = bulk ? statements.get(insertIfNewSql(table)) : null;
      const columns = TABLE_SPECS[table].columns.map((c) => c.name);
      for (const { row, version } of rows) {
        const id = String(row.id);
        const skip = (reason: string) => {
          result.skipped.push({ table, id, reason });
          incoming.get(table)?.delete(id);
        };
        const invalid = invalidReason(table, row);
        if (invalid) {
          skip(invalid);
          continue;
        }
        const broken = FOREIGN_KEYS[table].find((fk) => {
          const ref = row[fk.column];
          if (typeof ref !== 'string' || incoming.get(fk.parent)?.has(ref) || present.has(`${fk.parent}:${ref}`)) return false;
          if (!exists(fk.parent, ref)) return true;
          present.add(`${fk.parent}:${ref}`);
          return false;
        });
        if (broken) {
          skip(`${broken.column} refers to a ${broken.parent} row this replica does not have (${String(row[broken.column])})`);
          continue;
        }
        try {
          const values = columns.map((c) => row[c] ?? null);
          if (!insertIfNew || insertIfNew.run(...values).changes === 0) insert.run(...values);
        } catch (error) {
          skip(error instanceof Error ? error.message : String(error));
          continue;
        }
        setVersion(table, id, version);
        touch(table, id);
        result.upserted += 1;
      }
    }
    for (const table of [...SYNC_ORDER].reverse()) {
      for (const ref of batch.deletes.filter((d) => d.table === table)) {
        const info = statements.get(`DELETE FROM "${table}" WHERE id = ?`).run(ref.id);
        statements.get('DELETE FROM sync_row_versions WHERE table_name = ? AND row_id = ?').run(table, ref.id);
        if (info.changes > 0) result.deleted += 1;
        touch(table, ref.id);
      }
    }
    return touched;
  }

  return {
    /**
     * Before the bootstrap of an empty replica: drops the synced tables' secondary (non-unique)
     * indexes, so each page writes only the table and its keys; building an index once over all
     * rows is far cheaper than maintaining it row by row. Unique indexes stay (they are rules).
     * Returns what was dropped: the caller records it in the same transaction, for `restoreIndexes`.
     */
    dropSecondaryIndexes(): DeferredIndex[] {
      const tables = SYNC_ORDER.map((t) => `'${t}'`).join(', ');
      const indexes = db
        .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables}) AND sql LIKE 'CREATE INDEX %' ORDER BY name`)
        .all() as DeferredIndex[];
      // Only names the record can hold (and quote) are dropped; anything else stays in place.
      const droppable = indexes.filter((i) => /^[A-Za-z0-9_]+$/.test(i.name));
      for (const index of droppable) db.exec(`DROP INDEX "${index.name}"`);
      return droppable;
    },

    /** Rebuilds indexes dropped by `dropSecondaryIndexes` (idempotent: an existing one is kept). */
    restoreIndexes(indexes: readonly DeferredIndex[]): void {
      for (const index of indexes) db.exec(index.sql.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS '));
    },

    /** Whether every synced table is empty (a first bootstrap, or a replacement after the wipe). */
    /** Nothing synced here yet but, at most, the person's own user row (sign-in stores it before the first bootstrap). */
    syncedTablesEmpty(): boolean {
      return SYNC_ORDER.every((t) => !statements.get(`SELECT 1 FROM "${t}" LIMIT 1 OFFSET ${t === 'users' ? 1 : 0}`).get());
    },

    apply(batch: ApplyBatch, within?: () => void, options: { bulk?: boolean } = {}): ApplyResult {
      const result: ApplyResult = { upserted: 0, deleted: 0, skipped: [], tables: [] };
      db.transaction(() => {
        // Parents and children of one page may arrive in any order; SQLite checks at commit.
        db.pragma('defer_foreign_keys = ON');
        // Others' edits become part of the local audit trail (charts read history from it).
        const history = options.bulk ? null : pulledAudit.before([...batch.upserts.map((u) => ({ table: u.table, id: String(u.row.id) })), ...batch.deletes]);
        const touched = applyRows(batch, result, options.bulk === true);
        const deletedIds = new Set(batch.deletes.map((d) => `${d.table}:${d.id}`));
        const pending = outbox.pendingCount() === 0 ? [] : [...touched.entries()].flatMap(([table, ids]) => outbox.pendingForRows(table, [...ids]));
        for (const entry of pending.sort((a, b) => a.seq - b.seq)) {
          // Deletes win: a pending edit never resurrects a row the server deleted.
          if (deletedIds.has(`${entry.table}:${entry.rowId}`) && entry.op !== 'delete') continue;
          reapply(entry);
        }
        history?.record(new Date().toISOString());
        result.tables = [...touched.keys()];
        within?.();
      })();
      return result;
    },

    /** Replacement sync: forget every synced row (the outbox stays) before a fresh bootstrap. */
    wipeSyncedTables(): void {
      db.transaction(() => {
        db.pragma('defer_foreign_keys = ON');
        for (const table of [...SYNC_ORDER].reverse()) statements.get(`DELETE FROM "${table}"`).run();
        statements.get('DELETE FROM sync_row_versions').run();
      })();
    },

    /** After a replacement bootstrap: every pending local mutation goes back on top. */
    reapplyAllPending(): void {
      db.transaction(() => {
        db.pragma('defer_foreign_keys = ON');
        for (const entry of outbox.allPending()) {
          try {
            reapply(entry);
          } catch {
            // A pending edit whose row no longer exists centrally stays queued; the push decides.
          }
        }
      })();
    },
  };
}
export type Applier = ReturnType<typeof createApplier>;
