import { isIP } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
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
import { asPerson, DEFAULT_STATEMENT_TIMEOUT_MS, type Person, type PersonContext } from './as-person';
import { answerClientError, toHttpError } from './errors';
import { createSignInLimiter, DEFAULT_SIGN_IN_LIMITS, type SignInLimits } from './sign-in-limit';
import { floorOf, standbyReads } from './standby-reads';
import { accessTokenVerifier, ACCESS_TTL_SECONDS, issueToken, secretKey, Unauthenticated, verifyToken, type TokenClaims } from './tokens';

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
  /** Longest one statement of a request may run, in ms, before PostgreSQL stops it (503, retryable). */
  statementTimeoutMs?: number;
  /** Longest a client may take to send its whole request, in ms; a client trickling it is cut off (408). */
  requestTimeoutMs?: number;
  /** Failed sign-ins allowed per login and per client address in a window (sign-in-limit.ts). */
  signInLimits?: SignInLimits;
  /**
   * Reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the client. Without it every
   * laptop behind a proxy has the proxy's address, and shares one sign-in limit per address.
   */
  trustProxy?: string[];
  /** The service's clock, in ms since the epoch: token expiry and the sign-in window (tests move it on). */
  now?: () => number;
}

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

const positiveMs = z.number().int().min(1).max(24 * 60 * 60 * 1000);
/** Operators' tuning, checked once: a statement timeout of 0 would mean none at all in PostgreSQL. */
const tuningSchema = z.object({
  statementTimeoutMs: positiveMs,
  requestTimeoutMs: positiveMs,
  signInLimits: z.object({ perLogin: z.number().int().min(1), perAddress: z.number().int().min(1), windowSeconds: z.number().int().min(1) }),
  trustProxy: z
    .array(z.string().refine((a) => ['loopback', 'linklocal', 'uniquelocal'].includes(a) || isIP(a.split('/')[0] ?? '') !== 0, 'an IP address, a CIDR, or loopback / linklocal / uniquelocal'))
    .optional(),
});

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
  const verifyAccess = accessTokenVerifier(key);
  const tuning = parseInput(
    tuningSchema,
    {
      statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      signInLimits: options.signInLimits ?? DEFAULT_SIGN_IN_LIMITS,
      trustProxy: options.trustProxy,
    },
    'sync service settings',
  );
  const now = options.now ?? Date.now;
  const limiter = createSignInLimiter(tuning.signInLimits, now);
  const pool = createCentralPool({ ...options.central, max: options.poolMax ?? 10 });
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // A client that trickles its request is cut off (408) instead of holding a socket for ever;
    // Node looks for such requests every connectionsCheckingInterval, so that follows the timeout.
    requestTimeout: tuning.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(tuning.requestTimeoutMs, 60_000),
      connectionsCheckingInterval: Math.min(30_000, Math.max(10, Math.floor(tuning.requestTimeoutMs / 4))),
    },
    connectionTimeout: 60_000,
    // Longer than a laptop's sync interval, so a laptop's connection is rarely closed by idleness
    // just as it sends on it (the client stops reusing a connection ~2 s before this runs out, by
    // its timers, which a busy process may run late: the fleet benchmark saw such resets at 10 s).
    keepAliveTimeout: 55_000,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    ...(tuning.trustProxy ? { trustProxy: tuning.trustProxy } : {}),
  });
  const inTransaction = <T>(person: Person, work: (context: PersonContext) => Promise<T>) => asPerson(pool, person, work, { statementTimeoutMs: tuning.statementTimeoutMs });

  app.setErrorHandler((error, _request, reply) => {
    const { status, body, headers } = toHttpError(error);
    void reply.status(status).headers(headers ?? {}).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ ok: false, error: { code: 'NOT_FOUND', message: `No endpoint ${request.method} ${request.url.slice(0, 200)}` } });
  });

  const ok = (value: unknown) => ({ ok: true, value });

  async function authenticate(request: FastifyRequest): Promise<Person> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header) : null;
    if (!match?.[1]) throw new Unauthenticated('Sign in first: this request carries no access token');
    const claims = await verifyAccess(match[1], now());
    return { login: claims.sub, userId: claims.uid, centralId: claims.cid };
  }

  async function tokensFor(me: SignIn, centralId: string): Promise<TokensReply> {
    const claims: Omit<TokenClaims, 'typ'> = { sub: me.user.login, uid: me.user.userId, cid: centralId };
    return {
      accessToken: await issueToken(key, { ...claims, typ: 'access' }, now()),
      refreshToken: await issueToken(key, { ...claims, typ: 'refresh' }, now()),
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
    const attempt = limiter.begin(body.login, request.ip);
    try {
      await checkPassword(body.login, body.password);
    } catch (error) {
      if (error instanceof Unauthenticated) attempt.failed();
      else attempt.abandoned();
      throw error;
    }
    attempt.succeeded();
    return ok(await inTransaction({ login: body.login, userId: null, centralId: null }, async ({ client, me }) => tokensFor(me, (await readHello(client, '')).centralId)));
  });

  app.post('/v1/refresh', async (request) => {
    const body = parseInput(refreshRequest, request.body, 'refresh');
    const claims = await verifyToken(key, body.refreshToken, 'refresh', now());
    return ok(await inTransaction({ login: claims.sub, userId: claims.uid, centralId: claims.cid }, ({ me, centralId }) => tokensFor(me, centralId)));
  });

  app.get('/v1/whoami', async (request) => ok(await inTransaction(await authenticate(request), ({ client }) => whoami(client))));

  const reads = options.readCentral ? standbyReads(pool, createCentralPool({ ...options.readCentral, max: options.poolMax ?? 10 }), tuning.statementTimeoutMs) : null;

  for (const [endpoint, handler] of Object.entries(REPLICA_HANDLERS) as [ReplicaEndpoint, Handler][]) {
    app.post(`/v1/replica/${endpoint}`, async (request) => {
      const person = await authenticate(request);
      const body = request.body ?? {};
      if (!reads || !POSITIONED_ENDPOINTS.has(endpoint)) return ok(await inTransaction(person, (context) => handler(context, body)));
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
