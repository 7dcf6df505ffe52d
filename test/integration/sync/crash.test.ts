/**
 * Crash safety of sync: a replica's sync runs in a child process (test/support/sync-child.ts) that
 * is SIGKILLed at random points — and at exact points through fault injection — while it pushes a
 * large outbox, bootstraps from a central database holding thousands of rows and pulls thousands
 * of changes. After every kill the replica file and the central database are checked for the
 * invariants that must hold at any instant; at the end the sync is completed and nothing may be
 * lost, nothing applied twice, and the replica must equal central.
 *
 * Random choices come from a seeded generator; the seed is printed, and SYNC_CRASH_SEED replays it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCore } from '../../../core/app/core';
import { SYNC_ORDER } from '../../../core/sync/columns';
import { manualClock } from '../../support/core';
import { tempCentral } from '../../support/pg';
import type { ChildConfig } from '../../support/sync-child';
import {
  diffReplicaAgainstCentral,
  localSetting,
  openReplicaFile,
  prng,
  replicaCounts,
  seedCentral,
  sleep,
  spawnSyncChild,
  syncToCompletion,
  type ChildEvent,
  type SyncChild,
  waitForHorizon,
} from '../../support/sync-fault-utils';

const SEED = Number(process.env.SYNC_CRASH_SEED ?? Date.now() % 1_000_000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const central = await tempCentral();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-crash-'));
  const children: SyncChild[] = [];
  cleanups.push(async () => {
    for (const c of children) await c.kill();
    await central.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const spawnChild = (config: ChildConfig) => {
    const child = spawnSyncChild(config);
    children.push(child);
    return child;
  };
  return { central, dir, spawnChild };
}

/**
 * Waits for the n-th progress event of `phase` from this child — or for the end of that phase (a
 * run finished, or progress of another phase), so a phase that completes sooner than expected
 * cannot leave the test waiting; the caller then checks what the kill actually interrupted.
 */
function nthOrEnd(child: SyncChild, n: number, phase: 'push' | 'bootstrap' | 'pull', timeoutMs: number): Promise<ChildEvent> {
  let count = 0;
  let started = false;
  return child.waitFor((e) => {
    if (e.ev === 'result') return true;
    if (e.ev !== 'progress') return false;
    if (e.phase === phase) {
      started = true;
      return ++count === n;
    }
    return started;
  }, timeoutMs);
}

/** Per-table number of outbox entries with seq > afterSeq, and the highest seq. */
function tally(file: string, afterSeq: number, into: Map<string, number>): number {
  const db = openReplicaFile(file);
  try {
    for (const r of db.prepare('SELECT table_name AS t, count(*) AS n FROM sync_outbox WHERE seq > ? GROUP BY table_name').all(afterSeq) as { t: string; n: number }[]) {
      into.set(r.t, (into.get(r.t) ?? 0) + r.n);
    }
    const max = (db.prepare('SELECT max(seq) AS m FROM sync_outbox').get() as { m: number | null }).m;
    return Math.max(afterSeq, max ?? 0);
  } finally {
    db.close();
  }
}

describe('sync survives SIGKILL', () => {
  it('while pushing a large outbox: nothing lost, nothing applied twice', { timeout: 150_000 }, async () => {
    const rng = prng(SEED);
    console.info(`[crash push] seed ${SEED}`);
    const { central, dir, spawnChild } = await setup();
    const file = path.join(dir, 'replica.db');

    // ~3600 mutations: 1200 tasks, a comment on each, then an edit of each.
    const TASKS = 1200;
    const expected = new Map<string, { title: string; status: string; priority: string; description: string | null }>();
    const deleted = new Set<string>();
    let commentsAlive = 0;
    let commentsCreated = 0;
    let clientId: string;
    {
      const core = openCore({ dbFile: file });
      clientId = core.sync.state.clientId();
      core.users.ensureCurrent();
      const project = core.projects.create({ name: 'Crash project' });
      const ids: string[] = [];
      core.writer.transaction(() => {
        for (let i = 1; i <= TASKS; i += 1) {
          const t = core.tasks.create({ projectId: project.id, title: `crash task ${i}`, description: `first text ${i}` });
          ids.push(t.id);
          core.comments.add({ taskId: t.id, content: `comment on ${i}` });
          commentsCreated += 1;
        }
      });
      core.writer.transaction(() => {
        ids.forEach((id, i) => {
          const t = core.tasks.update({ id, title: `crash task ${i + 1} v1`, status: 'in_progress', priority: 'high' });
          expected.set(id, { title: t.title, status: t.status, priority: t.priority, description: t.description });
        });
      });
      commentsAlive = commentsCreated;
      core.close();
    }
    const perTable = new Map<string, number>();
    let maxSeq = tally(file, 0, perTable);
    expect(maxSeq).toBeGreaterThanOrEqual(3 * TASKS);

    /** Local edits while the sync is down: new values, new comments, a few deletions. */
    const editOffline = (round: number) => {
      const core = openCore({ dbFile: file });
      try {
        const alive = [...expected.keys()];
        for (let k = 0; k < 25; k += 1) {
          const id = rng.pick(alive);
          const t = core.tasks.update({ id, title: `crash task edited r${round} k${k} ${id.slice(-6)}`, status: rng.pick(['todo', 'testing', 'done'] as const), description: `text r${round} k${k}` });
          expected.set(id, { title: t.title, status: t.status, priority: t.priority, description: t.description });
        }
        for (let k = 0; k < 10; k += 1) {
          core.comments.add({ taskId: rng.pick(alive), content: `late comment r${round} k${k}` });
          commentsCreated += 1;
          commentsAlive += 1;
        }
        for (let k = 0; k < 3; k += 1) {
          const id = rng.pick([...expected.keys()]);
          commentsAlive -= core.comments.list({ taskId: id }).length;
          core.tasks.delete(id);
          expected.delete(id);
          deleted.add(id);
        }
      } finally {
        core.close();
      }
      maxSeq = tally(file, maxSeq, perTable);
    };

    const config: ChildConfig = { dbFile: file, url: central.url, pushChunkSize: 50, pullPageSize: 50, bootstrapPageSize: 100 };
    const KILLS = 8;
    const FAULT_AT = 3; // this iteration dies exactly between the central commit and the local acknowledgement
    let killsDuringPush = 0;
    let lostReplies = 0;
    let lastServerSeq = 0;
    for (let i = 0; i < KILLS; i += 1) {
      if (i === FAULT_AT) {
        const child = spawnChild({ ...config, fault: { after: 'push-reply', count: rng.int(1, 4) } });
        await child.waitFor((e) => e.ev === 'fault', 30_000);
        const { signal } = await child.exited;
        expect(signal).toBe('SIGKILL');
      } else {
        const child = spawnChild(config);
        await nthOrEnd(child, rng.int(1, 3), 'push', 30_000);
        await sleep(rng.int(0, 60));
        await child.kill();
        expect(child.events.filter((e) => e.ev === 'error' || e.ev === 'fatal')).toEqual([]);
      }

      // Invariants at the instant of the crash.
      const serverSeq = Number((await central.query<{ s: string }>('SELECT last_mutation_seq::text AS s FROM sync_clients WHERE client_id = $1', [clientId])).rows[0]?.s ?? 0);
      expect(serverSeq).toBeGreaterThanOrEqual(lastServerSeq); // the server never forgets
      expect(serverSeq).toBeLessThanOrEqual(maxSeq);
      lastServerSeq = serverSeq;
      const db = openReplicaFile(file);
      try {
        // Every mutation the server has not applied is still in the outbox: no gap, nothing lost.
        const notApplied = (db.prepare(`SELECT count(*) AS n FROM sync_outbox WHERE status = 'pending' AND seq > ?`).get(serverSeq) as { n: number }).n;
        expect(notApplied).toBe(maxSeq - serverSeq);
        // Applied centrally but not yet acknowledged locally: the reply was lost with the process.
        const unacked = (db.prepare(`SELECT count(*) AS n FROM sync_outbox WHERE seq <= ?`).get(serverSeq) as { n: number }).n;
        if (unacked > 0) lostReplies += 1;
        if (i === FAULT_AT) expect(unacked).toBeGreaterThan(0);
        if (notApplied > 0) killsDuringPush += 1;
      } finally {
        db.close();
      }
      if (i % 2 === 1) editOffline(i);
    }
    console.info(`[crash push] kills during push: ${killsDuringPush}/${KILLS}, lost replies: ${lostReplies}, mutations: ${maxSeq}`);
    expect(killsDuringPush).toBeGreaterThanOrEqual(KILLS - 2);
    expect(lostReplies).toBeGreaterThanOrEqual(1);

    // Restart and finish.
    const { events } = await syncToCompletion(config);
    expect(events.filter((e) => e.ev === 'error')).toEqual([]);
    const totalRejected = events.filter((e) => e.ev === 'result').reduce((n, e) => n + Number(e.rejected), 0);
    expect(totalRejected).toBe(0);

    // Nothing applied twice: the server's per-replica sequence is exactly the last mutation, and
    // the change log holds exactly one entry per mutation of this replica, table by table.
    const serverSeq = (await central.query<{ s: string }>('SELECT last_mutation_seq::text AS s FROM sync_clients WHERE client_id = $1', [clientId])).rows[0]?.s;
    expect(Number(serverSeq)).toBe(maxSeq);
    const changes = await central.query<{ table_name: string; n: string }>('SELECT table_name, count(*)::text AS n FROM sync_changes WHERE client_id = $1 GROUP BY table_name', [clientId]);
    expect(Object.fromEntries(changes.rows.map((r) => [r.table_name, Number(r.n)]))).toEqual(Object.fromEntries(perTable));
    const taskInserts = await central.query<{ n: string }>(
      `SELECT count(DISTINCT row_id)::text AS n FROM sync_changes WHERE client_id = $1 AND table_name = 'tasks'`,
      [clientId],
    );
    expect(Number(taskInserts.rows[0]?.n)).toBe(expected.size + deleted.size);
    expect((await central.query('SELECT 1 FROM sync_rejections')).rowCount).toBe(0);
    expect((await central.query('SELECT 1 FROM sync_conflicts')).rowCount).toBe(0);

    // Nothing lost: every task exists centrally exactly once with the latest local values; deleted ones are gone.
    const { rows: centralTasks } = await central.query<{ id: string; title: string; status: string; priority: string; description: string | null }>(
      'SELECT id::text, title, status::text, priority::text, description FROM tasks',
    );
    expect(centralTasks.length).toBe(expected.size);
    expect(new Set(centralTasks.map((t) => t.title)).size).toBe(centralTasks.length);
    const byId = new Map(centralTasks.map((t) => [t.id, t]));
    for (const [id, want] of expected) expect(byId.get(id), `task ${id}`).toEqual({ id, ...want });
    for (const id of deleted) expect(byId.has(id)).toBe(false);
    const centralComments = Number((await central.query<{ n: string }>('SELECT count(*)::text AS n FROM comments')).rows[0]?.n);
    expect(centralComments).toBe(commentsAlive);
    expect(Number((await central.query<{ n: string }>(`SELECT count(*)::text AS n FROM sync_changes WHERE table_name = 'comments' AND op = 'upsert'`)).rows[0]?.n)).toBe(commentsCreated);

    // The replica equals central and its outbox is empty.
    const db = openReplicaFile(file);
    try {
      expect((db.prepare('SELECT count(*) AS n FROM sync_outbox').get() as { n: number }).n).toBe(0);
      expect(replicaCounts(db).tasks).toBe(expected.size);
      expect(replicaCounts(db).comments).toBe(commentsAlive);
      expect(await diffReplicaAgainstCentral(db, central.url)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('while bootstrapping and pulling thousands of rows: resumes, ends equal to central', { timeout: 150_000 }, async () => {
    const rng = prng(SEED + 1);
    console.info(`[crash pull] seed ${SEED + 1}`);
    const { central, dir, spawnChild } = await setup();
    await seedCentral(central.client, { projects: 20, tasks: 4000, comments: 2000 });
    const totalRows = 1 + 20 + 4000 + 2000;
    const file = path.join(dir, 'fresh.db');
    const config: ChildConfig = { dbFile: file, url: central.url, pushChunkSize: 50, pullPageSize: 50, bootstrapPageSize: 100 };

    // --- Bootstrap, killed repeatedly. ---
    let lastRowsDone = -1;
    let horizon: string | null = null;
    let bootstrapKills = 0;
    for (let i = 0; i < 6; i += 1) {
      if (i === 2) {
        // Dies after a snapshot page was read, before it was applied.
        const child = spawnChild({ ...config, fault: { after: 'snapshot-page', count: rng.int(2, 6) } });
        await child.waitFor((e) => e.ev === 'fault', 30_000);
        await child.exited;
      } else {
        const child = spawnChild(config);
        await nthOrEnd(child, rng.int(2, 8), 'bootstrap', 30_000);
        await sleep(rng.int(0, 30));
        await child.kill();
      }
      const db = openReplicaFile(file);
      try {
        const raw = localSetting(db, 'sync.bootstrap');
        if (!raw) break; // finished despite the kill; the pull phase below still runs
        bootstrapKills += 1;
        const state = JSON.parse(raw) as { horizon: string; rowsDone: number };
        // Resumes, never restarts: progress only grows, and the horizon chosen first is kept.
        expect(state.rowsDone).toBeGreaterThanOrEqual(lastRowsDone);
        horizon ??= state.horizon;
        expect(state.horizon).toBe(horizon);
        lastRowsDone = state.rowsDone;
        // A page and its progress commit together: the replica holds exactly the rows counted.
        const counts = replicaCounts(db);
        expect(SYNC_ORDER.reduce((n, t) => n + counts[t], 0)).toBe(state.rowsDone);
        expect(localSetting(db, 'sync.cursor')).toBeNull();
      } finally {
        db.close();
      }
    }
    expect(bootstrapKills).toBeGreaterThanOrEqual(4);
    expect(lastRowsDone).toBeLessThan(totalRows);

    const first = await syncToCompletion(config);
    const resumed = first.events.find((e) => e.ev === 'progress' && e.phase === 'bootstrap');
    expect(Number(resumed?.done)).toBeGreaterThan(lastRowsDone); // continued where it stopped
    {
      const db = openReplicaFile(file);
      try {
        expect(replicaCounts(db).tasks).toBe(4000);
        expect(await diffReplicaAgainstCentral(db, central.url)).toEqual([]);
      } finally {
        db.close();
      }
    }

    // --- Thousands of central changes, pulled in pages of 50, killed repeatedly. ---
    const n = `(substring(title from '^seed task ([0-9]+)'))::int`;
    await central.query(`UPDATE tasks SET title = title || ' edited', status = 'testing' WHERE ${n} % 4 <> 0`);
    await central.query(`UPDATE tasks SET priority = 'urgent', description = 'rewritten' WHERE ${n} % 5 = 1`);
    await central.query(
      `INSERT INTO comments (id, task_id, user_id, author, content, comment_order)
       SELECT gen_random_uuid(), t.id, t.created_by, 'Seed Admin', 'new comment on ' || t.title, 1000
       FROM tasks t WHERE t.title LIKE '%7 edited'`,
    );
    await central.query(`DELETE FROM tasks WHERE ${n} % 10 = 3`); // their comments go by cascade, each logged
    await central.query(`UPDATE projects SET status = 'on_hold'`);
    const changeCount = Number((await central.query<{ n: string }>('SELECT count(*)::text AS n FROM sync_changes')).rows[0]?.n) - totalRows;
    expect(changeCount).toBeGreaterThan(3000);

    expect(await waitForHorizon(central.client)).toBe(true);
    let lastCursor: { xid: bigint; version: bigint } | null = null;
    let pullKills = 0;
    const newest = (await central.query<{ xid: string; version: string }>('SELECT xid::text, version::text FROM sync_changes ORDER BY xid DESC, version DESC LIMIT 1')).rows[0]!;
    for (let i = 0; i < 6; i += 1) {
      if (i === 3) {
        const child = spawnChild({ ...config, fault: { after: 'changes-read', count: rng.int(2, 6) } });
        await child.waitFor((e) => e.ev === 'fault', 30_000);
        await child.exited;
      } else {
        const child = spawnChild(config);
        await nthOrEnd(child, rng.int(2, 10), 'pull', 30_000);
        await sleep(rng.int(0, 30));
        await child.kill();
      }
      const db = openReplicaFile(file);
      try {
        const cursor = JSON.parse(localSetting(db, 'sync.cursor') ?? 'null') as { xid: string; version: number } | null;
        expect(cursor).not.toBeNull();
        const now = { xid: BigInt(cursor!.xid), version: BigInt(cursor!.version) };
        if (now.xid < BigInt(newest.xid) || (now.xid === BigInt(newest.xid) && now.version < BigInt(newest.version))) pullKills += 1;
        if (lastCursor) expect(now.xid > lastCursor.xid || (now.xid === lastCursor.xid && now.version >= lastCursor.version)).toBe(true);
        lastCursor = now;
        // A page of changes and its cursor commit together: every change at or below the cursor is
        // reflected. Spot-check deletions: a task deleted by a change below the cursor is gone.
        const { rows: deletedBelow } = await central.query<{ row_id: string }>(
          `SELECT row_id::text FROM sync_changes WHERE table_name = 'tasks' AND op = 'delete' AND (xid, version) <= ($1::xid8, $2::bigint)`,
          [cursor!.xid, cursor!.version],
        );
        const still = db.prepare('SELECT count(*) AS n FROM tasks WHERE id IN (SELECT value FROM json_each(?))').get(JSON.stringify(deletedBelow.map((r) => r.row_id))) as { n: number };
        expect(still.n).toBe(0);
      } finally {
        db.close();
      }
    }
    expect(pullKills).toBeGreaterThanOrEqual(4); // kills that interrupted an unfinished pull

    await syncToCompletion(config);
    const db = openReplicaFile(file);
    try {
      expect((db.prepare('SELECT count(*) AS n FROM sync_outbox').get() as { n: number }).n).toBe(0);
      const centralTasks = Number((await central.query<{ n: string }>('SELECT count(*)::text AS n FROM tasks')).rows[0]?.n);
      expect(replicaCounts(db).tasks).toBe(centralTasks);
      expect(centralTasks).toBe(4000 - 400);
      expect(await diffReplicaAgainstCentral(db, central.url)).toEqual([]);
    } finally {
      db.close();
    }
  });
  // The hybrid logical clock must stay monotonic across restarts: if the laptop's clock is behind
  // the previous run's stamps (NTP correction, dead CMOS battery, manual change), the newest edits
  // would otherwise carry OLDER clocks than the user's own earlier edits on the server, and
  // coordinator_apply_one would keep the old value as the winner.
  it('after a restart with the wall clock set back, the newest local edit still wins', { timeout: 60_000 }, async () => {
    const { central, dir } = await setup();
    const file = path.join(dir, 'clock.db');
    const clock = manualClock('2026-03-02T10:00:00.000Z');
    let core = openCore({ dbFile: file, clock });
    let engine = core.sync.connect({ central: { url: central.url }, firstConnect: 'upload' });
    core.users.ensureCurrent();
    const task = core.tasks.create({ title: 'clock task' });
    core.tasks.update({ id: task.id, status: 'testing', priority: 'low' });
    await engine.syncOnce();
    await engine.close();
    core.close();

    // The app restarts; meanwhile the laptop's clock was corrected ten minutes back.
    clock.set('2026-03-02T09:50:00.000Z');
    core = openCore({ dbFile: file, clock });
    engine = core.sync.connect({ central: { url: central.url }, firstConnect: 'upload' });
    try {
      core.tasks.update({ id: task.id, status: 'done', priority: 'urgent' });
      await engine.syncOnce();
      const { rows } = await central.query<{ status: string; priority: string }>('SELECT status::text, priority::text FROM tasks WHERE id = $1', [task.id]);
      expect(rows[0]).toEqual({ status: 'done', priority: 'urgent' });
      expect(core.sync.conflicts.list()).toEqual([]);
    } finally {
      await engine.close();
      core.close();
    }
  });
});
