import type { SqliteDb } from '../database/open';
import { newId } from '../common/ids';
import { createStatementCache } from '../database/statements';
import type { EntityTable, Row } from '../mutations/types';

const IGNORED_COLUMNS = new Set(['id', 'updated_at', 'created_at']);

/**
 * Only work items: their history is what charts and the activity feed read. Others' user rows
 * change every minute they are active (last_activity), which would grow every replica's trail
 * with nothing anyone reads.
 */
export const PULLED_AUDITED_TABLES: ReadonlySet<EntityTable> = new Set(['projects', 'tasks']);

interface Ref {
  table: EntityTable;
  id: string;
}

/**
 * The audit trail for changes that arrive by pull (other people's edits, CRM edits relayed by the
 * central database). The Writer audits local edits; pulled rows are written by the applier, so
 * without this the replica's history would only hold its own user's changes and any chart built
 * from it would be false. Each visible change is recorded with the change's own time (the pulled
 * row's updated_at, which the editor's Writer set) and no actor (the central row does not say who);
 * a change that left updated_at as it was is dated when it reached this replica.
 *
 * Rows new to the replica get no entry: their past is not known here, and readers fall back to
 * the row's own created_at / completed_at.
 */
export function createPulledAudit(db: SqliteDb) {
  const statements = createStatementCache(db);
  const insert = () =>
    statements.get('INSERT INTO audit_log (id, entity_table, entity_id, action, changes, actor_id, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)');
  const read = (ref: Ref) => statements.get(`SELECT * FROM "${ref.table}" WHERE id = ?`).get(ref.id) as Row | undefined;

  return {
    /**
     * Remembers the current state of the audited rows a page touches; `record`, called in the same
     * transaction after the page and the re-applied local edits, audits what visibly changed.
     */
    before(refs: Iterable<Ref>): { record(learnedAt: string): number } {
      const seen = new Map<string, { ref: Ref; row: Row }>();
      for (const ref of refs) {
        if (!PULLED_AUDITED_TABLES.has(ref.table)) continue;
        const key = `${ref.table}:${ref.id}`;
        if (seen.has(key)) continue;
        const row = read(ref);
        if (row) seen.set(key, { ref, row });
      }
      return {
        record(learnedAt: string): number {
          let written = 0;
          for (const { ref, row: before } of seen.values()) {
            const after = read(ref);
            if (!after) {
              // A delete carries no time of its own: the time it reached this replica is the best known.
              insert().run(newId(), ref.table, ref.id, 'delete', JSON.stringify(diff(before, null)), learnedAt);
              written += 1;
              continue;
            }
            const changes = diff(before, after);
            if (Object.keys(changes).length === 0) continue;
            // An edit that did not stamp updated_at (the CRM bridge, a direct SQL edit) happened
            // after this replica's last pull and before now: now is the best time known for it.
            const stamped = typeof after.updated_at === 'string' && after.updated_at !== '' && after.updated_at !== before.updated_at;
            const at = stamped ? String(after.updated_at) : learnedAt;
            insert().run(newId(), ref.table, ref.id, 'update', JSON.stringify(changes), at);
            written += 1;
          }
          return written;
        },
      };
    },
  };
}

function diff(before: Row, after: Row | null): Record<string, { old: unknown; new: unknown }> {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const column of Object.keys(before)) {
    if (IGNORED_COLUMNS.has(column)) continue;
    const old = before[column] ?? null;
    const now = after ? (after[column] ?? null) : null;
    if (after && old === now) continue;
    changes[column] = { old, new: now };
  }
  return changes;
}
