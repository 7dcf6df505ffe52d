import type { EntityTable } from '../../mutations/types';
import type { Cursor } from '../state';
import type { CentralHello } from '../central/identity';
import type { ChangeRef, CentralConflict, CentralRow } from '../central/pull';
import type { PushMutation, PushReply } from '../central/push';
import type { SignIn } from '../central/sign-in';
import type { CentralVectorStore } from '../central/vectors';

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
  /** The primary's horizon, for a bootstrap (always read on the primary). */
  readHorizon(): Promise<string>;
  /** One page of the change log and the horizon it was read below, from one snapshot of one server. */
  readChangePage(cursor: Cursor, limit: number): Promise<{ horizon: string; changes: ChangeRef[] }>;
  readRows(table: EntityTable, ids: string[]): Promise<CentralRow[]>;
  readSnapshotPage(table: EntityTable, afterId: string | null, limit: number): Promise<CentralRow[]>;
  countRows(tables: readonly EntityTable[]): Promise<number>;
  readConflictPage(clientIds: string[], cursor: Cursor, limit: number): Promise<{ horizon: string; conflicts: CentralConflict[] }>;
  readPrunedHorizon(): Promise<string | null>;
  /**
   * The read floor to keep after this run (transport/read-floor.ts): a WAL position at or after
   * every state this session pushed or read. Null where no standby serves reads.
   */
  readFloor(): Promise<string | null>;
  /** Ends the run's use of the session; `broken` drops a connection that failed. */
  release(broken: boolean): void;
}

export interface CentralTransport {
  /** A session for one sync run; `readFloor` is what the replica kept from its last run. */
  open(readFloor: string | null): Promise<CentralSession>;
  /** Semantic memory's shared vectors, over the same transport (outside sync runs). */
  vectors: CentralVectorStore;
  close(): Promise<void>;
}
