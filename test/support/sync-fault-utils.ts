import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { inject } from 'vitest';
import type { Core } from '../../core/app/core';
import { openDatabase, type SqliteDb } from '../../core/database/open';
import type { EntityTable } from '../../core/mutations/types';
import { rowToLocal, SYNC_ORDER, TABLE_SPECS } from '../../core/sync/columns';
import { connectCentral } from '../../core/sync/central/connect';
import type { BundleName } from './cli-bundle';
import type { ChildConfig } from './sync-child';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A tiny seeded PRNG so a failing run can be replayed (the seed is printed by the tests). */
export function prng(seed: number): { next(): number; int(min: number, max: number): number; pick<T>(items: readonly T[]): T } {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
  };
}

export interface ChildEvent {
  ev: string;
  t: number;
  [key: string]: unknown;
}

export interface SyncChild {
  readonly process: ChildProcess;
  readonly events: ChildEvent[];
  readonly stderr: () => string;
  /** Resolves with the first event (seen so far or later) that matches; rejects on exit or timeout. */
  waitFor(match: (e: ChildEvent) => boolean, timeoutMs: number): Promise<ChildEvent>;
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts test/support/sync-child.ts in a fresh Node process. */
export function spawnSyncChild(config: ChildConfig): SyncChild {
  return spawnEventChild('sync-child', config);
}

/**
 * Starts a test/support child script, bundled for this test run (test/support/cli-bundle.ts), that
 * reports `@@`-prefixed JSON events on stdout, with `config` as its argument.
 */
export function spawnEventChild(script: Exclude<BundleName, 'coordinator'>, config: unknown): SyncChild {
  const child = spawn(process.execPath, [inject('testBundles')[script], JSON.stringify(config)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COORDINATOR_LOG_LEVEL: 'error' },
  });
  const events: ChildEvent[] = [];
  const waiters = new Set<{ match: (e: ChildEvent) => boolean; resolve: (e: ChildEvent) => void }>();
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr += d;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    if (!line.startsWith('@@')) return;
    const event = JSON.parse(line.slice(2)) as ChildEvent;
    events.push(event);
    for (const w of [...waiters]) {
      if (w.match(event)) {
        waiters.delete(w);
        w.resolve(event);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      // Let the last stdout lines drain before anyone looks at `events`.
      lines.once('close', () => resolve({ code, signal }));
      setTimeout(() => resolve({ code, signal }), 500);
    });
  });
  return {
    process: child,
    events,
    stderr: () => stderr,
    exited,
    waitFor(match, timeoutMs) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise<ChildEvent>((resolve, reject) => {
        const waiter = {
          match,
          resolve: (e: ChildEvent) => {
            clearTimeout(timer);
            resolve(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`sync child: no matching event within ${timeoutMs} ms; last events: ${JSON.stringify(events.slice(-5))}; stderr: ${stderr.slice(-2000)}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then(({ code, signal }) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`sync child exited (code ${String(code)}, signal ${String(signal)}) before a matching event; last events: ${JSON.stringify(events.slice(-5))}; stderr: ${stderr.slice(-2000)}`));
        });
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Runs a child until it reports it is caught up; fails with its output otherwise. */
export async function syncToCompletion(config: ChildConfig, timeoutMs = 90_000): Promise<{ events: ChildEvent[] }> {
  const child = spawnSyncChild({ ...config, untilCaughtUp: true });
  const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  if (code !== 0) {
    throw new Error(`sync child did not complete (code ${String(code)}, signal ${String(signal)}); last events: ${JSON.stringify(child.events.slice(-6))}; stderr: ${child.stderr().slice(-3000)}`);
  }
  return { events: child.events };
}

/** Opens a replica file in this process (only while no child has it open for writing). */
export function openReplicaFile(file: string): SqliteDb {
  return openDatabase({ file, migrate: false });
}

export function localSetting(db: SqliteDb, key: string): string | null {
  const row = db.prepare('SELECT value FROM local_settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value || null;
}

/**
 * Every synced table, replica against central, column by column in the replica's representation.
 * Returns human-readable differences (empty when equal), at most `limit`.
 */
export async function diffReplicaAgainstCentral(db: SqliteDb, centralUrl: string, limit = 20): Promise<string[]> {
  const central = await connectCentral({ url: centralUrl });
  const diffs: string[] = [];
  try {
    for (const table of SYNC_ORDER) {
      const columns = TABLE_SPECS[table].columns.map((c) => c.name);
      const { rows } = await central.query<Record<string, unknown>>(`SELECT * FROM "${table}"`);
      const remote = new Map(rows.map((r) => [String(r.id), rowToLocal(table, r)]));
      const local = new Map((db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]).map((r) => [String(r.id), r]));
      if (remote.size !== local.size) diffs.push(`${table}: central has ${remote.size} rows, replica ${local.size}`);
      for (const [id, r] of remote) {
        const l = local.get(id);
        if (!l) {
          diffs.push(`${table} ${id}: missing in the replica`);
          continue;
        }
        for (const c of columns) {
          if (!sameValue(l[c], r[c])) diffs.push(`${table} ${id}.${c}: replica ${JSON.stringify(l[c])} central ${JSON.stringify(r[c])}`);
        }
      }
      for (const id of local.keys()) if (!remote.has(id)) diffs.push(`${table} ${id}: only in the replica`);
      if (diffs.length >= limit) break;
    }
  } finally {
    await central.end();
  }
  return diffs.slice(0, limit);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  if (typeof a === 'string' && typeof b === 'string' && (a.startsWith('{') || a.startsWith('['))) {
    try {
      return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b)) || canonical(JSON.parse(a)) === canonical(JSON.parse(b));
    } catch {
      return false;
    }
  }
  return false;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Fills a central database directly (as an administrator or the CRM bridge would), one
 * transaction: a user, `projects` projects, `tasks` tasks spread over them, `comments` comments.
 * Titles are `seed task <n>` so tests can find rows by number.
 */
export async function seedCentral(db: pg.ClientBase, counts: { projects: number; tasks: number; comments: number }): Promise<{ userId: string }> {
  await db.query('BEGIN');
  try {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO users (id, username, email, name, role) VALUES (gen_random_uuid(), 'seed', 'seed@example.test', 'Seed Admin', 'admin') RETURNING id`,
    );
    const userId = rows[0]!.id;
    await db.query(
      `INSERT INTO projects (id, name, status, created_by)
       SELECT gen_random_uuid(), 'seed project ' || n, 'in_progress', $1 FROM generate_series(1, $2) n`,
      [userId, counts.projects],
    );
    await db.query(
      `INSERT INTO tasks (id, project_id, title, description, status, priority, created_by, estimated_hours, due_date)
       SELECT gen_random_uuid(), p.ids[1 + (n % array_length(p.ids, 1))], 'seed task ' || n, 'description of seed task ' || n,
              (ARRAY['todo','in_progress','done'])[1 + n % 3]::task_status, (ARRAY['low','medium','high','urgent'])[1 + n % 4]::task_priority,
              $1, (n % 7) * 1.5, date '2026-01-01' + (n % 300)
       FROM generate_series(1, $2) n, (SELECT array_agg(id ORDER BY name) AS ids FROM projects) p`,
      [userId, counts.tasks],
    );
    await db.query(
      `INSERT INTO comments (id, task_id, user_id, author, content, comment_order)
       SELECT gen_random_uuid(), t.ids[1 + (n % array_length(t.ids, 1))], $1, 'Seed Admin', 'seed comment ' || n, n
       FROM generate_series(1, $2) n, (SELECT array_agg(id ORDER BY title) AS ids FROM tasks) t`,
      [userId, counts.comments],
    );
    await db.query('COMMIT');
    return { userId };
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

/** Row counts of the synced tables on one side. */
export function replicaCounts(db: SqliteDb): Record<EntityTable, number> {
  return Object.fromEntries(SYNC_ORDER.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n])) as Record<EntityTable, number>;
}

export { pg };

/**
 * Local work for push tests, through the real services: a user, a project, `tasks` tasks with a
 * comment each, then an edit of each — about 3 × `tasks` outbox entries. Returns the task ids and
 * the latest local values the central database must end up with.
 */
export function makeLocalWork(
  core: Core,
  tasks: number,
  label = 'work',
): { ids: string[]; expected: Map<string, { title: string; status: string }>; comments: number } {
  core.users.ensureCurrent();
  const project = core.projects.create({ name: `${label} project` });
  const ids: string[] = [];
  const expected = new Map<string, { title: string; status: string }>();
  core.writer.transaction(() => {
    for (let i = 1; i <= tasks; i += 1) {
      const t = core.tasks.create({ projectId: project.id, title: `${label} task ${i}`, description: `${label} text ${i}` });
      ids.push(t.id);
      core.comments.add({ taskId: t.id, content: `${label} comment ${i}` });
    }
    ids.forEach((id, i) => {
      const t = core.tasks.update({ id, title: `${label} task ${i + 1} edited`, status: 'testing' });
      expected.set(id, { title: t.title, status: t.status });
    });
  });
  return { ids, expected, comments: tasks };
}

/** Adds, per table, the outbox entries with seq > afterSeq; returns the new highest seq. */
export function outboxTally(db: SqliteDb, afterSeq: number, into: Map<string, number>): number {
  for (const r of db.prepare('SELECT table_name AS t, count(*) AS n FROM sync_outbox WHERE seq > ? GROUP BY table_name').all(afterSeq) as { t: string; n: number }[]) {
    into.set(r.t, (into.get(r.t) ?? 0) + r.n);
  }
  const max = (db.prepare('SELECT max(seq) AS m FROM sync_outbox').get() as { m: number | null }).m;
  return Math.max(afterSeq, max ?? 0);
}

/** What the central database recorded for one replica's pushes. */
export async function centralPushRecord(db: pg.ClientBase, clientId: string): Promise<{ lastSeq: number; changesByTable: Record<string, number>; rejections: number }> {
  const seq = await db.query<{ s: string }>('SELECT last_mutation_seq::text AS s FROM sync_clients WHERE client_id = $1', [clientId]);
  const changes = await db.query<{ table_name: string; n: string }>('SELECT table_name, count(*)::text AS n FROM sync_changes WHERE client_id = $1 GROUP BY table_name ORDER BY table_name', [clientId]);
  const rejections = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM sync_rejections WHERE client_id = $1', [clientId]);
  return {
    lastSeq: Number(seq.rows[0]?.s ?? 0),
    changesByTable: Object.fromEntries(changes.rows.map((r) => [r.table_name, Number(r.n)])),
    rejections: Number(rejections.rows[0]?.n ?? 0),
  };
}

/**
 * Waits until every change now in the log is below the visibility horizon, i.e. a pull can see it.
 * The horizon is cluster-wide: a write transaction left open in any database of the server (for
 * instance by another test file running in parallel) holds it back. Returns false on timeout.
 */
export async function waitForHorizon(db: pg.ClientBase, timeoutMs = 30_000): Promise<boolean> {
  const { rows } = await db.query<{ x: string | null }>('SELECT max(xid)::text AS x FROM sync_changes');
  const newest = rows[0]?.x;
  if (!newest) return true;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = (await db.query<{ h: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS h')).rows[0]!.h;
    if (BigInt(h) > BigInt(newest)) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}
