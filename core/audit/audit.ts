import type { SqliteDb } from '../database/open';
import { newId } from '../common/ids';
import { createStatementCache } from '../database/statements';
import { json, str, strOrNull } from '../common/rows';
import type { AuditEntry } from '../../shared/entities';
import type { Change, EntityTable, WriteHook } from '../mutations/types';

/** The tables whose every change is kept as who/when/which fields/old → new. */
export const AUDITED_TABLES: ReadonlySet<EntityTable> = new Set(['users', 'projects', 'tasks', 'ai_actions']);

const IGNORED_COLUMNS = new Set(['updated_at', 'created_at']);

function describe(change: Change): Record<string, { old: unknown; new: unknown }> {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const column of change.changed) {
    if (IGNORED_COLUMNS.has(column) || column === 'id') continue;
    changes[column] = { old: change.before?.[column] ?? null, new: change.after?.[column] ?? null };
  }
  return changes;
}

/** A write hook: appends one audit row per change of an audited table, in the same transaction. */
export function createAuditHook(db: SqliteDb): WriteHook {
  const insert = db.prepare(
    'INSERT INTO audit_log (id, entity_table, entity_id, action, changes, actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const actions = { insert: 'create', update: 'update', delete: 'delete' } as const;
  return (change) => {
    if (!AUDITED_TABLES.has(change.table)) return;
    insert.run(newId(), change.table, change.id, actions[change.op], JSON.stringify(describe(change)), change.actorId, change.at);
  };
}

export function createAuditQueries(db: SqliteDb) {
  const statements = createStatementCache(db);
  return {
    history(entityTable: EntityTable, entityId: string, limit = 200): AuditEntry[] {
      const rows = statements
        .get(
          `SELECT a.*, u.name AS actor_name FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
           WHERE a.entity_table = ? AND a.entity_id = ? ORDER BY a.created_at DESC, a.id DESC LIMIT ?`,
        )
        .all(entityTable, entityId, limit) as Record<string, string | null>[];
      return rows.map((r) => ({
        id: str(r.id),
        entityTable: str(r.entity_table),
        entityId: str(r.entity_id),
        action: str(r.action) as AuditEntry['action'],
        changes: json(r.changes, {}),
        actorId: strOrNull(r.actor_id),
        actorName: strOrNull(r.actor_name),
        createdAt: str(r.created_at),
      }));
    },
  };
}
