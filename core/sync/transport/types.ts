import type { EntityTable } from '../../mutations/types';
import type { Cursor } from '../state';
import type { CentralHello } from '../central/identity';
import type { ChangeRef, CentralConflict, CentralRow } from '../central/pull';
import type { PushMutation, PushReply } from '../central/push';
import type { SignIn } from '../central/sign-in';

/**
 * What the sync engine asks of the central database during one run, whatever carries it: a
 * PostgreSQL connection of the person's own login (`postgres://`, transport/pg.ts) or the sync
 * service (`https://`, transport/http.ts). Both give the same answers; see docs/sync-service.md.
 */
export interface CentralSession {
  centralSchemaIsCurrent(): Promise<boolean>;
  signIn(): Promise<SignIn>;
  readHello(clientId: string): Promise<CentralHello>;
  startNewEpoch(seenEpoch: string, reason: string): Promise<string>;
  pushChunk(clientId: string, mutations: PushMutation[]): Promise<PushReply>;
  readHorizon(): Promise<string>;
  readChanges(cursor: Cursor, horizon: string, limit: number): Promise<ChangeRef[]>;
  readRows(table: EntityTable, ids: string[]): Promise<CentralRow[]>;
  readSnapshotPage(table: EntityTable, afterId: string | null, limit: number): Promise<CentralRow[]>;
  countRows(tables: readonly EntityTable[]): Promise<number>;
  readConflicts(clientIds: string[], cursor: Cursor, horizon: string, limit: number): Promise<CentralConflict[]>;
  readPrunedHorizon(): Promise<string | null>;
  /** Ends the run's use of the session; `broken` drops a connection that failed. */
  release(broken: boolean): void;
}

export interface CentralTransport {
  /** A session for one sync run. */
  open(): Promise<CentralSession>;
  close(): Promise<void>;
}
