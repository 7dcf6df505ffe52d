/**
 * The sync service's HTTP protocol (docs/sync-service.md): one request and one reply schema per
 * endpoint, shared by `coordinator serve` (core/server) and the replica's HTTP transport, so both
 * sides validate the same shapes. Every reply is the one envelope `{ ok, value | error }`.
 */
import { z } from 'zod';
import { appErrorSchema } from '../../../shared/errors';
import { signedInUserSchema } from '../../../shared/team';
import { ENTITY_TABLES } from '../../mutations/types';
import { helloSchema } from '../central/identity';
import { pushReplySchema } from '../central/push';
import { walPositionSchema } from './read-floor';

const entityTable = z.enum(ENTITY_TABLES);
/** A PostgreSQL xid8 as text: at most 20 digits (2^64 has 20). */
const xid = z.string().regex(/^\d{1,20}$/, 'a transaction id (digits)');
const cursor = z.object({ xid, version: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER) });
const limit = z.number().int().min(1).max(10_000);
const clientId = z.string().min(1).max(200);
const uuid = z.uuid();
/** A database login as `coordinator admin` makes them (core/admin assertSafeLogin). */
export const loginSchema = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a database login (lowercase letters, digits, underscores)');

export const signInRequest = z.object({ login: loginSchema, password: z.string().min(1).max(1024) }).strict();
export const refreshRequest = z.object({ refreshToken: z.string().min(1).max(4096) }).strict();
export const tokensReply = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Seconds the access token is valid for. */
  expiresIn: z.number().int(),
  user: signedInUserSchema,
});
export type TokensReply = z.infer<typeof tokensReply>;

const mutation = z.object({
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  mutationId: z.string().min(1).max(200),
  table: z.string().min(1).max(100),
  rowId: z.string().min(1).max(200),
  op: z.enum(['insert', 'update', 'delete']),
  fields: z.record(z.string(), z.unknown()),
  baseVersion: z.number().int().nullable(),
  hlc: z.string().min(1).max(200),
  tx: z.string().max(200).nullable().optional(),
});

const empty = z.object({}).strict();
const model = z.string().min(1).max(200);
/** sha256 of the embedded text, hex. */
const contentHash = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 (64 hex digits)');
/** A vector as stored centrally: its float32 bytes in base64, as many as its dimensions say. */
const storedVector = z
  .object({ hash: contentHash, dimensions: z.number().int().min(1).max(8_192), vector: z.string().max(44_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64') })
  .strict()
  .refine((v) => Buffer.from(v.vector, 'base64').byteLength === v.dimensions * 4, { message: 'the vector must hold exactly `dimensions` float32 values' });
/** The replica's read floor (transport/read-floor.ts): a standby serves the read only once it has replayed this far. */
const floor = walPositionSchema.nullable().optional();

/** Replica endpoints: POST /v1/replica/<name>, each one transaction as the signed-in person. */
export const replicaRequests = {
  'sign-in': empty,
  schema: empty,
  hello: z.object({ clientId }).strict(),
  'new-epoch': z.object({ seenEpoch: z.string().min(1).max(200), reason: z.string().min(1).max(2000) }).strict(),
  push: z.object({ clientId, mutations: z.array(mutation).max(10_000) }).strict(),
  horizon: empty,
  'change-page': z.object({ cursor, limit, floor }).strict(),
  rows: z.object({ table: entityTable, ids: z.array(uuid).max(10_000), floor }).strict(),
  snapshot: z.object({ table: entityTable, afterId: uuid.nullable(), limit }).strict(),
  count: z.object({ tables: z.array(entityTable).min(1).max(ENTITY_TABLES.length) }).strict(),
  'conflict-page': z.object({ clientIds: z.array(clientId).min(1).max(100), cursor, limit, floor }).strict(),
  'pruned-horizon': empty,
  vectors: z.object({ model, hashes: z.array(contentHash).max(5_000) }).strict(),
  'share-vectors': z.object({ model, entries: z.array(storedVector).max(1_000) }).strict(),
} as const;
export type ReplicaEndpoint = keyof typeof replicaRequests;
/** The endpoints a standby may serve (the pull's reads); everything else runs on the primary. */
export const STANDBY_ENDPOINTS: ReadonlySet<ReplicaEndpoint> = new Set(['change-page', 'rows', 'conflict-page']);
/**
 * The endpoints whose answer is data the replica keeps, or a write: they report the position the
 * replica's read floor must rise to. The others (sign-in, hello, counts) leave the floor alone, or
 * every sync would wait for the standby to replay the primary's very latest write.
 */
export const POSITIONED_ENDPOINTS: ReadonlySet<ReplicaEndpoint> = new Set([...STANDBY_ENDPOINTS, 'push', 'new-epoch', 'horizon', 'snapshot']);
export const REPLICA_ENDPOINTS = Object.keys(replicaRequests) as ReplicaEndpoint[];

/** The error envelope's body: the core's error shape, and for a refused push the SQLSTATE the engine acts on (CSSEQ, CSGAP). */
export const serviceErrorSchema = appErrorSchema.extend({ sqlState: z.string().optional() });
export type ServiceError = z.infer<typeof serviceErrorSchema>;

export const envelopeSchema = z.union([
  /** `position`: where the server that answered was after the request, when the service has a standby for reads. */
  z.object({ ok: z.literal(true), value: z.unknown(), position: walPositionSchema.optional() }),
  z.object({ ok: z.literal(false), error: serviceErrorSchema }),
]);

const centralRow = z.object({ row: z.record(z.string(), z.unknown()), version: z.number().nullable() });

/** What each replica endpoint answers (the `value` of a successful envelope). */
export const replicaReplies = {
  'sign-in': z.object({ user: signedInUserSchema, bypassesRls: z.boolean() }),
  schema: z.boolean(),
  hello: helloSchema,
  'new-epoch': z.string(),
  push: pushReplySchema,
  horizon: xid,
  'change-page': z.object({
    horizon: xid,
    changes: z.array(z.object({ version: z.number(), xid, table: entityTable, rowId: z.string(), op: z.enum(['upsert', 'delete']) })),
  }),
  rows: z.array(centralRow),
  snapshot: z.array(centralRow),
  count: z.number(),
  'conflict-page': z.object({
    horizon: xid,
    conflicts: z.array(
      z.object({
        id: z.string(), xid, seq: z.number(), table: z.string(), rowId: z.string(), field: z.string().nullable(), kind: z.string(),
        losingValue: z.unknown(), winningValue: z.unknown(), createdAt: z.string(),
      }),
    ),
  }),
  'pruned-horizon': xid.nullable(),
  vectors: z.array(z.object({ hash: z.string(), dimensions: z.number().int(), vector: z.string() })),
  'share-vectors': z.number().int(),
} as const satisfies Record<ReplicaEndpoint, z.ZodType>;
