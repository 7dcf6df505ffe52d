import type pg from 'pg';
import { newId } from '../common/ids';
import type { EntityTable } from '../mutations/types';
import { pushChunk, type PushOutcome } from '../sync/central/push';
import { readHorizon, readRows } from '../sync/central/pull';
import { HybridLogicalClock } from '../sync/hlc';
import type { Cursor } from '../sync/state';
import type { WriteFence } from './lease';

export type CentralRow = Record<string, unknown> & { id: string };

export interface QueuedMutation {
  table: EntityTable;
  rowId: string;
  op: 'insert' | 'update' | 'delete';
  fields: Record<string, unknown>;
  baseVersion: number | null;
}

/**
 * The central database as the bridge sees it. Writes go through `coordinator_push` as a replica of
 * its own, so CRM changes get the same conflict policy, change log, clocks and audit as a laptop's
 * edits, and laptops pull them like any other change. Each push goes through the fence, so a run
 * that lost the reconciler lease writes nothing more.
 */
export async function openCentralSide(db: pg.ClientBase, now: () => number, fence: WriteFence) {
  const { rows: who } = await db.query<{ u: string }>('SELECT current_user AS u');
  const clientId = `crm:${who[0]?.u ?? 'bridge'}`;
  const hlc = new HybridLogicalClock(clientId, now);
  const { rows: seqRows } = await db.query<{ s: string }>('SELECT last_mutation_seq::text AS s FROM sync_clients WHERE client_id = $1', [clientId]);
  let seq = Number(seqRows[0]?.s ?? 0);

  return {
    clientId,
    horizon: () => readHorizon(db),

    /**
     * Rows changed by anyone but the bridge since the cursor, below the horizon; and the new
     * cursor. The ORDER BY names the table's columns, not the select list's text ones (pull.ts).
     */
    async changesSince(cursor: Cursor, horizon: string, tables: string[]): Promise<{ ids: Map<string, Set<string>>; cursor: Cursor }> {
      const { rows } = await db.query<{ table_name: string; row_id: string; xid: string; version: string }>(
        `SELECT table_name, row_id::text AS row_id, xid::text AS xid, version::text AS version FROM sync_changes
         WHERE (xid, version) > ($1::xid8, $2::bigint) AND xid < $3::xid8 AND table_name = ANY($4::text[])
           AND client_id IS DISTINCT FROM $5
         ORDER BY sync_changes.xid, sync_changes.version`,
        [cursor.xid, cursor.version, horizon, tables, clientId],
      );
      const ids = new Map<string, Set<string>>();
      for (const r of rows) {
        let set = ids.get(r.table_name);
        if (!set) ids.set(r.table_name, (set = new Set()));
        set.add(r.row_id);
      }
      const last = rows[rows.length - 1];
      return { ids, cursor: last ? { xid: last.xid, version: Number(last.version) } : cursor };
    },

    /** The last change below the horizon: where a full scan leaves the cursor. */
    async cursorAt(horizon: string): Promise<Cursor> {
      const { rows } = await db.query<{ xid: string; version: string }>(
        'SELECT xid::text AS xid, version::text AS version FROM sync_changes WHERE xid < $1::xid8 ORDER BY sync_changes.xid DESC, sync_changes.version DESC LIMIT 1',
        [horizon],
      );
      return rows[0] ? { xid: rows[0].xid, version: Number(rows[0].version) } : { xid: '0', version: 0 };
    },

    async allIds(table: string): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(`SELECT id::text AS id FROM "${table}"`);
      return rows.map((r) => r.id);
    },

    async rows(table: EntityTable, ids: string[]): Promise<Map<string, { row: CentralRow; version: number | null }>> {
      const out = new Map<string, { row: CentralRow; version: number | null }>();
      for (let i = 0; i < ids.length; i += 2000) {
        for (const r of await readRows(db, table, ids.slice(i, i + 2000))) out.set(String(r.row.id), { row: { ...r.row, id: String(r.row.id) }, version: r.version });
      }
      return out;
    },

    /** Central ids by CRM id, for a table's `crm_*_id` column. */
    async idMap(table: string, crmColumn: string, crmIds?: number[]): Promise<Map<number, string>> {
      const { rows } = await db.query<{ id: string; c: number }>(
        `SELECT id::text AS id, ${crmColumn} AS c FROM "${table}" WHERE ${crmColumn} IS NOT NULL${crmIds ? ` AND ${crmColumn} = ANY($1::int[])` : ''}`,
        crmIds ? [crmIds] : [],
      );
      return new Map(rows.map((r) => [Number(r.c), r.id]));
    },

    async query<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
      return (await db.query<R>(text, params)).rows;
    },

    /** Pushes mutations in order; returns one outcome per mutation, in the same order. */
    async push(mutations: QueuedMutation[]): Promise<PushOutcome[]> {
      const outcomes: PushOutcome[] = [];
      for (let i = 0; i < mutations.length; i += 500) {
        const batch = mutations.slice(i, i + 500).map((m) => ({ ...m, seq: ++seq, mutationId: newId(), hlc: hlc.now() }));
        // A failure ends the run; the next run starts again from the server's counter.
        const reply = await fence(() => pushChunk(db, clientId, batch));
        outcomes.push(...reply.results);
      }
      return outcomes;
    },
  };
}
export type CentralSide = Awaited<ReturnType<typeof openCentralSide>>;
