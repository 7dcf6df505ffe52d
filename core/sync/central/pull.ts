import type { EntityTable } from '../../mutations/types';
import type { Cursor } from '../state';
import { isSyncedTable, selectList } from '../columns';
import type { Queryable } from './connect';

export interface ChangeRef {
  version: number;
  xid: string;
  table: EntityTable;
  rowId: string;
  op: 'upsert' | 'delete';
}

/**
 * The visibility horizon: every transaction with an xid below it has finished. Changes are read
 * only below it, in (xid, version) order, so a change whose transaction commits after a
 * later-numbered one is never skipped: the cursor cannot pass a transaction still in flight.
 */
export async function readHorizon(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ horizon: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon');
  return rows[0]?.horizon ?? '0';
}

/**
 * The ORDER BY names the table's columns: a bare `xid` there would be the text column of the
 * select list ('100000' before '99999'), and a page crossing a power of ten would move the
 * cursor past changes it left out (test/integration/central/pull-order.test.ts).
 */
export async function readChanges(db: Queryable, cursor: Cursor, horizon: string, limit: number): Promise<ChangeRef[]> {
  const { rows } = await db.query<{ version: number; xid: string; table_name: string; row_id: string; op: string }>(
    `SELECT version, xid::text AS xid, table_name, row_id::text AS row_id, op
     FROM sync_changes
     WHERE (xid, version) > ($1::xid8, $2::bigint) AND xid < $3::xid8
     ORDER BY sync_changes.xid, sync_changes.version
     LIMIT $4`,
    [cursor.xid, cursor.version, horizon, limit],
  );
  return rows
    .filter((r) => isSyncedTable(r.table_name))
    .map((r) => ({ version: Number(r.version), xid: r.xid, table: r.table_name as EntityTable, rowId: r.row_id, op: r.op === 'delete' ? 'delete' : 'upsert' }));
}

/**
 * The horizon and one page of changes below it, in one statement: both from the same snapshot of
 * the same server. `readHorizon` then `readChanges` is safe only while both statements reach one
 * server (any connection of it: its horizon only moves forward); a pool that may send them to
 * different servers — the primary and a lagging standby, or two standbys — would move the cursor
 * past changes the second server has not replayed yet, and skip them for ever.
 */
export async function readChangePage(db: Queryable, cursor: Cursor, limit: number): Promise<{ horizon: string; changes: ChangeRef[] }> {
  const { rows } = await db.query<{ horizon: string; version: number | null; xid: string | null; table_name: string | null; row_id: string | null; op: string | null }>(
    `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon)
     SELECT h.horizon::text AS horizon, c.version, c.xid::text AS xid, c.table_name, c.row_id::text AS row_id, c.op
     FROM h LEFT JOIN LATERAL (
       SELECT version, xid, table_name, row_id, op FROM sync_changes
       WHERE (xid, version) > ($1::xid8, $2::bigint) AND xid < h.horizon
       ORDER BY xid, version
       LIMIT $3
     ) c ON true
     ORDER BY c.xid, c.version`,
    [cursor.xid, cursor.version, limit],
  );
  const horizon = rows[0]?.horizon ?? '0';
  const changes = rows
    .filter((r): r is typeof r & { version: number; xid: string; table_name: string; row_id: string } => r.xid !== null && r.table_name !== null && isSyncedTable(r.table_name))
    .map((r) => ({ version: Number(r.version), xid: r.xid, table: r.table_name as EntityTable, rowId: r.row_id, op: r.op === 'delete' ? ('delete' as const) : ('upsert' as const) }));
  return { horizon, changes };
}

export interface CentralRow {
  row: Record<string, unknown>;
  version: number | null;
}

/** Current central state of the given rows, with their sync version; row-level security applies. */
export async function readRows(db: Queryable, table: EntityTable, ids: string[]): Promise<CentralRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT ${selectList(table, 't')}, m.version AS __sync_version FROM "${table}" t
     LEFT JOIN sync_row_meta m ON m.table_name = $1 AND m.row_id = t.id
     WHERE t.id = ANY($2::uuid[])`,
    [table, ids],
  );
  return rows.map(splitVersion);
}

/** One keyset page of a table for bootstrap, in id order. */
export async function readSnapshotPage(db: Queryable, table: EntityTable, afterId: string | null, limit: number): Promise<CentralRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT ${selectList(table, 't')}, m.version AS __sync_version FROM "${table}" t
     LEFT JOIN sync_row_meta m ON m.table_name = $1 AND m.row_id = t.id
     WHERE ($2::uuid IS NULL OR t.id > $2::uuid)
     ORDER BY t.id
     LIMIT $3`,
    [table, afterId, limit],
  );
  return rows.map(splitVersion);
}

/** Rows visible in the given tables, in one round trip (for bootstrap progress). */
export async function countRows(db: Queryable, tables: readonly EntityTable[]): Promise<number> {
  const sql = tables.map((t) => `(SELECT count(*) FROM "${t}")`).join(' + ');
  const { rows } = await db.query<{ n: number }>(`SELECT (${sql})::bigint AS n`);
  return Number(rows[0]?.n ?? 0);
}

function splitVersion(r: Record<string, unknown>): CentralRow {
  const { __sync_version: version, ...row } = r;
  return { row, version: version == null ? null : Number(version) };
}

export interface CentralConflict {
  id: string;
  xid: string;
  seq: number;
  table: string;
  rowId: string;
  field: string | null;
  kind: string;
  losingValue: unknown;
  winningValue: unknown;
  createdAt: string;
}

/**
 * Conflicts this replica lost (under its current or an earlier replica id), and values the CRM
 * lost to a central edit (the CRM bridge's own replicas are named `crm:<login>`; row-level
 * security shows those to administrators only): one page below the horizon, read in the same
 * statement as the horizon for the reason `readChangePage` gives.
 */
export async function readConflictPage(db: Queryable, clientIds: string[], cursor: Cursor, limit: number): Promise<{ horizon: string; conflicts: CentralConflict[] }> {
  const { rows } = await db.query<{
    horizon: string; id: string | null; xid: string | null; seq: number | null; table_name: string | null; row_id: string | null; field: string | null;
    kind: string | null; losing_value: unknown; winning_value: unknown; created_at: string | null;
  }>(
    `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon)
     SELECT h.horizon::text AS horizon, c.id::text AS id, c.xid::text AS xid, c.seq, c.table_name, c.row_id::text AS row_id, c.field, c.kind,
            c.losing_value, c.winning_value, c.created_at
     FROM h LEFT JOIN LATERAL (
       SELECT * FROM sync_conflicts
       WHERE (losing_client_id = ANY($1::text[]) OR losing_client_id LIKE 'crm:%') AND (xid, seq) > ($2::xid8, $3::bigint) AND xid < h.horizon
       ORDER BY xid, seq LIMIT $4
     ) c ON true
     ORDER BY c.xid, c.seq`,
    [clientIds, cursor.xid, cursor.version, limit],
  );
  const horizon = rows[0]?.horizon ?? '0';
  const conflicts = rows
    .filter((r): r is typeof r & { id: string; xid: string; seq: number; table_name: string; row_id: string; kind: string; created_at: string } => r.id !== null)
    .map((r) => ({
      id: r.id, xid: r.xid, seq: Number(r.seq), table: r.table_name, rowId: r.row_id, field: r.field, kind: r.kind,
      losingValue: r.losing_value, winningValue: r.winning_value, createdAt: r.created_at,
    }));
  return { horizon, conflicts };
}

/**
 * Whether the central schema is at least the one this release speaks (migration 0011: the seed's
 * column names and `memory_vectors`, created in one transaction). Against an older one, pushes
 * under the new column names would be dropped field by field, so the sync refuses instead.
 */
export async function centralSchemaIsCurrent(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(`SELECT to_regclass('public.memory_vectors') IS NOT NULL AS ok`);
  return rows[0]?.ok === true;
}

/** The oldest position the change log still covers; a replica behind it needs a replacement sync. */
export async function readPrunedHorizon(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ value: string }>(`SELECT value FROM sync_meta WHERE key = 'changes_pruned_below_xid'`);
  return rows[0]?.value ?? null;
}
