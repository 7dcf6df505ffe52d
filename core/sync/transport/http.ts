import { z } from 'zod';
import { AppError } from '../../common/errors';
import { assertPasswordTransport } from '../../common/transport-security';
import type { CentralConfig } from '../central/connect';
import { envelopeSchema, replicaReplies as R, tokensReply, type ReplicaEndpoint, type ServiceError, type TokensReply } from './protocol';
import { laterPosition } from './read-floor';
import type { CentralSession, CentralTransport } from './types';

/**
 * Service mode (`https://login:password@host/`): every call is one HTTPS request to `coordinator
 * serve`, which runs it in one transaction as the signed-in person (docs/sync-service.md). The
 * login and password from the URL are sent only to sign in; requests carry a short-lived access
 * token, renewed with the refresh token when the service answers 401, and by signing in again
 * when that has expired too. Nothing is kept between processes: a restart signs in again.
 */

/** A refusal the engine acts on by its SQLSTATE (CSSEQ, CSGAP), as it would on the direct path. */
class RefusedBySqlState extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'RefusedBySqlState';
  }
}

/** The service (or the database behind it) cannot be reached: an offline error, as a dropped connection is. */
class ServiceUnreachable extends Error {
  constructor(readonly code: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ServiceUnreachable';
  }
}

interface Credentials {
  base: URL;
  login: string;
  password: string;
}

function parseServiceUrl(config: CentralConfig): Credentials {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new AppError('VALIDATION', 'The sync service URL is not valid (expected https://login@host/)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError('VALIDATION', 'The sync service URL must start with https:// (or http:// on this machine)');
  const login = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (!login || !password) throw new AppError('VALIDATION', 'The sync service URL needs your login and password (https://login:password@host/)');
  assertPasswordTransport({ service: 'the sync service', host: url.hostname, tls: url.protocol === 'https:' ? 'verify-full' : 'disable', hasPassword: true, allowPlaintextPassword: config.allowPlaintextPassword });
  url.username = '';
  url.password = '';
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  url.search = '';
  return { base: url, login, password };
}

const OFFLINE_CAUSES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);

function unreachable(error: unknown): ServiceUnreachable {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return new ServiceUnreachable('ETIMEDOUT', 'The sync service did not answer in time', error);
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' && OFFLINE_CAUSES.has(cause.code) ? cause.code : 'ECONNRESET';
  return new ServiceUnreachable(code, `The sync service cannot be reached (${code})`, error);
}

function refusal(status: number, error: ServiceError): Error {
  if (error.sqlState === 'CSSEQ' || error.sqlState === 'CSGAP') return new RefusedBySqlState(error.sqlState, error.message);
  // The service is up but its database is not: the same "offline" as a direct connection that failed.
  if (status === 503) return new ServiceUnreachable('08006', error.message);
  return new AppError(error.code, error.message, error.issues);
}

export function httpTransport(config: CentralConfig): CentralTransport {
  // Read at the first call, so a URL without a password fails the sync run in words, as a bad PostgreSQL URL does.
  let parsedUrl: Credentials | null = null;
  const credentials = () => (parsedUrl ??= parseServiceUrl(config));
  const timeoutMs = config.queryTimeoutMs ?? 30_000;
  let tokens: TokensReply | null = null;

  // The read floor (transport/read-floor.ts): raised by every position the service reports.
  let floor: string | null = null;

  async function post(path: string, body: unknown, token?: string): Promise<{ status: number; value: unknown }> {
    let response: Response;
    try {
      response = await fetch(new URL(path, credentials().base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw unreachable(error);
    }
    let parsed: z.infer<typeof envelopeSchema>;
    try {
      parsed = envelopeSchema.parse(await response.json());
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) throw unreachable(error);
      throw new AppError('UNAVAILABLE', `The sync service answered HTTP ${response.status} with something other than its reply envelope; is the URL right?`);
    }
    if (!parsed.ok) throw Object.assign(refusal(response.status, parsed.error), { status: response.status });
    floor = laterPosition(floor, parsed.position ?? null);
    return { status: response.status, value: parsed.value };
  }

  const statusOf = (error: unknown) => (error && typeof error === 'object' && 'status' in error ? error.status : undefined);

  async function signInWithPassword(): Promise<TokensReply> {
    const { value } = await post('v1/sign-in', { login: credentials().login, password: credentials().password });
    return tokensReply.parse(value);
  }

  /** New tokens: from the refresh token while it is valid, else by signing in with the password. */
  async function renew(): Promise<TokensReply> {
    if (tokens) {
      try {
        return tokensReply.parse((await post('v1/refresh', { refreshToken: tokens.refreshToken })).value);
      } catch (error) {
        if (statusOf(error) !== 401) throw error;
      }
    }
    return signInWithPassword();
  }

  /** One replica call; each method below checks the reply against the schema the service answers with. */
  async function call(endpoint: ReplicaEndpoint, body: Record<string, unknown> = {}): Promise<unknown> {
    tokens ??= await signInWithPassword();
    let value: unknown;
    try {
      value = (await post(`v1/replica/${endpoint}`, body, tokens.accessToken)).value;
    } catch (error) {
      if (statusOf(error) !== 401) throw error;
      tokens = await renew();
      value = (await post(`v1/replica/${endpoint}`, body, tokens.accessToken)).value;
    }
    return value;
  }

  const session: CentralSession = {
    centralSchemaIsCurrent: async () => R.schema.parse(await call('schema')),
    signIn: async () => R['sign-in'].parse(await call('sign-in')),
    readHello: async (clientId) => R.hello.parse(await call('hello', { clientId })),
    startNewEpoch: async (seenEpoch, reason) => R['new-epoch'].parse(await call('new-epoch', { seenEpoch, reason })),
    pushChunk: async (clientId, mutations) => R.push.parse(await call('push', { clientId, mutations })),
    readHorizon: async () => R.horizon.parse(await call('horizon')),
    readChangePage: async (cursor, limit) => R['change-page'].parse(await call('change-page', { cursor, limit, floor })),
    readRows: async (table, ids) => (ids.length === 0 ? [] : R.rows.parse(await call('rows', { table, ids, floor }))),
    readSnapshotPage: async (table, afterId, limit) => R.snapshot.parse(await call('snapshot', { table, afterId, limit })),
    countRows: async (tables) => R.count.parse(await call('count', { tables: [...tables] })),
    readConflictPage: async (clientIds, cursor, limit) => R['conflict-page'].parse(await call('conflict-page', { clientIds, cursor, limit, floor })),
    readPrunedHorizon: async () => R['pruned-horizon'].parse(await call('pruned-horizon')),
    readFloor: async () => floor,
    release: () => undefined,
  };

  return {
    vectors: {
      fetch: async (model, hashes) => (hashes.length === 0 ? [] : R.vectors.parse(await call('vectors', { model, hashes: [...hashes] }))),
      share: async (model, entries) => (entries.length === 0 ? 0 : R['share-vectors'].parse(await call('share-vectors', { model, entries: [...entries] }))),
    },
    open: async (readFloor) => {
      floor = laterPosition(floor, readFloor);
      return session;
    },
    close: async () => {
      tokens = null;
    },
  };
}
