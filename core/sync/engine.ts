import type { SyncState as SyncStateValue } from '../../shared/settings';
import { AppError } from '../common/errors';
import { createLogger } from '../common/logger';
import { isoNow, type Clock } from '../common/time';
import type { SqliteDb } from '../database/open';
import type { EntityTable } from '../mutations/types';
import type { Session } from '../database/session';
import type { Applier, ApplyBatch, SkippedRow } from './apply';
import { isSyncedTable, rowToLocal, SYNC_ORDER, TABLE_SPECS, toCentralValue } from './columns';
import type { CentralConfig } from './central/connect';
import type { PushMutation } from './central/push';
import { notMigratedError, type CentralHello } from './central/identity';
import { openTransport } from './transport/open';
import type { CentralSession } from './transport/types';
import { HISTORY_DAYS, HISTORY_MAX } from './outbox';
import { describeSyncError, isOfflineError } from './errors';
import type { Outbox, OutboxEntry } from './outbox';
import type { BootstrapState, SyncState } from './state';
import { isAboutVisibleRow, type LocalConflicts } from './conflicts';
import { FOREIGN_KEYS } from './validate-row';
import { createStatementCache } from '../database/statements';
import type { FirstConnectChoice, SignedInUser } from '../../shared/team';
import type { IdentityBinding } from './binding';
import type { SignIn } from './central/sign-in';
import { describeLocalWork, readLocalWork } from './local-work';
import { setAsideAndReset } from './set-aside';

const log = createLogger('sync');

export type SyncStateName = SyncStateValue;

export interface SyncStatus {
  state: SyncStateName;
  pending: number;
  rejected: number;
  lastSyncedAt: string | null;
  lastError: string | null;
  /** The last run was refused because this replica belongs to another central database: joining it is the way on. */
  needsJoin: boolean;
  /** The first connection was refused until the person chooses to upload their local work or start from the team's. */
  needsChoice: boolean;
  /** The person the server said this replica belongs to (null until the first sign-in). */
  signedIn: SignedInUser | null;
  cursor: { xid: string; version: number } | null;
}

export interface SyncProgress {
  phase: 'push' | 'bootstrap' | 'pull';
  table?: string;
  done: number;
  total: number | null;
}

export interface SyncResult {
  pushed: number;
  pulled: number;
  conflicts: number;
  rejected: number;
  skipped: SkippedRow[];
  bootstrapped: boolean;
  replaced: boolean;
  durationMs: number;
  tables: EntityTable[];
  /** Set when this run gave the replica a new identity (docs/sync-identity.md); say it to the person. */
  identity: IdentityEvent | null;
  /** Who the server said signed in (set on every run). */
  signedIn: SignedInUser | null;
  /** Rows of earlier local work handed to the signed-in person on this run (first sign-in). */
  reattributed: number;
  /** Where local work was kept when the person chose to start from the team's data. */
  setAside: string | null;
}

export interface IdentityEvent {
  kind: 'copied' | 'central-restored' | 'joined';
  message: string;
  clientId: string;
  previousClientId: string;
  /** Acknowledged mutations pushed again from the local history. */
  replayed: number;
  /** Pending mutations moved to the new identity. */
  pending: number;
}

export interface SyncEngineDeps {
  db: SqliteDb;
  session: Session;
  clock: Clock;
  state: SyncState;
  outbox: Outbox;
  applier: Applier;
  conflicts: LocalConflicts;
  binding: IdentityBinding;
}

export interface SyncEngineOptions {
  central: CentralConfig;
  /** Mutations per push round trip. */
  pushChunkSize?: number;
  /** Change-log entries per pull page. */
  pullPageSize?: number;
  /** Rows per bootstrap page (one local transaction each). */
  bootstrapPageSize?: number;
  onProgress?: (progress: SyncProgress) => void;
  /**
   * Accept a central database other than the one this replica belongs to: local data is rebuilt
   * from it and pending work pushed to it. Without it such a server is refused.
   */
  join?: boolean;
  /**
   * The person's choice for the first connection of a replica that holds local work no central
   * database has seen: push it to the team, or keep it in a moved-aside file and start from the
   * team's data. Without it, such a first connection is refused and nothing is sent.
   */
  firstConnect?: FirstConnectChoice;
  /** Called between pages so long work yields to the event loop. */
  yieldBetweenPages?: () => Promise<void>;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reconciles the replica with the central PostgreSQL: push the outbox, bootstrap or pull the
 * change log, fetch conflicts this replica lost. One run at a time; each step is resumable, so a
 * run interrupted anywhere (crash, dropped connection) is completed by the next one.
 */
export function createSyncEngine(deps: SyncEngineDeps, options: SyncEngineOptions) {
  const pushChunkSize = options.pushChunkSize ?? 500;
  const pullPageSize = options.pullPageSize ?? 2000;
  const bootstrapPageSize = options.bootstrapPageSize ?? 5000;
  const pause = options.yieldBetweenPages ?? yieldToLoop;
  const progress = options.onProgress ?? (() => undefined);
  const transport = openTransport(options.central);
  let running: Promise<SyncResult> | null = null;
  let currentState: SyncStateName = 'idle';
  let needsJoin = false;
  let needsChoice = false;
  const statusListeners = new Set<(status: SyncStatus) => void>();

  const statements = createStatementCache(deps.db);

  const status = (): SyncStatus => ({
    state: currentState,
    pending: deps.outbox.pendingCount(),
    rejected: deps.outbox.rejected().length,
    lastSyncedAt: deps.state.lastSyncedAt(),
    lastError: deps.state.lastError(),
    needsJoin,
    needsChoice,
    signedIn: deps.binding.bound(),
    cursor: deps.state.cursor(),
  });

  const setState = (state: SyncStateName) => {
    currentState = state;
    const snapshot = status();
    for (const listener of statusListeners) listener(snapshot);
  };

  const toPushMutation = (entry: OutboxEntry): PushMutation => {
    const spec = TABLE_SPECS[entry.table];
    const fields: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(entry.fields)) {
      const columnSpec = spec.byName.get(column);
      if (columnSpec) fields[column] = toCentralValue(columnSpec, value);
    }
    return { seq: entry.seq - deps.state.seqBase(), mutationId: entry.mutationId, table: entry.table, rowId: entry.rowId, op: entry.op, fields, baseVersion: entry.baseVersion, hlc: entry.hlc, tx: entry.txId };
  };

  async function push(central: CentralSession, result: SyncResult): Promise<void> {
    const clientId = deps.state.clientId();
    const total = deps.outbox.pendingCount();
    let done = 0;
    const notApplied = new Map<EntityTable, Set<string>>();
    for (;;) {
      const batch = deps.outbox.nextChunk(pushChunkSize);
      if (batch.length === 0) break;
      const base = deps.state.seqBase();
      const bySeq = new Map(batch.map((m) => [m.seq - base, m]));
      const reply = await central.pushChunk(clientId, batch.map(toPushMutation));
      const highest = batch[batch.length - 1]?.hlc;
      const ackedAt = isoNow(deps.clock);
      deps.db.transaction(() => {
        if (highest && highest > (deps.state.highestStamp() ?? '')) deps.state.setHighestStamp(highest);
        deps.state.setServerSeq(reply.lastSeq);
        for (const outcome of reply.results) {
          const entry = bySeq.get(outcome.seq);
          if (!entry) continue;
          if (outcome.status === 'rejected' || outcome.status === 'conflict') {
            let ids = notApplied.get(entry.table);
            if (!ids) notApplied.set(entry.table, (ids = new Set()));
            ids.add(entry.rowId);
          }
          if (outcome.status === 'rejected') {
            deps.outbox.reject(entry.seq, `${outcome.code ?? 'REJECTED'}: ${outcome.reason ?? 'refused by the server'}`);
            result.rejected += 1;
          } else {
            deps.outbox.acknowledge(entry.seq, ackedAt);
            if (outcome.status !== 'duplicate') result.pushed += 1;
          }
        }
        deps.outbox.pruneHistory(new Date(ackedAt));
      })();
      done += batch.length;
      progress({ phase: 'push', done, total });
      if (reply.results.length === 0) break;
      await pause();
    }
    await resyncRows(central, notApplied, result);
  }

  /**
   * Rows whose local change the server did not take as is (refused, or lost a conflict) are read
   * back from central at once, so the replica stops showing a state that exists nowhere else;
   * the losing values stay listed as conflicts or refused changes.
   */
  async function resyncRows(central: CentralSession, refs: Map<EntityTable, Set<string>>, result: SyncResult): Promise<void> {
    if (refs.size === 0) return;
    const batch: ApplyBatch = { upserts: [], deletes: [] };
    for (const [table, ids] of refs) {
      const rows = await central.readRows(table, [...ids]);
      const found = new Set(rows.map((r) => String(r.row.id)));
      batch.upserts.push(...localRows(table, rows));
      for (const id of ids) if (!found.has(id)) batch.deletes.push({ table, id });
    }
    await fetchMissingParents(central, batch);
    absorb(result, deps.applier.apply(batch));
  }

  const localRows = (table: EntityTable, rows: { row: Record<string, unknown>; version: number | null }[]) => {
    noteVersion(Math.max(0, ...rows.map((r) => r.version ?? 0)));
    return rows.map((r) => ({ table, row: rowToLocal(table, r.row), version: r.version }));
  };

  /** The highest central version seen: central later ending below it was restored from a snapshot. */
  const noteVersion = (version: number) => {
    if (version > deps.state.maxVersion()) deps.state.setMaxVersion(version);
  };

  function absorb(result: SyncResult, applied: { upserted: number; deleted: number; skipped: SkippedRow[]; tables: EntityTable[] }) {
    result.pulled += applied.upserted + applied.deleted;
    result.skipped.push(...applied.skipped);
    if (applied.skipped.length > 0) {
      const known = deps.state.skipped();
      const keys = new Set(known.map((r) => `${r.table}:${r.id}`));
      deps.state.setSkipped([...known, ...applied.skipped.filter((r) => !keys.has(`${r.table}:${r.id}`)).map(({ table, id }) => ({ table, id }))]);
    }
    for (const t of applied.tables) if (!result.tables.includes(t)) result.tables.push(t);
    for (const s of applied.skipped) log.warn('skipped a central row', { table: s.table, id: s.id, reason: s.reason });
  }

  async function bootstrap(central: CentralSession, result: SyncResult): Promise<void> {
    const resumed = deps.state.bootstrap();
    const state: BootstrapState = resumed ?? { horizon: await central.readHorizon(), tableIndex: 0, afterId: null, rowsDone: 0 };
    deps.db.transaction(() => {
      deps.state.setBootstrap(state);
      // An empty replica loads without its secondary indexes, rebuilt once at the end (in the
      // transaction that completes the bootstrap). The list is recorded with the drop, so a
      // crash in between resumes without them and still rebuilds them.
      if (!resumed && deps.state.deferredIndexes().length === 0 && deps.applier.syncedTablesEmpty()) {
        deps.state.setDeferredIndexes(deps.applier.dropSecondaryIndexes());
      }
    })();
    const total = await central.countRows(SYNC_ORDER);
    // Bootstrap is resumable page by page and re-readable from central, so it need not pay for
    // an fsync per page; full durability comes back before anything local is written on top.
    deps.db.pragma('synchronous = NORMAL');
    try {
      await bootstrapPages(central, result, state, total);
    } finally {
      deps.db.pragma('synchronous = FULL');
    }
  }

  async function bootstrapPages(central: CentralSession, result: SyncResult, initial: BootstrapState, total: number): Promise<void> {
    let state = initial;
    while (state.tableIndex < SYNC_ORDER.length) {
      const table = SYNC_ORDER[state.tableIndex] as EntityTable;
      const rows = await central.readSnapshotPage(table, state.afterId, bootstrapPageSize);
      const next: BootstrapState = rows.length < bootstrapPageSize
        ? { ...state, tableIndex: state.tableIndex + 1, afterId: null, rowsDone: state.rowsDone + rows.length }
        : { ...state, afterId: String(rows[rows.length - 1]?.row.id), rowsDone: state.rowsDone + rows.length };
      const batch: ApplyBatch = { upserts: localRows(table, rows), deletes: [] };
      // A row may reference one in a later page (a manager whose id sorts later): fetch it now.
      await fetchMissingParents(central, batch);
      const applied = deps.applier.apply(batch, () => deps.state.setBootstrap(next), { bulk: true });
      absorb(result, applied);
      state = next;
      progress({ phase: 'bootstrap', table, done: state.rowsDone, total });
      await pause();
    }
    // Everything committed before the horizon was in the snapshot; the change log covers the rest.
    deps.db.transaction(() => {
      deps.applier.restoreIndexes(deps.state.deferredIndexes());
      deps.state.setDeferredIndexes([]);
      deps.state.setCursor({ xid: state.horizon, version: -1 });
      deps.state.setBootstrap(null);
    })();
    result.bootstrapped = true;
  }

  async function pull(central: CentralSession, result: SyncResult): Promise<void> {
    for (;;) {
      const cursor = deps.state.cursor();
      if (!cursor) return;
      const { horizon, changes } = await central.readChangePage(cursor, pullPageSize);
      if (changes.length === 0) {
        // Everything below the horizon has been read: move up to it, so a pruned change log
        // does not mistake an up-to-date replica for a stale one.
        if (BigInt(horizon) > BigInt(cursor.xid)) deps.state.setCursor({ xid: horizon, version: -1 });
        return;
      }
      const last = changes[changes.length - 1] as (typeof changes)[number];
      noteVersion(Math.max(...changes.map((c) => c.version)));
      const batch: ApplyBatch = { upserts: [], deletes: [] };
      const deleted = new Set<string>();
      const wanted = new Map<EntityTable, Set<string>>();
      for (const change of changes) {
        const key = `${change.table}:${change.rowId}`;
        if (change.op === 'delete') {
          deleted.add(key);
          batch.deletes.push({ table: change.table, id: change.rowId });
          wanted.get(change.table)?.delete(change.rowId);
        } else if (!deleted.has(key)) {
          let set = wanted.get(change.table);
          if (!set) wanted.set(change.table, (set = new Set()));
          set.add(change.rowId);
        }
      }
      for (const [table, ids] of wanted) {
        const rows = await central.readRows(table, [...ids]);
        const found = new Set(rows.map((r) => String(r.row.id)));
        batch.upserts.push(...localRows(table, rows));
        // Gone since, or no longer visible to this user: remove the local copy.
        for (const id of ids) if (!found.has(id)) batch.deletes.push({ table, id });
      }
      await fetchMissingParents(central, batch);
      // A short page means every change below the horizon has been read: the cursor may move up
      // to the horizon itself.
      const caughtUp = changes.length < pullPageSize && BigInt(horizon) > BigInt(last.xid);
      const next = caughtUp ? { xid: horizon, version: -1 } : { xid: last.xid, version: last.version };
      const applied = deps.applier.apply(batch, () => deps.state.setCursor(next));
      absorb(result, applied);
      progress({ phase: 'pull', done: result.pulled, total: null });
      if (changes.length < pullPageSize) return;
      await pause();
    }
  }

  /** A pulled row may reference a parent that changed in a later page: fetch such parents now. */
  async function fetchMissingParents(central: CentralSession, batch: ApplyBatch): Promise<void> {
    for (let depth = 0; depth < 3; depth += 1) {
      const have = new Set(batch.upserts.map((u) => `${u.table}:${String(u.row.id)}`));
      const missing = new Map<EntityTable, Set<string>>();
      for (const u of batch.upserts) {
        for (const fk of FOREIGN_KEYS[u.table]) {
          const ref = u.row[fk.column];
          if (typeof ref !== 'string' || have.has(`${fk.parent}:${ref}`)) continue;
          if (statements.get(`SELECT 1 FROM "${fk.parent}" WHERE id = ?`).get(ref)) continue;
          let set = missing.get(fk.parent);
          if (!set) missing.set(fk.parent, (set = new Set()));
          set.add(ref);
        }
      }
      if (missing.size === 0) return;
      for (const [table, ids] of missing) batch.upserts.unshift(...localRows(table, await central.readRows(table, [...ids])));
    }
  }

  /**
   * Rows skipped earlier (bad values, a parent this replica could not store) are read again: one
   * may have been corrected, or its parent may have arrived, without the row itself changing.
   * Rows that still cannot be stored stay on the list without being reported again.
   */
  async function retrySkipped(central: CentralSession, result: SyncResult): Promise<void> {
    const refs = deps.state.skipped();
    if (refs.length === 0) return;
    const batch: ApplyBatch = { upserts: [], deletes: [] };
    const byTable = new Map<EntityTable, string[]>();
    for (const ref of refs) if (isSyncedTable(ref.table)) byTable.set(ref.table, [...(byTable.get(ref.table) ?? []), ref.id]);
    for (const [table, ids] of byTable) batch.upserts.push(...localRows(table, await central.readRows(table, ids)));
    await fetchMissingParents(central, batch);
    const applied = deps.applier.apply(batch);
    deps.state.setSkipped(applied.skipped.map(({ table, id }) => ({ table, id })));
    result.pulled += applied.upserted;
    for (const t of applied.tables) if (!result.tables.includes(t)) result.tables.push(t);
  }

  async function pullConflicts(central: CentralSession, result: SyncResult): Promise<void> {
    const clientIds = [deps.state.clientId(), ...deps.state.previousClientIds()];
    for (;;) {
      const { horizon, conflicts } = await central.readConflictPage(clientIds, deps.state.conflictCursor(), 500);
      const last = conflicts[conflicts.length - 1];
      // A short page has read every conflict below the horizon: move up to it, or every sync
      // rescans the whole fleet's conflicts since this replica's last own one.
      const next = conflicts.length < 500 ? { xid: horizon, version: -1 } : { xid: String(last?.xid), version: Number(last?.seq) };
      const visible = conflicts.filter((c) => isAboutVisibleRow(c, deps.session.currentUserId));
      deps.db.transaction(() => {
        for (const c of visible) deps.conflicts.record(c);
        deps.state.setConflictCursor(next);
      })();
      result.conflicts += visible.length;
      if (conflicts.length < 500) return;
    }
  }

  async function needsReplacement(central: CentralSession): Promise<boolean> {
    const cursor = deps.state.cursor();
    if (!cursor) return false;
    const pruned = await central.readPrunedHorizon();
    return pruned !== null && BigInt(cursor.xid) < BigInt(pruned);
  }

  const shortId = (id: string) => id.slice(-8);

  /**
   * Gives the replica a new identity and re-queues its work under it (one local transaction): its
   * pending mutations, and with `history` the acknowledged ones it still keeps, which central lost.
   */
  function rebase(kind: IdentityEvent['kind'], reason: string, options: { history: boolean; rebuild: boolean }): IdentityEvent {
    return deps.db.transaction((): IdentityEvent => {
      const previousClientId = deps.state.clientId();
      const oldest = deps.outbox.oldestHistoryAt();
      const { base, replayed, pending } = deps.outbox.requeue({ history: options.history });
      const clientId = deps.state.renewClientId();
      deps.state.setSeqBase(base);
      deps.state.setServerSeq(0);
      deps.state.setRebaseReason(null);
      if (options.rebuild) deps.state.setRebuildPending(true);
      const kept = options.history
        ? ` ${replayed} acknowledged ${replayed === 1 ? 'change' : 'changes'} from local history (kept ${HISTORY_DAYS} days, at most ${HISTORY_MAX}; oldest ${oldest ?? 'none'}) are pushed again;`
        : '';
      const message = `${reason}. This replica now syncs as a new replica ${shortId(clientId)} (was ${shortId(previousClientId)});${kept} ${pending} pending ${pending === 1 ? 'change is' : 'changes are'} pushed under the new identity${options.rebuild ? ', and local data is rebuilt from central' : ''}.`;
      log.warn('replica identity renewed', { kind, previousClientId, clientId, replayed, pending });
      return { kind, message, clientId, previousClientId, replayed, pending };
    })();
  }

  /** Central acknowledged more to this replica than it now remembers, or issued versions it no longer has. */
  function centralRestoreEvidence(hello: CentralHello): string | null {
    const acknowledged = deps.state.serverSeq();
    const remembered = hello.lastSeq ?? 0;
    if (acknowledged !== null && remembered < acknowledged) {
      return `the central database no longer has changes it acknowledged to this replica (it remembers up to #${remembered}, it acknowledged #${acknowledged})`;
    }
    const seen = deps.state.maxVersion();
    if (seen > hello.maxVersion) return `the central change log ends at version ${hello.maxVersion} but this replica already pulled version ${seen}`;
    return null;
  }

  /**
   * Central remembers a later mutation of this replica id than this file knows was acknowledged.
   * If that mutation is still pending here the reply to the last push was lost (the push repeats
   * it); otherwise another copy of this file pushed under the same id.
   */
  function copyEvidence(hello: CentralHello): string | null {
    const acknowledged = deps.state.serverSeq();
    if (acknowledged === null || hello.lastSeq === null || hello.lastSeq <= acknowledged || !hello.lastMutationId) return null;
    if (deps.outbox.hasPending(hello.lastSeq + deps.state.seqBase(), hello.lastMutationId)) return null;
    return 'This database is a copy (or a restored backup) of a replica that has synced since it was made';
  }

  /**
   * Before anything is pushed: is this the central database and epoch the replica belongs to, and
   * is this file the only one using its replica id? See docs/sync-identity.md.
   */
  async function checkIdentity(central: CentralSession, result: SyncResult, join: boolean): Promise<void> {
    const hello = await central.readHello(deps.state.clientId());
    const known = deps.state.central();
    let epoch = hello.epoch;
    if (known && known.centralId !== hello.centralId) {
      if (!join) {
        // The message names no way to join: the CLI (--join) and the desktop (a button) each add theirs.
        needsJoin = true;
        throw new AppError(
          'CONFLICT',
          `This replica belongs to another central database (${shortId(known.centralId)}); this server is ${shortId(hello.centralId)}, so nothing was sent. ` +
            `Joining this server rebuilds local data from it and pushes your ${deps.outbox.pendingCount()} pending changes to it.`,
        );
      }
      deps.binding.clear();
      result.identity = rebase('joined', `Joined the central database ${shortId(hello.centralId)} (this replica belonged to ${shortId(known.centralId)})`, { history: false, rebuild: true });
    } else if (known) {
      if (epoch === known.epoch) {
        const evidence = centralRestoreEvidence(hello);
        if (evidence) epoch = await central.startNewEpoch(known.epoch, evidence);
      }
      if (epoch !== known.epoch) {
        const why = hello.epoch !== known.epoch ? (hello.epochReason ?? 'a new epoch was started') : (centralRestoreEvidence(hello) ?? 'a new epoch was started');
        result.identity = rebase('central-restored', `The central database was restored (${why})`, { history: true, rebuild: true });
      }
    }
    if (!result.identity) {
      const reason = deps.state.rebaseReason() ?? copyEvidence(hello);
      if (reason) result.identity = rebase('copied', reason, { history: false, rebuild: false });
    }
    deps.state.setCentral({ centralId: hello.centralId, epoch });
  }

  /** The server refused a push as a reused sequence (CSSEQ) or a sequence gap (CSGAP). */
  const sqlState = (error: unknown): string | null => {
    const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
    return typeof code === 'string' ? code : null;
  };

  /**
   * Push, and if the server answers that this replica id's sequence was used by another copy
   * (CSSEQ) or that it lost part of it (CSGAP: restored without anything else noticing), take a
   * new identity as the identity check would have, and push once more.
   */
  async function pushGuarded(central: CentralSession, result: SyncResult): Promise<void> {
    try {
      await push(central, result);
    } catch (error) {
      const code = sqlState(error);
      if (result.identity || (code !== 'CSSEQ' && code !== 'CSGAP')) throw error;
      if (code === 'CSSEQ') {
        result.identity = rebase('copied', 'Another copy of this replica pushed under the same replica id', { history: false, rebuild: false });
      } else {
        const known = deps.state.central();
        const epoch = known ? await central.startNewEpoch(known.epoch, 'mutation sequence gap: central lost changes it had acknowledged') : null;
        if (known && epoch) deps.state.setCentral({ centralId: known.centralId, epoch });
        result.identity = rebase('central-restored', 'The central database lost changes it had acknowledged to this replica', { history: true, rebuild: true });
      }
      await push(central, result);
    }
  }

  /**
   * The first connection of a replica holding work no central database has seen happens only on
   * the person's word: upload it, or keep it aside and start from the team's data.
   */
  function firstConnection(result: SyncResult, choice: FirstConnectChoice | undefined): void {
    const work = readLocalWork(deps.db, deps.session);
    if (work.pendingChanges === 0) return;
    if (!choice) {
      needsChoice = true;
      throw new AppError(
        'CONFLICT',
        `This laptop holds ${describeLocalWork(work)} that no team has seen yet, so nothing was sent. ` +
          `Choose to upload it to the team, or to start from the team's data (your local work is then kept in a file beside this one: not uploaded, not deleted).`,
      );
    }
    if (choice === 'start-fresh') {
      result.setAside = setAsideAndReset({ db: deps.db, session: deps.session, applier: deps.applier, now: deps.clock.now() }, 'before-joining');
      log.info('local work kept aside; starting from the team data', { file: result.setAside });
    }
  }

  /**
   * Is this replica the signed-in person's? The first sign-in on this central database binds it
   * and hands the work made here before (under a provisional profile, or none) to that person, in
   * one local transaction before anything is pushed. A replica bound to someone else is refused:
   * another person uses another local database (sign out first).
   */
  async function bindToPerson(central: CentralSession, me: SignIn, result: SyncResult): Promise<void> {
    const centralId = deps.state.central()?.centralId;
    if (!centralId) return;
    const bound = deps.binding.bound();
    if (bound && bound.centralId === centralId) {
      if (bound.userId === me.user.userId) return;
      throw new AppError(
        'CONFLICT',
        `This laptop's data belongs to ${bound.fullName} (login ${bound.login}) on this server, but ${me.user.fullName} (login ${me.user.login}) signed in, so nothing was sent. ` +
          `Sign out first (it pushes ${bound.fullName}'s pending changes and keeps their data in a file), then sign in again.`,
      );
    }
    const [row] = localRows('users', await central.readRows('users', [me.user.userId]));
    if (!row) throw new AppError('UNAVAILABLE', `The central database named ${me.user.username} as this login's person but does not show their user row; nothing was sent`);
    result.reattributed = deps.binding.bind(me, centralId, row).reattributed;
  }

  async function run(join: boolean, choice: FirstConnectChoice | undefined): Promise<SyncResult> {
    const started = performance.now();
    const result: SyncResult = {
      pushed: 0, pulled: 0, conflicts: 0, rejected: 0, skipped: [], bootstrapped: false, replaced: false, durationMs: 0, tables: [], identity: null,
      signedIn: null, reattributed: 0, setAside: null,
    };
    setState('syncing');
    let central: CentralSession | null = null;
    try {
      central = await transport.open(deps.state.readFloor());
      // Before anything else: pushes under this release's column names to an older schema would be
      // dropped field by field, and an unmigrated one has no identity to check.
      if (!(await central.centralSchemaIsCurrent())) throw notMigratedError();
      // Who this is before anything else: an unmapped or revoked login changes nothing here.
      const me = await central.signIn();
      result.signedIn = me.user;
      if (deps.state.central() === null) firstConnection(result, choice);
      needsChoice = false;
      await checkIdentity(central, result, join);
      needsJoin = false;
      await bindToPerson(central, me, result);
      await pushGuarded(central, result);
      // Kept as soon as the push is acknowledged: a crash before the pull must not let a lagging
      // standby show this replica a state older than its own pushes.
      if (result.pushed > 0) deps.state.setReadFloor(await central.readFloor());
      const rebuild = deps.state.rebuildPending();
      if (rebuild || (await needsReplacement(central))) {
        log.warn(rebuild ? 'rebuilding the replica from another central database or epoch (pending changes are kept)' : 'replica is older than the central change log; replacing it (pending changes are kept)');
        deps.applier.wipeSyncedTables();
        deps.db.transaction(() => {
          deps.state.clearCursor();
          deps.state.setBootstrap(null);
          if (rebuild) {
            // Versions and transaction ids of another epoch or server mean nothing here.
            deps.state.setConflictCursor({ xid: '0', version: 0 });
            deps.state.setMaxVersion(0);
            deps.state.setSkipped([]);
            deps.state.setRebuildPending(false);
            deps.state.setReadFloor(null);
          }
        })();
        result.replaced = true;
      }
      if (!deps.state.cursor()) {
        await bootstrap(central, result);
        if (result.replaced) deps.applier.reapplyAllPending();
      }
      await pull(central, result);
      await retrySkipped(central, result);
      await pullConflicts(central, result);
      const readFloor = await central.readFloor();
      deps.db.transaction(() => {
        deps.state.setLastSyncedAt(isoNow(deps.clock));
        deps.state.setLastError(null);
        if (readFloor !== null) deps.state.setReadFloor(readFloor);
      })();
      result.durationMs = Math.round(performance.now() - started);
      setState('idle');
      return result;
    } catch (error) {
      const offline = isOfflineError(error);
      deps.state.setLastError(describeSyncError(error));
      if (!offline) log.error('sync failed', { error: describeSyncError(error) });
      setState(offline ? 'offline' : 'error');
      throw error;
    } finally {
      central?.release(Boolean(currentState === 'offline' || currentState === 'error'));
    }
  }

  /**
   * Runs one sync; a call while one is running joins it. `join` accepts another central database
   * for this run (as `SyncEngineOptions.join` does for every run); it waits for a run in progress
   * rather than sharing it, since that run would refuse the server. `firstConnect` is the
   * person's choice for a first connection (see `SyncEngineOptions.firstConnect`).
   */
  function syncOnce(request: { join?: boolean; firstConnect?: FirstConnectChoice } = {}): Promise<SyncResult> {
    const join = Boolean(options.join || request.join);
    const choice = request.firstConnect ?? options.firstConnect;
    if (running && ((join && !options.join) || request.firstConnect)) return running.catch(() => undefined).then(() => syncOnce(request));
    running ??= run(join, choice).finally(() => {
      running = null;
    });
    return running;
  }

  return {
    status,
    /** Semantic memory's shared vectors over this engine's transport (direct or the sync service). */
    vectors: transport.vectors,
    onStatus(listener: (status: SyncStatus) => void): () => void {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    syncOnce,
    async close(): Promise<void> {
      await running?.catch(() => undefined);
      await transport.close();
    },
  };
}

export type SyncEngine = ReturnType<typeof createSyncEngine>;
