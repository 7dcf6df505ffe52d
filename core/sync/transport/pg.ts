import type pg from 'pg';
import { createLogger } from '../../common/logger';
import { createCentralPool, type CentralConfig, type Queryable } from '../central/connect';
import { readHello, startNewEpoch } from '../central/identity';
import { centralSchemaIsCurrent, countRows, readChangePage, readConflictPage, readHorizon, readPrunedHorizon, readRows, readSnapshotPage } from '../central/pull';
import { pushChunk } from '../central/push';
import { signIn } from '../central/sign-in';
import { addVectors, readVectors } from '../central/vectors';
import { describeSyncError } from '../errors';
import { laterPosition, serverPosition, standbyReaching } from './read-floor';
import type { CentralSession, CentralTransport } from './types';

const log = createLogger('sync');

/**
 * The calls of one run on one connection of the person's own login (row-level security applies
 * to it directly). `reads` serves the pull's reads: the same connection, or a standby's.
 */
export function pgSession(
  client: pg.ClientBase,
  release: (broken: boolean) => void = () => undefined,
  reads: ReadRouter = sameServer(client),
): CentralSession {
  return {
    centralSchemaIsCurrent: () => centralSchemaIsCurrent(client),
    signIn: () => signIn(client),
    readHello: (clientId) => readHello(client, clientId),
    startNewEpoch: (seenEpoch, reason) => reads.touched(() => startNewEpoch(client, seenEpoch, reason)),
    pushChunk: (clientId, mutations) => reads.touched(() => pushChunk(client, clientId, mutations)),
    readHorizon: () => reads.touched(() => readHorizon(client)),
    readChangePage: async (cursor, limit) => readChangePage(await reads.server(), cursor, limit),
    readRows: async (table, ids) => readRows(await reads.server(), table, ids),
    readSnapshotPage: (table, afterId, limit) => reads.touched(() => readSnapshotPage(client, table, afterId, limit)),
    countRows: (tables) => countRows(client, tables),
    readConflictPage: async (clientIds, cursor, limit) => readConflictPage(await reads.server(), clientIds, cursor, limit),
    readPrunedHorizon: () => readPrunedHorizon(client),
    readFloor: () => reads.floor(),
    release: (broken) => {
      reads.release(broken);
      release(broken);
    },
  };
}

/** Which server answers a run's pull reads, and the read floor that decides it (transport/read-floor.ts). */
export interface ReadRouter {
  server(): Promise<Queryable>;
  /** Runs a call that writes to or reads state on the primary: the floor must cover it before the next standby read. */
  touched<T>(call: () => Promise<T>): Promise<T>;
  floor(): Promise<string | null>;
  release(broken: boolean): void;
}

const sameServer = (client: Queryable): ReadRouter => ({
  server: async () => client,
  touched: (call) => call(),
  floor: async () => null,
  release: () => undefined,
});

/**
 * Reads go to the standby while it has replayed up to the floor, else to the primary. The floor
 * starts at what the replica kept and rises past every push and primary read before the next
 * standby read, so a run never reads a state older than one it has seen.
 */
interface Checkout {
  client: Queryable;
  release(broken: boolean): void;
}

function standbyRouter(primary: Queryable, connectStandby: () => Promise<Checkout>, initialFloor: string | null): ReadRouter {
  let floor = initialFloor;
  let primaryDirty = false;
  let standby: Checkout | null = null;
  let standbyUsed = false;
  let chosen: Queryable | null = null;

  const catchUpWithPrimary = async () => {
    if (!primaryDirty) return;
    floor = laterPosition(floor, (await serverPosition(primary)).position);
    primaryDirty = false;
  };

  return {
    async server() {
      if (chosen) return chosen;
      await catchUpWithPrimary();
      try {
        standby ??= await connectStandby();
        if ((await standbyReaching(standby.client, floor)) !== null) {
          standbyUsed = true;
          return (chosen = standby.client);
        }
        log.info('the standby has not replayed what this replica has seen; the primary serves this pull', { floor });
      } catch (error) {
        log.warn('the standby cannot serve this pull; the primary does', { error: describeSyncError(error) });
        standby?.release(true);
        standby = null;
      }
      primaryDirty = true;
      return (chosen = primary);
    },
    async touched(call) {
      const result = await call();
      primaryDirty = true;
      chosen = null;
      return result;
    },
    async floor() {
      await catchUpWithPrimary();
      if (standby && standbyUsed) floor = laterPosition(floor, (await serverPosition(standby.client)).position);
      return floor;
    },
    release(broken) {
      standby?.release(broken);
      standby = null;
    },
  };
}

/** The standby's URL with the primary URL's login and password where it names none. */
function withCredentialsOf(primaryUrl: string, readUrl: string): string {
  const read = new URL(readUrl);
  if (read.username) return readUrl;
  const primary = new URL(primaryUrl);
  read.username = primary.username;
  read.password = primary.password;
  return read.toString();
}

const onClientError = (error: Error) => log.warn('central connection lost during sync', { error: describeSyncError(error) });

/**
 * Direct mode (`postgres://`): a small pool of the person's own login; one connection per run,
 * and with `readUrl` one more to a standby for the pull.
 */
export function pgTransport(config: CentralConfig): CentralTransport {
  let pool: pg.Pool | null = null;
  let standbyPool: pg.Pool | null = null;
  const getPool = () => (pool ??= createCentralPool(config));
  const checkout = async (from: pg.Pool) => {
    const client = await from.connect();
    // While checked out, the pool does not listen for this client's errors; without a listener
    // a dropped connection would be an uncaught exception. The failing query rejects anyway.
    client.on('error', onClientError);
    return client;
  };
  const giveBack = (client: pg.PoolClient) => (broken: boolean) => {
    client.off('error', onClientError);
    client.release(broken);
  };
  return {
    vectors: {
      fetch: (model, hashes) => readVectors(getPool(), model, hashes),
      share: (model, entries) => addVectors(getPool(), model, entries),
    },
    async open(readFloor) {
      const client = await checkout(getPool());
      const { readUrl } = config;
      if (!readUrl) return pgSession(client, giveBack(client));
      const connectStandby = async (): Promise<Checkout> => {
        const standby = await checkout((standbyPool ??= createCentralPool({ ...config, url: withCredentialsOf(config.url, readUrl), max: 2 })));
        return { client: standby, release: giveBack(standby) };
      };
      return pgSession(client, giveBack(client), standbyRouter(client, connectStandby, readFloor));
    },
    async close() {
      await Promise.all([pool?.end().catch(() => undefined), standbyPool?.end().catch(() => undefined)]);
      pool = null;
      standbyPool = null;
    },
  };
}
