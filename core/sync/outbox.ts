import type { SqliteDb } from '../database/open';
import { createStatementCache } from '../database/statements';
import { newId } from '../common/ids';
import type { EntityTable, Row, WriteHook } from '../mutations/types';
import type { HybridLogicalClock } from './hlc';

export interface OutboxEntry {
  seq: number;
  mutationId: string;
  table: EntityTable;
  rowId: string;
  op: 'insert' | 'update' | 'delete';
  fields: Row;
  baseVersion: number | null;
  hlc: string;
  status: 'pending' | 'rejected';
  error: string | null;
  createdAt: string;
  txId: string | null;
}

interface OutboxRow {
  seq: number;
  mutation_id: string;
  table_name: string;
  row_id: string;
  op: string;
  fields: string;
  base_version: number | null;
  hlc: string;
  status: string;
  error: string | null;
  created_at: string;
  tx_id: string | null;
}

const toEntry = (r: OutboxRow): OutboxEntry => ({
  seq: r.seq,
  mutationId: r.mutation_id,
  table: r.table_name as EntityTable,
  rowId: r.row_id,
  op: r.op as OutboxEntry['op'],
  fields: JSON.parse(r.fields) as Row,
  baseVersion: r.base_version,
  hlc: r.hlc,
  status: r.status as OutboxEntry['status'],
  error: r.error,
  createdAt: r.created_at,
  txId: r.tx_id,
});

/** How long acknowledged mutations are kept to be pushed again after a central restore. */
export const HISTORY_DAYS = 30;
export const HISTORY_MAX = 10_000;

/**
 * The outbox as a write hook: every change to a synced table is appended, in the same SQLite
 * transaction, with the fields it changed, the server version it was based on and a hybrid
 * logical clock. A crash after commit therefore never loses a write the user saw succeed.
 */
export function createOutboxHook(db: SqliteDb, hlc: HybridLogicalClock): WriteHook {
  const insert = db.prepare(
    `INSERT INTO sync_outbox (mutation_id, table_name, row_id, op, fields, base_version, hlc, status, created_at, tx_id)
     VALUES (?, ?, ?, ?, ?, (SELECT version FROM sync_row_versions WHERE table_name = ? AND row_id = ?), ?, 'pending', ?, ?)`,
  );
  return (change) => {
    let fields: Row = {};
    if (change.op === 'insert' && change.after) fields = change.after;
    else if (change.op === 'update' && change.after) {
      for (const column of change.changed) fields[column] = change.after[column] ?? null;
      if ('updated_at' in change.after) fields.updated_at = change.after.updated_at ?? null;
    }
    insert.run(newId(), change.table, change.id, change.op, JSON.stringify(fields), change.table, change.id, hlc.now(), change.at, change.txId);
  };
}

export function createOutbox(db: SqliteDb) {
  const statements = createStatementCache(db);
  return {
    pending(limit: number): OutboxEntry[] {
      return (statements.get(`SELECT * FROM sync_outbox WHERE status = 'pending' ORDER BY seq LIMIT ?`).all(limit) as OutboxRow[]).map(toEntry);
    },
    /**
     * The next push chunk: at most `limit` entries, ending before a local transaction that would
     * not fit whole, so the server can apply it all or nothing. A transaction larger than a chunk
     * (a bulk import, the demo seed) is the exception: it is sent in chunk-sized parts.
     */
    nextChunk(limit: number): OutboxEntry[] {
      const batch = this.pending(limit);
      const last = batch[batch.length - 1];
      if (batch.length < limit || !last?.txId) return batch;
      const next = statements.get(`SELECT tx_id FROM sync_outbox WHERE status = 'pending' AND seq > ? ORDER BY seq LIMIT 1`).get(last.seq) as { tx_id: string | null } | undefined;
      if (next?.tx_id !== last.txId) return batch;
      let start = batch.length - 1;
      while (start > 0 && batch[start - 1]?.txId === last.txId) start -= 1;
      return start > 0 ? batch.slice(0, start) : batch;
    },
    pendingCount(): number {
      return (statements.get(`SELECT count(*) AS n FROM sync_outbox WHERE status = 'pending'`).get() as { n: number }).n;
    },
    pendingForRows(table: EntityTable, ids: string[]): OutboxEntry[] {
      if (ids.length === 0) return [];
      const out: OutboxEntry[] = [];
      const stmt = statements.get(`SELECT * FROM sync_outbox WHERE status = 'pending' AND table_name = ? AND row_id = ? ORDER BY seq`);
      for (const id of ids) out.push(...(stmt.all(table, id) as OutboxRow[]).map(toEntry));
      return out.sort((a, b) => a.seq - b.seq);
    },
    allPending(): OutboxEntry[] {
      return (statements.get(`SELECT * FROM sync_outbox WHERE status = 'pending' ORDER BY seq`).all() as OutboxRow[]).map(toEntry);
    },
    rejected(): OutboxEntry[] {
      return (statements.get(`SELECT * FROM sync_outbox WHERE status = 'rejected' ORDER BY seq DESC`).all() as OutboxRow[]).map(toEntry);
    },
    /**
     * The server has the mutation: it leaves the outbox for the bounded history, from which it is
     * pushed again if central is later restored from a snapshot that predates it.
     */
    acknowledge(seq: number, ackedAt: string = new Date().toISOString()): void {
      statements
        .get(
          `INSERT OR REPLACE INTO sync_outbox_history (seq, mutation_id, table_name, row_id, op, fields, base_version, hlc, created_at, tx_id, acked_at)
           SELECT seq, mutation_id, table_name, row_id, op, fields, base_version, hlc, created_at, tx_id, ? FROM sync_outbox WHERE seq = ?`,
        )
        .run(ackedAt, seq);
      statements.get('DELETE FROM sync_outbox WHERE seq = ?').run(seq);
    },
    /** Keeps the history within its bounds: HISTORY_DAYS days and at most HISTORY_MAX mutations. */
    pruneHistory(now: Date): void {
      const cutoff = new Date(now.getTime() - HISTORY_DAYS * 86_400_000).toISOString();
      statements.get('DELETE FROM sync_outbox_history WHERE acked_at < ?').run(cutoff);
      statements
        .get('DELETE FROM sync_outbox_history WHERE seq <= (SELECT seq FROM sync_outbox_history ORDER BY seq DESC LIMIT 1 OFFSET ?)')
        .run(HISTORY_MAX);
    },
    historyCount(): number {
      return (statements.get('SELECT count(*) AS n FROM sync_outbox_history').get() as { n: number }).n;
    },
    oldestHistoryAt(): string | null {
      return (statements.get('SELECT min(acked_at) AS at FROM sync_outbox_history').get() as { at: string | null }).at;
    },
    hasPending(seq: number, mutationId: string): boolean {
      return Boolean(statements.get(`SELECT 1 FROM sync_outbox WHERE seq = ? AND mutation_id = ? AND status = 'pending'`).get(seq, mutationId));
    },
    /**
     * Re-queues work for a new replica identity, whose sequence starts at 1: the acknowledged
     * history (when central lost it) and then every pending mutation are appended anew, in their
     * original order, so the new sequence has no holes. Returns the seq base for the new identity
     * (local seq − base = pushed seq). Call inside a transaction.
     */
    requeue(options: { history: boolean }): { base: number; replayed: number; pending: number } {
      const top = (statements.get(`SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'), 0) AS n`).get() as { n: number }).n;
      const columns = 'mutation_id, table_name, row_id, op, fields, base_version, hlc, created_at, tx_id';
      const copy = statements.get(`INSERT INTO sync_outbox (${columns}, status) SELECT ${columns}, 'pending' FROM sync_outbox_history WHERE seq = ?`);
      let replayed = 0;
      if (options.history) {
        for (const { seq } of statements.get('SELECT seq FROM sync_outbox_history ORDER BY seq').all() as { seq: number }[]) {
          copy.run(seq);
          replayed += 1;
        }
        statements.get('DELETE FROM sync_outbox_history').run();
      }
      const pending = statements.get(`SELECT seq FROM sync_outbox WHERE status = 'pending' AND seq <= ? ORDER BY seq`).all(top) as { seq: number }[];
      const drop = statements.get('DELETE FROM sync_outbox WHERE seq = ?');
      for (const { seq } of pending) {
        // mutation_id is unique: free it before the copy takes it.
        const row = statements.get('SELECT * FROM sync_outbox WHERE seq = ?').get(seq) as OutboxRow;
        drop.run(seq);
        statements.get(`INSERT INTO sync_outbox (${columns}, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`).run(
          row.mutation_id, row.table_name, row.row_id, row.op, row.fields, row.base_version, row.hlc, row.created_at, row.tx_id,
        );
      }
      return { base: top, replayed, pending: pending.length };
    },
    reject(seq: number, reason: string): void {
      statements.get(`UPDATE sync_outbox SET status = 'rejected', error = ? WHERE seq = ?`).run(reason, seq);
    },
    discardRejected(seq: number): void {
      statements.get(`DELETE FROM sync_outbox WHERE seq = ? AND status = 'rejected'`).run(seq);
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
