import { z } from 'zod';
import type { Queryable } from '../central/connect';

/**
 * Reads served by a streaming standby (docs/sync-service.md, "Pulls from a standby").
 *
 * A standby replays the primary's WAL a little behind it. Paging the change log there is safe
 * (horizon and page come from one statement), but a replica must never read a state older than
 * one it already holds: its own pushes, or rows it read from the primary or from a standby further
 * ahead. Otherwise a pulled row would briefly undo the person's own acknowledged edit, or a row
 * the lagging standby does not have yet would be removed as "gone". So every replica keeps a
 * *read floor*: the WAL position at or after every state it has seen. A standby serves its reads
 * only once it has replayed up to that floor; otherwise the primary does.
 */

/** A WAL position as PostgreSQL prints it (`16/B374D848`). */
export const walPositionSchema = z.string().regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/, 'a WAL position (X/Y)');

const toNumber = (position: string): bigint => {
  const [high = '0', low = '0'] = position.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
};

/** Whether `position` has reached `floor` (no floor: anything has). */
export const reaches = (position: string, floor: string | null): boolean => floor === null || toNumber(position) >= toNumber(floor);

/** The later of two positions. */
export const laterPosition = (a: string | null, b: string | null): string | null => {
  if (a === null) return b;
  if (b === null) return a;
  return toNumber(a) >= toNumber(b) ? a : b;
};

/**
 * Where this server is: a standby's replay point, or the primary's WAL insert point (every
 * committed transaction a statement here could have seen ends before it).
 */
export async function serverPosition(db: Queryable): Promise<{ standby: boolean; position: string }> {
  const { rows } = await db.query<{ standby: boolean; position: string | null }>(
    `SELECT pg_is_in_recovery() AS standby,
            (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn() END)::text AS position`,
  );
  const row = rows[0];
  return { standby: row?.standby === true, position: row?.position ?? '0/0' };
}

/** How long a read waits for a standby to replay up to the floor before the primary serves it. */
export const STANDBY_WAIT_MS = 250;

/**
 * Where a standby is once it has replayed up to `floor`, waiting at most `maxWaitMs` (streaming
 * replay is usually milliseconds behind, so a laptop that has just pushed still reads the standby);
 * null when it is not a standby or has not got there in time.
 */
export async function standbyReaching(db: Queryable, floor: string | null, maxWaitMs = STANDBY_WAIT_MS): Promise<string | null> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const at = await serverPosition(db);
    if (!at.standby) return null;
    if (reaches(at.position, floor)) return at.position;
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
