import type { SqliteDb } from '../database/open';
import { createStatementCache } from '../database/statements';
import { AppError, notFound } from '../common/errors';
import type { Writer } from '../mutations/writer';
import type { EntityTable, SqlValue } from '../mutations/types';
import { isSyncedTable, TABLE_SPECS, toLocalValue } from './columns';
import type { CentralConflict } from './central/pull';
import type { Outbox } from './outbox';

export interface ConflictView {
  id: string;
  table: string;
  rowId: string;
  field: string | null;
  kind: 'field_lww' | 'text_copy' | 'delete_wins' | 'rejected';
  losingValue: unknown;
  winningValue: unknown;
  reason: string | null;
  createdAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  /** A readable label of the row (task title, project name, …) when it still exists. */
  label: string | null;
}

interface ConflictRow {
  id: string;
  table_name: string;
  row_id: string;
  field: string | null;
  kind: string;
  losing_value: string | null;
  winning_value: string | null;
  reason: string | null;
  created_at: string;
  resolved_at: string | null;
  resolution: string | null;
}

const LABEL_COLUMNS: Partial<Record<EntityTable, string>> = {
  tasks: 'title',
  projects: 'name',
  employees: 'name',
  users: 'name',
  comments: 'content',
  notifications: 'title',
};

const parse = (v: string | null): unknown => {
  if (v === null) return null;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};

/**
 * A replica's Conflicts are about its own writes to rows its person can see. A notification is
 * seen only by its recipient: one this replica generated for someone else (a side effect of a
 * comment or an assignment) that lost to a delete is nobody's lost work here, and the recipient
 * never had it. Other synced rows are visible to whoever could write them.
 */
export function isAboutVisibleRow(conflict: Pick<CentralConflict, 'table' | 'losingValue' | 'winningValue'>, currentUserId: string | null): boolean {
  if (conflict.table !== 'notifications') return true;
  const recipientOf = (value: unknown): unknown => (value && typeof value === 'object' ? (value as Record<string, unknown>).user_id : undefined);
  const recipient = recipientOf(conflict.losingValue) ?? recipientOf(conflict.winningValue);
  return recipient === undefined || recipient === currentUserId;
}

/**
 * Values that lost a conflict, and mutations the server refused, as the Conflicts view shows
 * them. Restoring a losing value is an ordinary local edit, so it syncs like any other.
 */
export function createLocalConflicts(db: SqliteDb, deps: { writer: () => Writer; outbox: Outbox; currentUserId: () => string | null }) {
  const statements = createStatementCache(db);

  const label = (table: string, rowId: string): string | null => {
    if (!isSyncedTable(table)) return null;
    const column = LABEL_COLUMNS[table];
    if (!column) return null;
    const row = statements.get(`SELECT "${column}" AS label FROM "${table}" WHERE id = ?`).get(rowId) as { label: string } | undefined;
    return row ? String(row.label).slice(0, 120) : null;
  };

  /** Refused changes of this replica, except notifications it generated for other people. */
  const visibleRejected = () =>
    deps.outbox.rejected().filter((entry) => isAboutVisibleRow({ table: entry.table, losingValue: entry.fields, winningValue: null }, deps.currentUserId()));

  const toView = (r: ConflictRow): ConflictView => ({
    id: r.id,
    table: r.table_name,
    rowId: r.row_id,
    field: r.field,
    kind: r.kind as ConflictView['kind'],
    losingValue: parse(r.losing_value),
    winningValue: parse(r.winning_value),
    reason: r.reason,
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
    label: label(r.table_name, r.row_id),
  });

  return {
    record(c: CentralConflict): void {
      statements
        .get(
          `INSERT INTO sync_conflicts (id, table_name, row_id, field, kind, losing_value, winning_value, reason, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT(id) DO NOTHING`,
        )
        .run(c.id, c.table, c.rowId, c.field, c.kind, JSON.stringify(c.losingValue ?? null), JSON.stringify(c.winningValue ?? null), c.createdAt);
    },

    /** Open conflicts first, then the refused mutations still in the outbox. */
    list(options: { includeResolved?: boolean } = {}): ConflictView[] {
      const rows = statements
        .get(`SELECT * FROM sync_conflicts ${options.includeResolved ? '' : 'WHERE resolved_at IS NULL'} ORDER BY created_at DESC LIMIT 500`)
        .all() as ConflictRow[];
      const rejected = visibleRejected().map(
        (entry): ConflictView => ({
          id: `outbox:${entry.seq}`,
          table: entry.table,
          rowId: entry.rowId,
          field: null,
          kind: 'rejected',
          losingValue: entry.fields,
          winningValue: null,
          reason: entry.error,
          createdAt: entry.createdAt,
          resolvedAt: null,
          resolution: null,
          label: label(entry.table, entry.rowId),
        }),
      );
      return [...rows.map(toView), ...rejected];
    },

    openCount(): number {
      const { n } = statements.get('SELECT count(*) AS n FROM sync_conflicts WHERE resolved_at IS NULL').get() as { n: number };
      return n + visibleRejected().length;
    },

    /** Puts the losing value back (a new local edit) and marks the conflict resolved. */
    restore(id: string): ConflictView {
      const row = statements.get('SELECT * FROM sync_conflicts WHERE id = ?').get(id) as ConflictRow | undefined;
      if (!row) throw notFound('Conflict', id);
      if (row.resolved_at) throw new AppError('CONFLICT', 'This conflict is already resolved');
      const table = row.table_name;
      if (!isSyncedTable(table)) throw new AppError('VALIDATION', `Unknown table ${table}`);
      const writer = deps.writer();
      writer.transaction(() => {
        if (!writer.get(table, row.row_id)) {
          throw new AppError('CONFLICT', 'The row was deleted; its lost values stay listed here but cannot be put back on it');
        }
        if (row.field) {
          const spec = TABLE_SPECS[table].byName.get(row.field);
          if (!spec) throw new AppError('VALIDATION', `Unknown field ${row.field}`);
          writer.update(table, row.row_id, { [row.field]: toLocalValue(spec, parse(row.losing_value)) as SqlValue });
        } else {
          const values = parse(row.losing_value);
          if (values && typeof values === 'object') {
            const patch: Record<string, SqlValue> = {};
            for (const [column, value] of Object.entries(values)) {
              const spec = TABLE_SPECS[table].byName.get(column);
              if (spec && column !== 'id' && column !== 'created_at' && column !== 'updated_at') patch[column] = toLocalValue(spec, value);
            }
            writer.update(table, row.row_id, patch);
          }
        }
        statements.get(`UPDATE sync_conflicts SET resolved_at = ?, resolution = 'restored' WHERE id = ?`).run(writer.now, id);
      });
      return toView(statements.get('SELECT * FROM sync_conflicts WHERE id = ?').get(id) as ConflictRow);
    },

    dismiss(id: string): void {
      if (id.startsWith('outbox:')) {
        deps.outbox.discardRejected(Number(id.slice('outbox:'.length)));
        return;
      }
      const info = statements
        .get(`UPDATE sync_conflicts SET resolved_at = ?, resolution = 'dismissed' WHERE id = ? AND resolved_at IS NULL`)
        .run(deps.writer().now, id);
      if (info.changes === 0) throw notFound('Open conflict', id);
    },
  };
}
export type LocalConflicts = ReturnType<typeof createLocalConflicts>;
