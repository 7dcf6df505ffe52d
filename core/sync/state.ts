import { z } from 'zod';
import { walPositionSchema } from './transport/read-floor';
import { newId } from '../common/ids';
import type { Session } from '../database/session';

/** Position in the central change log: the last (xid, version) applied. */
export const cursorSchema = z.object({ xid: z.string().regex(/^\d+$/), version: z.number().int() });
export type Cursor = z.infer<typeof cursorSchema>;

export const bootstrapStateSchema = z.object({
  horizon: z.string().regex(/^\d+$/),
  tableIndex: z.number().int().min(0),
  afterId: z.string().nullable(),
  rowsDone: z.number().int().min(0),
});
export type BootstrapState = z.infer<typeof bootstrapStateSchema>;

const skippedSchema = z.array(z.object({ table: z.string(), id: z.string() }));

/** The central database this replica belongs to, and the epoch it last synced in. */
export const centralIdentitySchema = z.object({ centralId: z.string().min(1), epoch: z.string().min(1) });
export type CentralIdentity = z.infer<typeof centralIdentitySchema>;

const previousIdsSchema = z.array(z.string());
const counterSchema = z.number().int().min(0);

/** Set in a database file that was restored from a backup, so its next sync takes a new replica id. */
export const REBASE_REASON_KEY = 'sync.rebase_reason';

const KEYS = {
  clientId: 'sync.client_id',
  cursor: 'sync.cursor',
  conflictCursor: 'sync.conflict_cursor',
  bootstrap: 'sync.bootstrap',
  lastSyncedAt: 'sync.last_synced_at',
  lastError: 'sync.last_error',
  highestStamp: 'sync.highest_hlc',
  skipped: 'sync.skipped_rows',
  central: 'sync.central',
  previousClientIds: 'sync.previous_client_ids',
  seqBase: 'sync.seq_base',
  serverSeq: 'sync.server_seq',
  maxVersion: 'sync.max_version',
  rebaseReason: REBASE_REASON_KEY,
  rebuild: 'sync.rebuild_pending',
  deferredIndexes: 'sync.deferred_indexes',
  readFloor: 'sync.read_floor',
} as const;

const deferredIndexesSchema = z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9_]+$/), sql: z.string().startsWith('CREATE INDEX ') }));
export type DeferredIndex = z.infer<typeof deferredIndexesSchema>[number];

function readJson<S extends z.ZodType>(session: Session, key: string, schema: S): z.output<S> | null {
  const raw = session.getSetting(key);
  if (!raw) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The replica's sync bookkeeping, kept in local_settings next to the data it describes. */
export function createSyncState(session: Session) {
  return {
    clientId(): string {
      let id = session.getSetting(KEYS.clientId);
      if (!id) {
        id = newId();
        session.setSetting(KEYS.clientId, id);
      }
      return id;
    },
    cursor: (): Cursor | null => readJson(session, KEYS.cursor, cursorSchema),
    setCursor: (cursor: Cursor) => session.setSetting(KEYS.cursor, JSON.stringify(cursor)),
    clearCursor: () => session.setSetting(KEYS.cursor, ''),
    /** The WAL position every state this replica holds is at or before (transport/read-floor.ts). */
    readFloor: (): string | null => {
      const parsed = walPositionSchema.safeParse(session.getSetting(KEYS.readFloor));
      return parsed.success ? parsed.data : null;
    },
    setReadFloor: (floor: string | null) => session.setSetting(KEYS.readFloor, floor ?? ''),
    conflictCursor: (): Cursor => readJson(session, KEYS.conflictCursor, cursorSchema) ?? { xid: '0', version: 0 },
    setConflictCursor: (cursor: Cursor) => session.setSetting(KEYS.conflictCursor, JSON.stringify(cursor)),
    bootstrap: (): BootstrapState | null => readJson(session, KEYS.bootstrap, bootstrapStateSchema),
    setBootstrap: (state: BootstrapState | null) => session.setSetting(KEYS.bootstrap, state ? JSON.stringify(state) : ''),
    lastSyncedAt: (): string | null => session.getSetting(KEYS.lastSyncedAt) || null,
    setLastSyncedAt: (iso: string) => session.setSetting(KEYS.lastSyncedAt, iso),
    /** Central rows this replica could not store; retried on every sync. */
    skipped: (): { table: string; id: string }[] => readJson(session, KEYS.skipped, skippedSchema) ?? [],
    setSkipped: (refs: { table: string; id: string }[]) => session.setSetting(KEYS.skipped, JSON.stringify(refs.slice(0, 10_000))),
    highestStamp: (): string | null => session.getSetting(KEYS.highestStamp) || null,
    setHighestStamp: (stamp: string) => session.setSetting(KEYS.highestStamp, stamp),
    /**
     * A new replica identity (a copied or restored file, a restored or another central database):
     * the old id is remembered so conflicts recorded under it are still fetched.
     */
    renewClientId(): string {
      const previous = session.getSetting(KEYS.clientId);
      const ids = readJson(session, KEYS.previousClientIds, previousIdsSchema) ?? [];
      if (previous && !ids.includes(previous)) session.setSetting(KEYS.previousClientIds, JSON.stringify([...ids, previous].slice(-20)));
      const id = newId();
      session.setSetting(KEYS.clientId, id);
      return id;
    },
    previousClientIds: (): string[] => readJson(session, KEYS.previousClientIds, previousIdsSchema) ?? [],
    central: (): CentralIdentity | null => readJson(session, KEYS.central, centralIdentitySchema),
    setCentral: (identity: CentralIdentity) => session.setSetting(KEYS.central, JSON.stringify(identity)),
    /** Local outbox seq minus this is the seq pushed under the current replica id. */
    seqBase: (): number => readJson(session, KEYS.seqBase, counterSchema) ?? 0,
    setSeqBase: (base: number) => session.setSetting(KEYS.seqBase, JSON.stringify(base)),
    /** The last seq the server acknowledged under the current replica id (null: not known yet). */
    serverSeq: (): number | null => readJson(session, KEYS.serverSeq, counterSchema),
    setServerSeq: (seq: number) => session.setSetting(KEYS.serverSeq, JSON.stringify(seq)),
    /** The highest central change version this replica has pulled in the current epoch. */
    maxVersion: (): number => readJson(session, KEYS.maxVersion, counterSchema) ?? 0,
    setMaxVersion: (version: number) => session.setSetting(KEYS.maxVersion, JSON.stringify(version)),
    rebaseReason: (): string | null => session.getSetting(KEYS.rebaseReason) || null,
    setRebaseReason: (reason: string | null) => session.setSetting(KEYS.rebaseReason, reason ?? ''),
    /** Local data must be rebuilt from central (another epoch or another central database). */
    rebuildPending: (): boolean => session.getSetting(KEYS.rebuild) === '1',
    setRebuildPending: (pending: boolean) => session.setSetting(KEYS.rebuild, pending ? '1' : ''),
    /** Secondary indexes dropped for the bootstrap of an empty replica, rebuilt when it completes. */
    deferredIndexes: (): DeferredIndex[] => readJson(session, KEYS.deferredIndexes, deferredIndexesSchema) ?? [],
    setDeferredIndexes: (indexes: DeferredIndex[]) => session.setSetting(KEYS.deferredIndexes, indexes.length ? JSON.stringify(indexes) : ''),
    lastError: (): string | null => session.getSetting(KEYS.lastError) || null,
    setLastError: (message: string | null) => session.setSetting(KEYS.lastError, message ?? ''),
  };
}
export type SyncState = ReturnType<typeof createSyncState>;
