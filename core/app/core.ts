import { createAuditHook, createAuditQueries } from '../audit/audit';
import { createCommentsService } from '../comments/comments-service';
import { systemClock, type Clock } from '../common/time';
import { openDatabase, type SqliteDb } from '../database/open';
import { createStatementCache } from '../database/statements';
import { createEmployeesService } from '../employees/employees-service';
import { Writer } from '../mutations/writer';
import type { CommitListener } from '../mutations/types';
import { createNotificationRulesHook } from '../notifications/rules';
import { createNotificationsService } from '../notifications/notifications-service';
import { createProjectsService } from '../projects/projects-service';
import { createTasksService } from '../tasks/tasks-service';
import { Session } from '../database/session';
import { createUsersService } from '../users/users-service';
import { createDemoSeeder } from '../demo/seed-demo';
import { createHomeService } from '../home/home-service';
import { createNotificationPrefs } from '../users/notification-prefs';
import type { ServiceContext } from '../mutations/context';
import { createApplier } from '../sync/apply';
import { createIdentityBinding } from '../sync/binding';
import { readLocalWork } from '../sync/local-work';
import { setAsideAndReset } from '../sync/set-aside';
import type { LocalWork } from '../../shared/team';
import { createLocalConflicts } from '../sync/conflicts';
import { createSyncEngine, type SyncEngine, type SyncEngineOptions } from '../sync/engine';
import { HybridLogicalClock } from '../sync/hlc';
import { createOutbox, createOutboxHook } from '../sync/outbox';
import { createSyncState } from '../sync/state';
import { createMemory, type MemoryOptions } from '../memory/memory';
import { createInsightsService } from '../insights/insights-service';
import { createReportsService } from '../reports/reports-service';
import { centralSharedVectors } from '../memory/shared-vectors';

export interface CoreOptions {
  /** The replica's SQLite file, or `:memory:`. */
  dbFile: string;
  clock?: Clock;
  /** Semantic memory's embedder and provider key (default: the replica's stored choice, else local). */
  memory?: MemoryOptions;
}

/**
 * Opens the local replica and wires the domain services around one write path: the one place each
 * service is built. The Electron main process, the CLI and the tests all start here (a window adds
 * settings, desktop sync and assistant with `openDesktop`, next door).
 */
export function openCore(options: CoreOptions) {
  const db: SqliteDb = openDatabase({ file: options.dbFile });
  const statements = createStatementCache(db);
  const session = new Session(statements);
  const clock = options.clock ?? systemClock;
  const writer = new Writer(db, { clock, actor: () => session.currentUserId });
  const syncState = createSyncState(session);
  const hlc = new HybridLogicalClock(syncState.clientId(), () => clock.now().getTime());
  // A clock set back across a restart must not stamp new edits earlier than old ones.
  for (const stamp of [syncState.highestStamp(), (db.prepare('SELECT max(hlc) AS h FROM sync_outbox').get() as { h: string | null }).h]) {
    if (stamp) hlc.observe(stamp);
  }
  // The outbox hook comes first: a change must be queued before anything it causes (a notification
  // referencing a new task), so the server receives them in causal order.
  writer.addHook(createOutboxHook(db, hlc));
  writer.addHook(createAuditHook(db));
  writer.addHook(createNotificationRulesHook());

  const ctx: ServiceContext = { db, statements, writer, clock, session };
  // Semantic memory follows tasks, comments and projects through a queue its triggers fill, not a
  // hook: memory rows are derived and synced in their own transactions, off the edit's hot path.
  const memory = createMemory(ctx, options.memory);

  const audit = createAuditQueries(db);
  const users = createUsersService(ctx);
  const employees = createEmployeesService(ctx);
  const projects = createProjectsService(ctx);
  const comments = createCommentsService(ctx, { users });
  const currentEmployeeId = () => {
    const userId = session.currentUserId;
    return userId ? (employees.forUser(userId)?.id ?? null) : null;
  };
  const tasks = createTasksService(ctx, { comments: () => comments, audit, currentEmployeeId });
  const notifications = createNotificationsService(ctx);
  const insights = createInsightsService(ctx, { projects, employees });
  const outbox = createOutbox(db);
  const applier = createApplier(db, outbox);
  const conflicts = createLocalConflicts(db, { writer: () => writer, outbox, currentUserId: () => session.currentUserId });
  const binding = createIdentityBinding({ db, session, applier, outbox, state: syncState });
  const syncDeps = { db, session, clock, state: syncState, outbox, applier, conflicts, binding };
  const notificationPrefs = createNotificationPrefs({ users, session });
  const home = createHomeService({
    statements,
    clock,
    session,
    currentEmployeeId,
    sync: () => ({ pending: outbox.pendingCount(), conflicts: conflicts.openCount(), lastSyncedAt: syncState.lastSyncedAt() }),
  });

  const core = {
    dbFile: options.dbFile,
    db,
    writer,
    session,
    clock,
    audit,
    users,
    employees,
    projects,
    tasks,
    comments,
    notifications,
    notificationPrefs,
    home,
    memory,
    insights,
    reports: createReportsService({ insights, projects, employees, now: () => clock.now() }),
    currentEmployeeId,
    sync: {
      state: syncState,
      outbox,
      conflicts,
      hlc,
      /** Who this replica belongs to (docs/team-identity.md). */
      binding,
      /** Work here that no central database has seen (what the first-connect choice is about). */
      localWork: (): LocalWork => readLocalWork(db, session),
      /** Keeps the whole replica in a file beside it and empties it (start fresh, sign out); returns the file. */
      setAside: (label: 'before-joining' | 'signed-out'): string => setAsideAndReset({ db, session, applier, now: clock.now() }, label),
      /** An engine bound to a central database; the caller owns and closes it. */
      connect: (options: SyncEngineOptions): SyncEngine => {
        const engine = createSyncEngine(syncDeps, options);
        // Semantic memory takes and shares vectors through the same central database, over the same transport.
        memory.useSharedVectors(centralSharedVectors(() => engine.vectors));
        return {
          ...engine,
          async close() {
            memory.useSharedVectors(null);
            await engine.close();
          },
        };
      },
    },
    /** Listen to every committed batch of changes (for UI refresh, OS notifications, sync). */
    onChanges(listener: CommitListener): () => void {
      return writer.onCommit(listener);
    },
    /** True when the replica holds no work yet (first launch). */
    isEmpty(): boolean {
      const row = statements.get('SELECT EXISTS (SELECT 1 FROM tasks) OR EXISTS (SELECT 1 FROM projects) OR EXISTS (SELECT 1 FROM employees) AS any').get() as { any: number };
      return row.any === 0;
    },
    close(): void {
      void memory.stop();
      if (db.open) db.close();
    },
  };
  const demo = createDemoSeeder(core);
  return Object.assign(core, { demo });
}

export type Core = ReturnType<typeof openCore>;
