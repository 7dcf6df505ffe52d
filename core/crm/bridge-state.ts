import type pg from 'pg';
import type { Cursor } from '../sync/state';
import type { WriteFence } from './lease';
import type { CrmEntity } from './tables';

export interface SnapshotRow {
  crmId: number;
  centralId: string;
  hash: string;
  base: unknown;
  centralVersion: number | null;
}

export interface ChunkSum {
  count: number;
  xor: bigint;
}

/**
 * The bridge's state in the central database: merge base, intents, cursor, pairing. Every write
 * goes through the fence, so a run that lost the reconciler lease writes nothing more.
 */
export function createBridgeState(db: pg.ClientBase, fence: WriteFence) {
  const write = (text: string, params: unknown[]) => fence(() => db.query(text, params));
  const toSnapshot = (r: { crm_id: number; central_id: string; hash: string | number; base: unknown; central_version: string | number | null }): SnapshotRow => ({
    crmId: Number(r.crm_id), centralId: r.central_id, hash: BigInt.asUintN(64, BigInt(r.hash)).toString(), base: r.base,
    centralVersion: r.central_version == null ? null : Number(r.central_version),
  });
  const cols = 'crm_id, central_id, hash::text AS hash, base, central_version';

  return {
    async get<T>(key: string): Promise<T | null> {
      const { rows } = await db.query<{ value: T }>('SELECT value FROM crm_bridge_state WHERE key = $1', [key]);
      return rows[0]?.value ?? null;
    },
    async set(key: string, value: unknown): Promise<void> {
      await write(
        `INSERT INTO crm_bridge_state (key, value) VALUES ($1, $2::jsonb)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE crm_bridge_state.value IS DISTINCT FROM excluded.value`,
        [key, JSON.stringify(value)],
      );
    },
    async cursor(): Promise<Cursor | null> {
      return this.get<Cursor>('central_cursor');
    },
    async chunkSums(entity: CrmEntity): Promise<Map<number, ChunkSum>> {
      const { rows } = await db.query<{ chunk: number; n: string; x: string }>(
        'SELECT chunk, count(*)::text AS n, bit_xor(hash)::text AS x FROM crm_bridge_rows WHERE entity = $1 GROUP BY chunk',
        [entity],
      );
      return new Map(rows.map((r) => [Number(r.chunk), { count: Number(r.n), xor: BigInt.asUintN(64, BigInt(r.x)) }]));
    },
    async hashesInChunks(entity: CrmEntity, chunks: number[]): Promise<Map<number, string>> {
      if (chunks.length === 0) return new Map();
      const { rows } = await db.query<{ crm_id: number; hash: string }>(
        'SELECT crm_id, hash::text AS hash FROM crm_bridge_rows WHERE entity = $1 AND chunk = ANY($2::int[])',
        [entity, chunks],
      );
      return new Map(rows.map((r) => [Number(r.crm_id), BigInt.asUintN(64, BigInt(r.hash)).toString()]));
    },
    async byCrmIds(entity: CrmEntity, crmIds: number[]): Promise<Map<number, SnapshotRow>> {
      if (crmIds.length === 0) return new Map();
      const { rows } = await db.query(`SELECT ${cols} FROM crm_bridge_rows WHERE entity = $1 AND crm_id = ANY($2::int[])`, [entity, crmIds]);
      return new Map(rows.map((r) => [Number(r.crm_id), toSnapshot(r)]));
    },
    async byCentralIds(entity: CrmEntity, centralIds: string[]): Promise<Map<string, SnapshotRow>> {
      if (centralIds.length === 0) return new Map();
      const { rows } = await db.query(`SELECT ${cols} FROM crm_bridge_rows WHERE entity = $1 AND central_id = ANY($2::uuid[])`, [entity, centralIds]);
      return new Map(rows.map((r) => [String(r.central_id), toSnapshot(r)]));
    },
    async count(entity: CrmEntity): Promise<number> {
      const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM crm_bridge_rows WHERE entity = $1', [entity]);
      return Number(rows[0]?.n ?? 0);
    },
    async upsert(entity: CrmEntity, chunkSize: number, rows: SnapshotRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += 2000) {
        const part = rows.slice(i, i + 2000);
        await write(
          `INSERT INTO crm_bridge_rows (entity, crm_id, chunk, central_id, hash, base, central_version, reconciled_at)
           SELECT $1, r.crm_id, r.crm_id / $2, r.central_id, r.hash::numeric::bigint, r.base, r.central_version, now()
           FROM jsonb_to_recordset($3::jsonb) AS r(crm_id int, central_id uuid, hash text, base jsonb, central_version bigint)
           ON CONFLICT (entity, crm_id) DO UPDATE SET central_id = excluded.central_id, hash = excluded.hash, base = excluded.base,
             central_version = excluded.central_version, reconciled_at = excluded.reconciled_at`,
          [entity, chunkSize, JSON.stringify(part.map((r) => ({
            crm_id: r.crmId, central_id: r.centralId, hash: BigInt.asIntN(64, BigInt(r.hash)).toString(), base: r.base, central_version: r.centralVersion,
          })))],
        );
      }
    },
    async remove(entity: CrmEntity, crmIds: number[]): Promise<void> {
      if (crmIds.length) await write('DELETE FROM crm_bridge_rows WHERE entity = $1 AND crm_id = ANY($2::int[])', [entity, crmIds]);
    },
    async intents(entity: CrmEntity): Promise<Map<string, unknown>> {
      const { rows } = await db.query<{ central_id: string; base: unknown }>('SELECT central_id, base FROM crm_bridge_intents WHERE entity = $1', [entity]);
      return new Map(rows.map((r) => [r.central_id, r.base]));
    },
    async addIntents(entity: CrmEntity, intents: { centralId: string; base: unknown }[]): Promise<void> {
      if (intents.length === 0) return;
      await write(
        `INSERT INTO crm_bridge_intents (entity, central_id, base)
         SELECT $1, r.central_id, r.base FROM jsonb_to_recordset($2::jsonb) AS r(central_id uuid, base jsonb)
         ON CONFLICT (entity, central_id) DO UPDATE SET base = excluded.base`,
        [entity, JSON.stringify(intents.map((i) => ({ central_id: i.centralId, base: i.base })))],
      );
    },
    async removeIntents(entity: CrmEntity, centralIds: string[]): Promise<void> {
      if (centralIds.length) await write('DELETE FROM crm_bridge_intents WHERE entity = $1 AND central_id = ANY($2::uuid[])', [entity, centralIds]);
    },
  };
}
export type BridgeState = ReturnType<typeof createBridgeState>;
