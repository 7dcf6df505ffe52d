import { z } from 'zod';
import { AppError } from '../../common/errors';
import type { Queryable } from './connect';

export const helloSchema = z.object({
  centralId: z.string(),
  epoch: z.string(),
  epochReason: z.string().nullable().optional(),
  lastSeq: z.number().int().nullable(),
  lastMutationId: z.string().nullable(),
  maxVersion: z.number().int(),
});
export type CentralHello = z.infer<typeof helloSchema>;

/** undefined_table, undefined_function: the central schema is missing or older than this Coordinator. */
const NOT_MIGRATED = new Set(['42P01', '42883']);

export function notMigratedError(): AppError {
  return new AppError(
    'CONFLICT',
    'The central database runs an older Coordinator schema than this app, or none: nothing was sent. Ask your administrator to run `coordinator migrate --pg URL` against it, then sync again.',
  );
}

async function call<T>(db: Queryable, sql: string, params: unknown[]): Promise<T> {
  try {
    const { rows } = await db.query<{ reply: T }>(sql, params);
    return rows[0]?.reply as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_MIGRATED.has(code)) throw notMigratedError();
    throw error;
  }
}

/** Which central database and epoch this is, and what it remembers of this replica (docs/sync-identity.md). */
export async function readHello(db: Queryable, clientId: string): Promise<CentralHello> {
  return helloSchema.parse(await call<unknown>(db, 'SELECT coordinator_hello($1) AS reply', [clientId]));
}

/** Starts a new epoch unless another replica already did for the same restore; returns the current epoch. */
export async function startNewEpoch(db: Queryable, seenEpoch: string, reason: string): Promise<string> {
  return z.string().parse(await call<unknown>(db, 'SELECT coordinator_new_epoch($1, $2) AS reply', [seenEpoch, reason]));
}
