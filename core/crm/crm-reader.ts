import type mysql from 'mysql2/promise';
import { ZodError } from 'zod';
import type { ChunkSum } from './bridge-state';
import type { CrmConnection } from './connect';
import { parseCrmRow, type CrmRow } from './records';
import { entitySql, ID_COLUMN, type CrmEntity } from './tables';

const IN_BATCH = 1000;

export interface BadRow {
  entity: CrmEntity;
  crmId: number | null;
  reason: string;
}

/** Reads Perfex: chunk checksums, row hashes of chunks, and validated rows by id. */
export function createCrmReader(crm: CrmConnection, chunkSize: number) {
  const sql = entitySql(crm.tables);
  const query = async (text: string, params: unknown[]) => (await crm.db.query<mysql.RowDataPacket[]>(text, params))[0];

  return {
    /** One pass over the entity's rows in MySQL: per chunk of ids, the row count and the XOR of row hashes. */
    async chunkSums(entity: CrmEntity): Promise<Map<number, ChunkSum>> {
      const rows = await query(
        `SELECT z.id DIV ? AS chunk, COUNT(*) AS n, BIT_XOR(z.h) AS x FROM (${sql[entity].hashes.replace('{where}', '1 = 1')}) z GROUP BY chunk`,
        [chunkSize],
      );
      return new Map(rows.map((r) => [Number(r.chunk), { count: Number(r.n), xor: BigInt(String(r.x)) }]));
    },

    async hashesInChunks(entity: CrmEntity, chunks: number[]): Promise<Map<number, string>> {
      const out = new Map<number, string>();
      for (let i = 0; i < chunks.length; i += IN_BATCH) {
        const part = chunks.slice(i, i + IN_BATCH);
        const rows = await query(sql[entity].hashes.replace('{where}', `${ID_COLUMN[entity]} DIV ? IN (?)`), [chunkSize, part]);
        for (const r of rows) out.set(Number(r.id), String(r.h));
      }
      return out;
    },

    /** Rows by id; a row that does not validate is reported in `bad` and left out. */
    async rows<E extends CrmEntity>(entity: E, ids: number[]): Promise<{ rows: Map<number, CrmRow<E>>; bad: BadRow[] }> {
      const out = new Map<number, CrmRow<E>>();
      const bad: BadRow[] = [];
      for (let i = 0; i < ids.length; i += IN_BATCH) {
        const part = ids.slice(i, i + IN_BATCH);
        if (part.length === 0) continue;
        const rows = await query(sql[entity].select.replace('{where}', `${ID_COLUMN[entity]} IN (?)`), [part]);
        for (const raw of rows) {
          try {
            const row = parseCrmRow(entity, raw);
            out.set(row.crmId, row);
          } catch (error) {
            const reason = error instanceof ZodError ? error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') : String(error);
            bad.push({ entity, crmId: Number(raw.id) || null, reason: `invalid CRM row (${reason})` });
          }
        }
      }
      return { rows: out, bad };
    },

    /** Every staff member's email (normalised), to find addresses used twice. */
    async staffEmails(): Promise<Map<number, string>> {
      const rows = await query(`SELECT staffid, email FROM \`${crm.tables.staff}\``, []);
      return new Map(rows.map((r) => [Number(r.staffid), String(r.email ?? '').trim().toLowerCase()]));
    },

    /** The staff member new CRM rows are attributed to when Coordinator's author has no CRM login. */
    async fallbackStaffId(): Promise<number> {
      const rows = await query(
        `SELECT staffid FROM \`${crm.tables.staff}\` ORDER BY (admin = 1 AND active = 1) DESC, active DESC, staffid LIMIT 1`,
        [],
      );
      return Number(rows[0]?.staffid ?? 0);
    },
  };
}
export type CrmReader = ReturnType<typeof createCrmReader>;

/** Which chunks differ between the CRM and the merge base. */
export function changedChunks(crm: Map<number, ChunkSum>, base: Map<number, ChunkSum>): number[] {
  const out: number[] = [];
  for (const [chunk, sum] of crm) {
    const b = base.get(chunk);
    if (!b || b.count !== sum.count || b.xor !== sum.xor) out.push(chunk);
  }
  for (const chunk of base.keys()) if (!crm.has(chunk)) out.push(chunk);
  return out;
}
