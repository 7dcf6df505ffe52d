import type pg from 'pg';
import { createLogger } from '../../common/logger';
import { createCentralPool, type CentralConfig } from '../central/connect';
import { readHello, startNewEpoch } from '../central/identity';
import { centralSchemaIsCurrent, countRows, readChanges, readConflicts, readHorizon, readPrunedHorizon, readRows, readSnapshotPage } from '../central/pull';
import { pushChunk } from '../central/push';
import { signIn } from '../central/sign-in';
import { describeSyncError } from '../errors';
import type { CentralSession, CentralTransport } from './types';

const log = createLogger('sync');

/** The calls of one run on one connection of the person's own login (row-level security applies to it directly). */
export function pgSession(client: pg.ClientBase, release: (broken: boolean) => void = () => undefined): CentralSession {
  return {
    centralSchemaIsCurrent: () => centralSchemaIsCurrent(client),
    signIn: () => signIn(client),
    readHello: (clientId) => readHello(client, clientId),
    startNewEpoch: (seenEpoch, reason) => startNewEpoch(client, seenEpoch, reason),
    pushChunk: (clientId, mutations) => pushChunk(client, clientId, mutations),
    readHorizon: () => readHorizon(client),
    readChanges: (cursor, horizon, limit) => readChanges(client, cursor, horizon, limit),
    readRows: (table, ids) => readRows(client, table, ids),
    readSnapshotPage: (table, afterId, limit) => readSnapshotPage(client, table, afterId, limit),
    countRows: (tables) => countRows(client, tables),
    readConflicts: (clientIds, cursor, horizon, limit) => readConflicts(client, clientIds, cursor, horizon, limit),
    readPrunedHorizon: () => readPrunedHorizon(client),
    release,
  };
}

const onClientError = (error: Error) => log.warn('central connection lost during sync', { error: describeSyncError(error) });

/** Direct mode (`postgres://`): a small pool of the person's own login; one connection per run. */
export function pgTransport(config: CentralConfig): CentralTransport & { pool(): pg.Pool } {
  let pool: pg.Pool | null = null;
  const getPool = () => (pool ??= createCentralPool(config));
  return {
    pool: getPool,
    async open() {
      const client = await getPool().connect();
      // While checked out, the pool does not listen for this client's errors; without a listener
      // a dropped connection would be an uncaught exception. The failing query rejects anyway.
      client.on('error', onClientError);
      return pgSession(client, (broken) => {
        client.off('error', onClientError);
        client.release(broken);
      });
    },
    async close() {
      await pool?.end().catch(() => undefined);
      pool = null;
    },
  };
}
