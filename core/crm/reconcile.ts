import { AppError } from '../common/errors';
import { createLogger } from '../common/logger';
import { systemClock, type Clock } from '../common/time';
import { connectCentral, type CentralConfig } from '../sync/central/connect';
import { createBridgeState } from './bridge-state';
import { openCentralSide, type CentralSide } from './central-side';
import { describeCrm, parseCrmConfig, type CrmConfigInput } from './config';
import { connectCrm } from './connect';
import { createCrmReader } from './crm-reader';
import { createCrmWriter } from './crm-writer';
import type { EntityContext, SharedEntity } from './entities';
import { takeLease, type LeaseTiming } from './lease';
import { reconcileShared } from './shared-entity';
import { reconcileStaff } from './staff';
import { createTally, type SkippedRow } from './tally';
import { isoToNaive } from './timezone';

const log = createLogger('crm');

export interface CrmReconcileOptions {
  central: CentralConfig;
  crm: CrmConfigInput;
  clock?: Clock;
  onProgress?: (phase: string) => void | Promise<void>;
  /** The reconciler lease's length and renewal interval (defaults: 2 min, renewed every 30 s). */
  lease?: LeaseTiming;
}

export interface CrmReconcileResult {
  /** False when another reconciler held the lease; nothing was read or written. */
  ran: boolean;
  reason?: string;
  imported: number;
  exported: number;
  conflicts: number;
  skipped: SkippedRow[];
  warnings: string[];
  durationMs: number;
}

const SHARED: SharedEntity[] = ['projects', 'tasks', 'comments'];

/**
 * One reconcile between the central PostgreSQL and Perfex CRM: staff, then projects, tasks and
 * comments, each by content hashes against the merge base. Guarded by a lease in the central
 * database (lease.ts) so only one reconciler runs at a time, through a transaction pooler too; the
 * others return `ran: false` at once.
 */
export async function reconcileCrm(options: CrmReconcileOptions): Promise<CrmReconcileResult> {
  const started = Date.now();
  const clock = options.clock ?? systemClock;
  const config = parseCrmConfig(options.crm);
  const tally = createTally();
  const centralConfig = { ...options.central, queryTimeoutMs: options.central.queryTimeoutMs ?? 120_000 };
  const attempt = await takeLease(() => connectCentral(centralConfig), options.lease);
  if (!attempt.ok) {
    return { ran: false, reason: attempt.reason, imported: 0, exported: 0, conflicts: 0, skipped: [], warnings: [], durationMs: Date.now() - started };
  }
  const { lease } = attempt;
  try {
    const pg = await connectCentral(centralConfig);
    const fence = lease.fenceOn(pg);
    const state = createBridgeState(pg, fence);
    try {
      const crm = await connectCrm(config);
      try {
        const target = describeCrm(config);
        const paired = await state.get<string>('crm_target');
        if (paired && paired !== target) {
          throw new AppError('CONFLICT', `This central database is paired with the CRM ${paired}, not ${target}; a second CRM is not supported`);
        }
        if (!paired) await state.set('crm_target', target);

        const central = await openCentralSide(pg, () => clock.now().getTime(), fence);
        const reader = createCrmReader(crm, config.chunkSize);
        const writer = createCrmWriter(crm, {
          warn: (m) => tally.warn(m),
          nowNaive: () => isoToNaive(clock.now().toISOString(), crm.timeZone) ?? '',
          fallbackStaffId: await reader.fallbackStaffId(),
          beforeCommit: () => lease.confirm(),
        });

        const horizon = await central.horizon();
        const cursor = await state.cursor();
        await options.onProgress?.('staff');
        await reconcileStaff({ reader, state, central, tally, chunkSize: config.chunkSize });

        let changed: Map<string, Set<string>>;
        let nextCursor;
        if (cursor) {
          const since = await central.changesSince(cursor, horizon, SHARED);
          changed = since.ids;
          nextCursor = since.cursor;
        } else {
          // First run: every central row is new to the bridge.
          nextCursor = await central.cursorAt(horizon);
          changed = new Map();
          for (const t of SHARED) changed.set(t, new Set(await central.allIds(t)));
        }

        const ctx = await buildContext(central, crm.timeZone, (table, value) =>
          crm.narrowCharsetTables.has(crm.tables[table]) ? value.replace(/[\u{10000}-\u{10FFFF}]/gu, '\uFFFD') : value);
        for (const entity of SHARED) {
          await options.onProgress?.(entity);
          if (entity === 'comments') await ctx.loadTasks();
          await reconcileShared(entity, {
            reader, writer, state, central, ctx, tally, chunkSize: config.chunkSize,
            centralChanged: changed.get(entity) ?? new Set(),
            progress: (step) => options.onProgress?.(`${entity}:${step}`),
            onLinked: (crmId, centralId) => ctx.link(entity, crmId, centralId),
            onUnlinked: (crmId, centralId) => ctx.unlink(entity, crmId, centralId),
          });
        }
        await state.set('central_cursor', nextCursor);
        // Bookkeeping for `coordinator doctor` (never part of the data either side syncs).
        await state.set('last_run', {
          at: clock.now().toISOString(), ok: true, imported: tally.imported, exported: tally.exported, conflicts: tally.conflicts,
          skipped: tally.skipped.length, durationMs: Date.now() - started,
        });
      } finally {
        await crm.close();
      }
    } catch (error) {
      await state
        .set('last_run', { at: clock.now().toISOString(), ok: false, error: error instanceof Error ? error.message.slice(0, 500) : String(error) })
        .catch(() => undefined);
      throw error;
    } finally {
      await pg.end().catch(() => undefined);
    }
  } finally {
    await lease.release();
  }
  if (tally.skipped.length) log.warn('CRM rows skipped', { count: tally.skipped.length, first: tally.skipped[0]?.reason });
  return {
    ran: true, imported: tally.imported, exported: tally.exported, conflicts: tally.conflicts,
    skipped: tally.skipped, warnings: tally.warnings, durationMs: Date.now() - started,
  };
}

/** Id lookups both ways, kept current as rows are linked during the run. */
async function buildContext(central: CentralSide, timeZone: string, fitPlain: EntityContext['fitPlain']) {
  const pair = (m: Map<number, string>) => ({ byCrm: m, byCentral: new Map([...m].map(([k, v]) => [v, k])) });
  const staffEmployees = pair(await central.idMap('employees', 'crm_employee_id'));
  const staffUsers = pair(await central.idMap('users', 'crm_user_id'));
  const maps = {
    projects: pair(await central.idMap('projects', 'crm_project_id')),
    tasks: pair(new Map<number, string>()),
    comments: pair(new Map<number, string>()),
  };
  const names = new Map((await central.query<{ id: string; name: string }>('SELECT id::text AS id, name FROM users WHERE crm_user_id IS NOT NULL')).map((r) => [r.id, r.name]));
  const commentOrder = new Map<string, number>();

  const ctx: EntityContext & {
    link(entity: SharedEntity, crmId: number, centralId: string): void;
    unlink(entity: SharedEntity, crmId: number, centralId: string): void;
    loadTasks(): Promise<void>;
  } = {
    timeZone,
    fitPlain,
    employeeForStaff: (id) => staffEmployees.byCrm.get(id) ?? null,
    staffForEmployee: (id) => staffEmployees.byCentral.get(id) ?? null,
    userForStaff: (id) => staffUsers.byCrm.get(id) ?? null,
    staffForUser: (id) => staffUsers.byCentral.get(id) ?? null,
    projectForCrm: (id) => maps.projects.byCrm.get(id) ?? null,
    crmForProject: (id) => maps.projects.byCentral.get(id) ?? null,
    taskForCrm: (id) => maps.tasks.byCrm.get(id) ?? null,
    crmForTask: (id) => maps.tasks.byCentral.get(id) ?? null,
    userName: (id) => names.get(id) ?? null,
    nextCommentOrder: (taskId) => {
      const next = (commentOrder.get(taskId) ?? 0) + 1;
      commentOrder.set(taskId, next);
      return next;
    },
    link(entity, crmId, centralId) {
      maps[entity].byCrm.set(crmId, centralId);
      maps[entity].byCentral.set(centralId, crmId);
    },
    unlink(entity, crmId, centralId) {
      maps[entity].byCrm.delete(crmId);
      maps[entity].byCentral.delete(centralId);
    },
    async loadTasks() {
      const tasks = await central.idMap('tasks', 'crm_task_id');
      for (const [k, v] of tasks) ctx.link('tasks', k, v);
      const orders = await central.query<{ task_id: string; n: number }>('SELECT task_id::text AS task_id, max(comment_order) AS n FROM comments GROUP BY task_id');
      for (const o of orders) commentOrder.set(o.task_id, Number(o.n));
    },
  };
  return ctx;
}
