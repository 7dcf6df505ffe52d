import pg from 'pg';
import { AppError } from '../../common/errors';
import type { TlsMode } from '../../../shared/settings';
import { assertPasswordTransport, parseTlsMode, tlsOptions } from '../../common/transport-security';

export interface CentralConfig {
  /** postgres://user:password@host:port/db — may also carry `sslmode`. */
  url: string;
  /** Overrides the URL's sslmode. */
  sslMode?: TlsMode;
  /** PEM of the CA to trust for verify-ca / verify-full. */
  sslCa?: string;
  /** Permit sending a password in clear text to a non-loopback host (off by default). */
  allowPlaintextPassword?: boolean;
  /** Longest a single statement may take before the sync gives up on the connection. */
  queryTimeoutMs?: number;
  /** Pool size; sync needs few connections. */
  max?: number;
  /**
   * A streaming standby of the same cluster that may serve pulls (same login, password and TLS
   * settings as `url`); pushes and bootstraps always go to `url`. See transport/read-floor.ts.
   */
  readUrl?: string;
}

const TYPE_TIMESTAMPTZ = 1184;
const TYPE_TIMESTAMP = 1114;
const TYPE_DATE = 1082;
const TYPE_INT8 = 20;

/** Central values arrive in the replica's representation: ISO UTC strings, plain dates, numbers. */
const typeParsers: Record<number, (value: string) => unknown> = {
  [TYPE_TIMESTAMPTZ]: (v) => new Date(v).toISOString(),
  [TYPE_TIMESTAMP]: (v) => new Date(`${v}Z`).toISOString(),
  [TYPE_DATE]: (v) => v,
  [TYPE_INT8]: (v) => Number(v),
};

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    typeParsers[oid] ?? pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Resolves TLS settings and refuses to send a password over an unencrypted connection to another
 * machine unless that was explicitly allowed.
 */
export function resolveClientConfig(config: CentralConfig): pg.ClientConfig {
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    throw new AppError('VALIDATION', 'The PostgreSQL URL is not valid (expected postgres://user@host:port/database)');
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) {
    throw new AppError('VALIDATION', 'The PostgreSQL URL must start with postgres:// or postgresql://');
  }
  // The TLS vocabulary and the plain-text password rule are shared with the CRM connection.
  const sslMode = config.sslMode ?? parseTlsMode(parsed.searchParams.get('sslmode'));
  parsed.searchParams.delete('sslmode');
  // `?host=` overrides the URL's host in the driver (a Unix socket path is this machine): check both.
  for (const host of [parsed.hostname, parsed.searchParams.get('host')]) {
    if (host === null || (host === '' && parsed.searchParams.has('host'))) continue;
    assertPasswordTransport({ service: 'PostgreSQL', host, tls: sslMode, hasPassword: parsed.password !== '', allowPlaintextPassword: config.allowPlaintextPassword });
  }
  const ssl = tlsOptions(sslMode, config.sslCa);
  // A link that goes silent must fail the sync rather than hang it: TCP keepalive probes early,
  // and no single statement may take longer than the query timeout.
  return {
    connectionString: parsed.toString(),
    ssl,
    types,
    application_name: 'coordinator',
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    query_timeout: config.queryTimeoutMs ?? 15_000,
  };
}

export function createCentralPool(config: CentralConfig): pg.Pool {
  const pool = new pg.Pool({ ...resolveClientConfig(config), max: config.max ?? 3, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * The driver's words when the server at the address answers in another protocol — typically a
 * MySQL/MariaDB server (it speaks first, with a greeting `pg` reads as a stray message).
 */
const FOREIGN_PROTOCOL = /Received unexpected \w+ message from backend|unexpected message code|Unknown message code/i;

/** "This is not a PostgreSQL server", in words, or null when the failure is something else. */
export function describeNotPostgres(error: unknown, url?: string): string | null {
  const message = error instanceof Error ? error.message : String(error);
  if (!FOREIGN_PROTOCOL.test(message)) return null;
  const where = url ? ` at ${describeTarget(url)}` : '';
  return `The server${where} is not PostgreSQL (it answered in another protocol, perhaps MySQL/MariaDB); check the host and port of the central database URL (PostgreSQL usually listens on 5432)`;
}

export async function connectCentral(config: CentralConfig): Promise<pg.Client> {
  const client = new pg.Client(resolveClientConfig(config));
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const notPostgres = describeNotPostgres(error, config.url);
    if (notPostgres) throw new AppError('UNAVAILABLE', notPostgres);
    throw error;
  }
  return client;
}

export type Queryable = Pick<pg.ClientBase, 'query'>;
