import { z } from 'zod';
import type { Queryable } from './connect';

export interface PushMutation {
  seq: number;
  mutationId: string;
  table: string;
  rowId: string;
  op: 'insert' | 'update' | 'delete';
  fields: Record<string, unknown>;
  baseVersion: number | null;
  hlc: string;
  /** The local transaction; mutations sharing it are applied all or nothing (migration 0009). */
  tx?: string | null;
}

const outcomeSchema = z.object({
  seq: z.number().int(),
  status: z.enum(['applied', 'duplicate', 'conflict', 'rejected']),
  kind: z.string().optional(),
  code: z.string().optional(),
  reason: z.string().optional(),
});
export type PushOutcome = z.infer<typeof outcomeSchema>;

export const pushReplySchema = z.object({ lastSeq: z.number().int(), results: z.array(outcomeSchema) });
export type PushReply = z.infer<typeof pushReplySchema>;

/** One chunk, one round trip, one central transaction (see migrations/pg/0003_sync_push_function.sql). */
export async function pushChunk(db: Queryable, clientId: string, mutations: PushMutation[]): Promise<PushReply> {
  const { rows } = await db.query<{ reply: unknown }>('SELECT coordinator_push($1, $2::jsonb) AS reply', [clientId, JSON.stringify(mutations)]);
  return pushReplySchema.parse(rows[0]?.reply);
}
