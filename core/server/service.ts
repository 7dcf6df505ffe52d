import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { z } from 'zod';
import { parseInput } from '../common/errors';
import { createLogger } from '../common/logger';
import { whoami } from '../admin';
import { connectCentral, createCentralPool, type CentralConfig } from '../sync/central/connect';
import { readHello, startNewEpoch } from '../sync/central/identity';
import { centralSchemaIsCurrent, countRows, readChangePage, readConflictPage, readHorizon, readPrunedHorizon, readRows, readSnapshotPage } from '../sync/central/pull';
import { pushChunk } from '../sync/central/push';
import { addVectors, readVectors } from '../sync/central/vectors';
import type { SignIn } from '../sync/central/sign-in';
import { POSITIONED_ENDPOINTS, refreshRequest, replicaRequests, signInRequest, STANDBY_ENDPOINTS, type ReplicaEndpoint, type TokensReply } from '../sync/transport/protocol';
import { asPerson, type Person, type PersonContext } from './as-person';
import { floorOf, standbyReads } from './standby-reads';
import { toHttpError } from './errors';
import { ACCESS_TTL_SECONDS, issueToken, secretKey, Unauthenticated, verifyToken, type TokenClaims } from './tokens';

const log = createLogger('serve');

export interface SyncServiceOptions {
  /** The service's own login (a member of coordinator_service), with its password. */
  central: CentralConfig;
  /** Signs and checks tokens; the same for every instance behind one balancer. Never logged. */
  secret: string;
  /** Connections to PostgreSQL this instance uses at most. */
  poolMax?: number;
  /**
   * A streaming standby (the same login) that serves the pull's reads once it has replayed up to
   * the replica's read floor (core/sync/transport/read-floor.ts); pushes stay on `central`.
   */
  readCentral?: CentralConfig;
  /** Largest request body, in bytes (a push chunk of long texts must fit). */
  bodyLimit?: number;
}

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

type Handler = (context: PersonContext, body: unknown) => Promise<unknown>;
const handle = <S extends z.ZodType>(schema: S, work: (context: PersonContext, body: z.output<S>) => Promise<unknown>): Handler =>
  (context, body) => work(context, parseInput(schema, body, 'request'));

/** Each replica endpoint is the same core function the direct transport calls, on the person's transaction. */
const REPLICA_HANDLERS: Record<ReplicaEndpoint, Handler> = {
  'sign-in': handle(replicaRequests['sign-in'], async ({ me }) => me),
  schema: handle(replicaRequests.schema, ({ client }) => centralSchemaIsCurrent(client)),
  hello: handle(replicaRequests.hello, ({ client }, b) => readHello(client, b.clientId)),
  'new-epoch': handle(replicaRequests['new-epoch'], ({ client }, b) => startNewEpoch(client, b.seenEpoch, b.reason)),
  push: handle(replicaRequests.push, ({ client }, b) => pushChunk(client, b.clientId, b.mutations)),
  horizon: handle(replicaRequests.horizon, ({ client }) => readHorizon(client)),
  'change-page': handle(replicaRequests['change-page'], ({ client }, b) => readChangePage(client, b.cursor, b.limit)),
  rows: handle(replicaRequests.rows, ({ client }, b) => readRows(client, b.table, b.ids)),
  snapshot: handle(replicaRequests.snapshot, ({ client }, b) => readSnapshotPage(client, b.table, b.afterId, b.limit)),
  count: handle(replicaRequests.count, ({ client }, b) => countRows(client, b.tables)),
  'conflict-page': handle(replicaRequests['conflict-page'], ({ client }, b) => readConflictPage(client, b.clientIds, b.cursor, b.limit)),
  'pruned-horizon': handle(replicaRequests['pruned-horizon'], ({ client }) => readPrunedHorizon(client)),
  vectors: handle(replicaRequests.vectors, ({ client }, b) => readVectors(client, b.model, b.hashes)),
  'share-vectors': handle(replicaRequests['share-vectors'], ({ client }, b) => addVectors(client, b.model, b.entries)),
};

export interface SyncService {
  app: FastifyInstance;
  pool: pg.Pool;
  /** Listens; `port` 0 picks a free one. Returns the base URL. */
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * `coordinator serve` (docs/sync-service.md): sign-in, token renewal, whoami and the replica
 * protocol over HTTP, each request one transaction on a small pool with the person's identity
 * applied server-side. Stateless: any instance answers any request.
 */
export function createSyncService(options: SyncServiceOptions): SyncService {
  const key = secretKey(options.secret);
  const pool = createCentralPool({ ...options.central, max: options.poolMax ?? 10 });
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // A client that trickles its request is cut off instead of holding a socket for ever.
    requestTimeout: 60_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 10_000,
    return503OnClosing: true,
  });

  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = toHttpError(error);
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ ok: false, error: { code: 'NOT_FOUND', message: `No endpoint ${request.method} ${request.url.slice(0, 200)}` } });
  });

  const ok = (value: unknown) => ({ ok: true, value });

  async function authenticate(request: FastifyRequest): Promise<Person> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header) : null;
    if (!match?.[1]) throw new Unauthenticated('Sign in first: this request carries no access token');
    const claims = await verifyToken(key, match[1], 'access');
    return { login: claims.sub, userId: claims.uid, centralId: claims.cid };
  }

  async function tokensFor(me: SignIn, centralId: string): Promise<TokensReply> {
    const claims: Omit<TokenClaims, 'typ'> = { sub: me.user.login, uid: me.user.userId, cid: centralId };
    return {
      accessToken: await issueToken(key, { ...claims, typ: 'access' }),
      refreshToken: await issueToken(key, { ...claims, typ: 'refresh' }),
      expiresIn: ACCESS_TTL_SECONDS,
      user: me.user,
    };
  }

  /**
   * The password is checked by PostgreSQL itself: a connection as the person's login (SCRAM on a
   * team's server), closed at once. The service keeps no copy of any password or verifier.
   */
  async function checkPassword(login: string, password: string): Promise<void> {
    const url = new URL(options.central.url);
    url.username = encodeURIComponent(login);
    url.password = encodeURIComponent(password);
    let client: pg.Client;
    try {
      client = await connectCentral({ ...options.central, url: url.toString() });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // A wrong password and an unknown login read the same: nothing tells which logins exist.
      if (code === '28P01' || code === '28000') throw new Unauthenticated('Wrong login or password, or this login may not sign in');
      throw error;
    }
    await client.end().catch(() => undefined);
  }

  app.post('/v1/sign-in', async (request) => {
    const body = parseInput(signInRequest, request.body, 'sign-in');
    await checkPassword(body.login, body.password);
    return ok(await asPerson(pool, { login: body.login, userId: null, centralId: null }, async ({ client, me }) => tokensFor(me, (await readHello(client, '')).centralId)));
  });

  app.post('/v1/refresh', async (request) => {
    const body = parseInput(refreshRequest, request.body, 'refresh');
    const claims = await verifyToken(key, body.refreshToken, 'refresh');
    return ok(await asPerson(pool, { login: claims.sub, userId: claims.uid, centralId: claims.cid }, ({ me, centralId }) => tokensFor(me, centralId)));
  });

  app.get('/v1/whoami', async (request) => ok(await asPerson(pool, await authenticate(request), ({ client }) => whoami(client))));

  const reads = options.readCentral ? standbyReads(pool, createCentralPool({ ...options.readCentral, max: options.poolMax ?? 10 })) : null;

  for (const [endpoint, handler] of Object.entries(REPLICA_HANDLERS) as [ReplicaEndpoint, Handler][]) {
    app.post(`/v1/replica/${endpoint}`, async (request) => {
      const person = await authenticate(request);
      const body = request.body ?? {};
      if (!reads || !POSITIONED_ENDPOINTS.has(endpoint)) return ok(await asPerson(pool, person, (context) => handler(context, body)));
      const answer = STANDBY_ENDPOINTS.has(endpoint)
        ? await reads.read(person, floorOf(body), (context) => handler(context, body))
        : await reads.onPrimary(person, (context) => handler(context, body));
      return { ok: true, value: answer.value, position: answer.position };
    });
  }

  app.get('/healthz', async () => ok('up'));

  return {
    app,
    pool,
    async listen(host, port) {
      const address = await app.listen({ host, port });
      log.info('sync service listening', { address });
      return address;
    },
    async close() {
      await app.close();
      await pool.end().catch(() => undefined);
      await reads?.close();
    },
  };
}
