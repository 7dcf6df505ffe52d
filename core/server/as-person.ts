import type pg from 'pg';
import { AppError } from '../common/errors';
import { SIGN_IN_QUERY, signInFromRow, signInRefusal, type SignIn } from '../sync/central/sign-in';
import { isOfflineError } from '../sync/errors';
import { Unauthenticated } from './tokens';

export interface Person {
  login: string;
  /** The user the token was issued to; null at sign-in, before there is a token. */
  userId: string | null;
  /** The central database the token was issued for; null at sign-in. */
  centralId: string | null;
}

export interface PersonContext {
  client: pg.PoolClient;
  me: SignIn;
  centralId: string;
}

/** Longest a statement of one request may run before PostgreSQL stops it (HTTP 503, retryable). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/**
 * Runs `work` in one transaction on the service's pool as the person (docs/sync-service.md):
 * `SET LOCAL ROLE <login>` (row-level security and grants follow) and `coordinator.login`
 * (coordinator_acting_login: who the server-side functions act for), both ending with the
 * transaction, so a pooled connection (or PgBouncer in transaction mode) carries nothing over.
 * `statement_timeout` is set the same way: a runaway query or a wait on a lock cannot hold one of
 * the pool's few connections longer than that.
 * The person is checked again on every request: revoked, deactivated or re-mapped is refused.
 * The settings, the central database's id and the check go in the transaction's first round trip.
 */
export async function asPerson<T>(
  pool: pg.Pool,
  person: Person,
  work: (context: PersonContext) => Promise<T>,
  options: {
    statementTimeoutMs?: number;
    /** Runs on the same connection once the transaction has committed (standby-reads.ts: the commit's position). */
    afterCommit?: (client: pg.PoolClient) => Promise<void>;
  } = {},
): Promise<T> {
  const { statementTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS, afterCommit } = options;
  const client = await pool.connect();
  // While checked out, the pool does not listen for this client's errors: a connection dropped by
  // the server (a restart, a pooler going away) would otherwise be an uncaught exception that
  // takes the whole service down. The failing query rejects anyway.
  client.on('error', ignoreDroppedConnection);
  let broken = false;
  try {
    try {
      const { centralId, me } = await enter(client, person, statementTimeoutMs);
      if (person.centralId !== null && person.centralId !== centralId) throw new Unauthenticated('The token was issued for another central database');
      if (person.userId !== null && me.user.userId !== person.userId) {
        throw new AppError('FORBIDDEN', 'This login now belongs to another person on this server; sign in again');
      }
      const result = await work({ client, me, centralId });
      await client.query('COMMIT');
      await afterCommit?.(client);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } catch (error) {
    if (isOfflineError(error)) broken = true;
    throw refusedRole(error);
  } finally {
    client.off('error', ignoreDroppedConnection);
    client.release(broken);
  }
}

const ignoreDroppedConnection = () => undefined;

const centralIdOf = (result: pg.QueryResult | undefined) => String((result?.rows[0] as { central_id?: unknown } | undefined)?.central_id ?? '');

/**
 * The transaction's first round trip, one simple query (the login is a validated name, escaped as
 * identifier and as literal): the statement timeout, the person's role and login, the central
 * database's id, then the person as the server knows them (coordinator_sign_in). A request is
 * mostly round trips, each costing the service and PostgreSQL a wakeup: this one used to be two.
 */
async function enter(client: pg.PoolClient, person: Person, statementTimeoutMs: number): Promise<{ centralId: string; me: SignIn }> {
  const setup =
    `BEGIN; SELECT set_config('statement_timeout', ${client.escapeLiteral(String(statementTimeoutMs))}, true); ` +
    `SET LOCAL ROLE ${client.escapeIdentifier(person.login)}; ` +
    `SELECT set_config('coordinator.login', ${client.escapeLiteral(person.login)}, true); ` +
    `SELECT value AS central_id FROM sync_meta WHERE key = 'central_id'`;
  // BEGIN, statement timeout, role, login, central id, person.
  const CENTRAL_ID = 4;
  try {
    const results = (await client.query(`${setup}; ${SIGN_IN_QUERY}`)) as unknown as pg.QueryResult[];
    return { centralId: centralIdOf(results[CENTRAL_ID]), me: signInFromRow(results[CENTRAL_ID + 1]?.rows[0]) };
  } catch (error) {
    if (person.centralId === null || (error as { code?: unknown }).code !== '28000') throw signInRefusal(error);
    // Refused as nobody here. A token of another central database is told so first (401: the
    // laptop signs in again), as when the central id was read in a round trip of its own.
    await client.query('ROLLBACK');
    const results = (await client.query(setup)) as unknown as pg.QueryResult[];
    if (centralIdOf(results[CENTRAL_ID]) !== person.centralId) throw new Unauthenticated('The token was issued for another central database');
    throw signInRefusal(error);
  }
}

/** SET ROLE refused: the login is gone, or was never granted to the service (a login made before migration 0014 by hand). */
function refusedRole(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if ((code === '42501' || code === '22023') && error instanceof Error && /permission denied to set role|role ".*" does not exist/i.test(error.message)) {
    const refused = new AppError('FORBIDDEN', `The sync service may not act for this login (${error.message}); ask your administrator (coordinator admin user add / grant)`);
    refused.cause = error;
    return refused;
  }
  return error;
}
