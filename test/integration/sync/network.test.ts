/**
 * Sync over a bad network: a TCP proxy on 127.0.0.1 (test/support/tcp-proxy.ts) sits between the
 * replica and PostgreSQL and cuts connections mid-stream, refuses new ones (offline) or silently
 * stops forwarding (half-open link).
 *
 * The engine's own connection handling is what is under test: no test-side listener or guard is
 * installed on pg's clients, so a connection dying mid-sync must be handled by the engine itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCore } from '../../../core/app/core';
import type { SyncEngine, SyncStatus } from '../../../core/sync/engine';
import { tempCore } from '../../support/core';
import { tempCentral } from '../../support/pg';
import {
  centralPushRecord,
  diffReplicaAgainstCentral,
  makeLocalWork,
  outboxTally,
  seedCentral,
  sleep,
  spawnSyncChild,
  waitForHorizon,
} from '../../support/sync-fault-utils';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';

const PG_PORT = Number(new URL(process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').port || 5432);
const PASSWORD = 'n0t-a-real-s3cret';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});


async function setup() {
  const central = await tempCentral();
  cleanups.push(() => central.drop());
  const proxy = await startTcpProxy({ port: PG_PORT });
  cleanups.push(() => proxy.close());
  // The replica is configured with a password in its URL: it must never show up in a message.
  const url = new URL(proxy.rewrite(central.url));
  url.username = 'postgres';
  url.password = PASSWORD;
  return { central, proxy, proxiedUrl: url.toString() };
}

function replica() {
  const core = tempCore();
  const engines: SyncEngine[] = [];
  cleanups.push(async () => {
    for (const e of engines) await e.close();
    core.dispose();
  });
  return {
    core,
    connect(options: Parameters<typeof core.sync.connect>[0]) {
      const engine = core.sync.connect({ firstConnect: 'upload', ...options });
      engines.push(engine);
      return engine;
    },
  };
}

function expectHumanOfflineStatus(status: SyncStatus, proxy: TcpProxy) {
  expect(status.state).toBe('offline');
  expect(status.lastError).toBeTruthy();
  const message = status.lastError!;
  expect(message).toMatch(/cannot be reached/i);
  expect(message).not.toContain('postgres://');
  expect(message).not.toContain(PASSWORD);
  expect(message).not.toContain(`:${proxy.port}`);
  expect(message).not.toMatch(/coord_test_/);
  expect(message).not.toMatch(/ECONN|Connection terminated|socket/i);
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}

describe('sync over a failing network', () => {
  it('connections cut during push (mid-request, mid-reply, between chunks): offline, nothing lost, nothing duplicated', { timeout: 90_000 }, async () => {
    const { central, proxy, proxiedUrl } = await setup();
    const { core, connect } = replica();
    makeLocalWork(core, 500, 'net');
    const perTable = new Map<string, number>();
    const maxSeq = outboxTally(core.db, 0, perTable);
    expect(maxSeq).toBeGreaterThanOrEqual(1500);
    const clientId = core.sync.state.clientId();

    let onPush: ((done: number) => void) | null = null;
    const engine = connect({ central: { url: proxiedUrl }, pushChunkSize: 50, onProgress: (p) => p.phase === 'push' && onPush?.(p.done) });
    const states: string[] = [];
    engine.onStatus((s) => states.push(s.state));

    const checkNothingLost = async () => {
      const { lastSeq } = await centralPushRecord(central.client, clientId);
      const pendingAbove = (core.db.prepare(`SELECT count(*) AS n FROM sync_outbox WHERE status = 'pending' AND seq > ?`).get(lastSeq) as { n: number }).n;
      expect(pendingAbove).toBe(maxSeq - lastSeq);
      return { lastSeq, unacked: (core.db.prepare('SELECT count(*) AS n FROM sync_outbox WHERE seq <= ?').get(lastSeq) as { n: number }).n };
    };

    // 1. Mid-request: the upstream stream is cut inside a push chunk's bytes.
    proxy.cutAfterBytes(120_000, 'up');
    const first = await settle(engine.syncOnce());
    expect(first.ok).toBe(false);
    expectHumanOfflineStatus(engine.status(), proxy);
    expect(states.slice(-2)).toEqual(['syncing', 'offline']);
    const afterFirst = await checkNothingLost();
    expect(afterFirst.lastSeq).toBeGreaterThan(0);
    expect(afterFirst.lastSeq).toBeLessThan(maxSeq);

    // 2. Mid-reply: the server committed a chunk, its reply is cut after a few bytes.
    onPush = (done) => {
      if (done >= 100) {
        onPush = null;
        proxy.cutAfterBytes(40, 'down');
      }
    };
    const second = await settle(engine.syncOnce());
    expect(second.ok).toBe(false);
    expectHumanOfflineStatus(engine.status(), proxy);
    const afterSecond = await checkNothingLost();
    expect(afterSecond.unacked).toBeGreaterThan(0); // applied centrally, reply lost: must be replayed as a duplicate
    expect(afterSecond.lastSeq).toBeGreaterThan(afterFirst.lastSeq);

    // 3. Between chunks, with a reset (RST) instead of a clean close.
    onPush = (done) => {
      if (done >= 150) {
        onPush = null;
        proxy.cutAll({ reset: true });
      }
    };
    const third = await settle(engine.syncOnce());
    expect(third.ok).toBe(false);
    expectHumanOfflineStatus(engine.status(), proxy);
    await checkNothingLost();
    expect(engine.status().pending).toBeGreaterThan(0);

    // The network is back: one sync finishes everything, exactly once.
    const result = await engine.syncOnce();
    expect(result.rejected).toBe(0);
    expect(engine.status()).toMatchObject({ state: 'idle', pending: 0, lastError: null });
    const record = await centralPushRecord(central.client, clientId);
    expect(record.lastSeq).toBe(maxSeq);
    expect(record.rejections).toBe(0);
    expect(record.changesByTable).toEqual(Object.fromEntries([...perTable].sort()));
    expect(Number((await central.query<{ n: string }>('SELECT count(*)::text AS n FROM comments')).rows[0]?.n)).toBe(500);
    expect(await diffReplicaAgainstCentral(core.db, central.url)).toEqual([]);
    expect(proxy.stats.cuts).toBeGreaterThanOrEqual(3);
  });

  it('a cut during bootstrap resumes where it stopped; a cut during pull loses nothing', { timeout: 90_000 }, async () => {
    const { central, proxy, proxiedUrl } = await setup();
    await seedCentral(central.client, { projects: 10, tasks: 3000, comments: 1000 });
    const total = 1 + 10 + 3000 + 1000;
    const { core, connect } = replica();
    let cutAt: { phase: string; n: number } | null = { phase: 'bootstrap', n: 5 };
    const seen: { phase: string; done: number }[] = [];
    let count = 0;
    const engine = connect({
      central: { url: proxiedUrl },
      bootstrapPageSize: 200,
      pullPageSize: 100,
      onProgress: (p) => {
        seen.push({ phase: p.phase, done: p.done });
        if (cutAt && p.phase === cutAt.phase && ++count === cutAt.n) {
          cutAt = null;
          proxy.cutAll();
        }
      },
    });

    const interrupted = await settle(engine.syncOnce());
    expect(interrupted.ok).toBe(false);
    expectHumanOfflineStatus(engine.status(), proxy);
    const state = core.sync.state.bootstrap();
    expect(state).not.toBeNull();
    expect(state!.rowsDone).toBeGreaterThan(0);
    expect(state!.rowsDone).toBeLessThan(total);
    expect(core.sync.state.cursor()).toBeNull();

    seen.length = 0;
    const resumed = await engine.syncOnce();
    expect(resumed.bootstrapped).toBe(true);
    const firstPage = seen.find((s) => s.phase === 'bootstrap');
    expect(firstPage?.done).toBeGreaterThan(state!.rowsDone); // continued, did not start over
    expect(firstPage!.done - state!.rowsDone).toBeLessThanOrEqual(200);
    expect(await diffReplicaAgainstCentral(core.db, central.url)).toEqual([]);

    // Change log: 1500 edits pulled in pages of 100, the link cut mid-reply on the third page.
    await central.query(`UPDATE tasks SET status = 'done', title = title || ' (pulled)' WHERE (substring(title from '^seed task ([0-9]+)'))::int % 2 = 0`);
    expect(await waitForHorizon(central.client)).toBe(true);
    count = 0;
    cutAt = { phase: 'pull', n: 3 };
    const pullCut = await settle(engine.syncOnce());
    expect(pullCut.ok).toBe(false);
    expectHumanOfflineStatus(engine.status(), proxy);
    const pulledSoFar = (core.db.prepare(`SELECT count(*) AS n FROM tasks WHERE title LIKE '%(pulled)'`).get() as { n: number }).n;
    expect(pulledSoFar).toBeGreaterThan(0);
    expect(pulledSoFar).toBeLessThan(1500);
    await engine.syncOnce();
    expect((core.db.prepare(`SELECT count(*) AS n FROM tasks WHERE title LIKE '%(pulled)'`).get() as { n: number }).n).toBe(1500);
    expect(await diffReplicaAgainstCentral(core.db, central.url)).toEqual([]);
  });

  it('refused connections: offline with a human message, edits kept; reconnect syncs them', { timeout: 60_000 }, async () => {
    const { central, proxy, proxiedUrl } = await setup();
    const { core, connect } = replica();
    const engine = connect({ central: { url: proxiedUrl } });
    makeLocalWork(core, 20, 'offline');
    await engine.syncOnce();
    expect(engine.status().state).toBe('idle');

    await proxy.refuse();
    const task = core.tasks.list({})[0]!;
    core.tasks.update({ id: task.id, title: 'edited while offline', priority: 'urgent' });
    core.comments.add({ taskId: task.id, content: 'written while offline' });
    const started = Date.now();
    const failed = await settle(engine.syncOnce());
    expect(failed.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000); // refused is immediate, not a 10 s timeout
    const status = engine.status();
    expectHumanOfflineStatus(status, proxy);
    expect(status.pending).toBe(2);
    // A second attempt while still offline behaves the same (no stale pooled connection surprises).
    expect((await settle(engine.syncOnce())).ok).toBe(false);
    expect(engine.status().state).toBe('offline');

    await proxy.accept();
    const result = await engine.syncOnce();
    expect(result.pushed).toBe(2);
    expect(engine.status()).toMatchObject({ state: 'idle', pending: 0, lastError: null });
    const { rows } = await central.query<{ title: string; priority: string }>('SELECT title, priority::text FROM tasks WHERE id = $1', [task.id]);
    expect(rows).toEqual([{ title: 'edited while offline', priority: 'urgent' }]);
    expect((await central.query(`SELECT 1 FROM comments WHERE content = 'written while offline'`)).rowCount).toBe(1);
  });

  it('a connection that never answers (new connection) fails within the connect timeout', { timeout: 60_000 }, async () => {
    const { proxy, proxiedUrl } = await setup();
    const { core, connect } = replica();
    makeLocalWork(core, 2, 'silent');
    const engine = connect({ central: { url: proxiedUrl } });
    proxy.blackhole(true);
    const started = Date.now();
    const outcome = await settle(engine.syncOnce());
    const elapsed = Date.now() - started;
    expect(outcome.ok).toBe(false);
    expect(elapsed).toBeLessThan(15_000);
    expectHumanOfflineStatus(engine.status(), proxy);
    proxy.blackhole(false);
    proxy.cutAll();
    await engine.syncOnce();
    expect(engine.status()).toMatchObject({ state: 'idle', pending: 0 });
  });

  // When an established connection goes silent (Wi-Fi drops, VPN stalls, NAT forgets the flow)
  // the engine's query timeout must end the run, or every later syncOnce() would join a hung one.
  it('a connection that goes silent mid-sync makes the sync fail within 20 s', { timeout: 60_000 }, async () => {
    const { proxy, proxiedUrl } = await setup();
    const { core, connect } = replica();
    const engine = connect({ central: { url: proxiedUrl } });
    makeLocalWork(core, 5, 'halfopen');
    await engine.syncOnce(); // leaves an established connection in the pool
    core.tasks.update({ id: core.tasks.list({})[0]!.id, title: 'edit before the link goes silent' });
    proxy.blackhole(true);
    const run = settle(engine.syncOnce());
    cleanups.push(async () => {
      // Unstick the hung run so the engine can be closed.
      proxy.blackhole(false);
      proxy.cutAll();
      await run;
    });
    const outcome = await Promise.race([run, sleep(20_000).then(() => 'still running' as const)]);
    expect(outcome).not.toBe('still running');
    expect(engine.status().state).toBe('offline');
  });

  // pg-pool drops its own 'error' listener while a client is checked out, so a connection dying
  // during a sync would kill the process ("Unhandled 'error' event") unless the engine listens.
  // The engine runs in a child process so such a crash shows as an exit, not a crashed test run.
  it('a cut during sync does not crash the process', { timeout: 60_000 }, async () => {
    const { proxy, proxiedUrl } = await setup();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-net-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'replica.db');
    const local = openCore({ dbFile: file });
    makeLocalWork(local, 200, 'crashy');
    local.close();
    const child = spawnSyncChild({ dbFile: file, url: proxiedUrl, pushChunkSize: 20, maxRuns: 3, pauseMs: 200 });
    cleanups.push(async () => void (await child.kill()));
    let pushes = 0;
    await child.waitFor((e) => e.ev === 'progress' && e.phase === 'push' && ++pushes === 2, 30_000);
    proxy.cutAll();
    const outcome = await Promise.race([
      child.waitFor((e) => e.ev === 'error', 20_000).then((e) => ({ reported: e })),
      child.exited.then((x) => ({ exited: x })),
    ]);
    expect(child.stderr()).not.toContain("Unhandled 'error' event");
    expect(outcome).toHaveProperty('reported');
    expect(('reported' in outcome ? (outcome.reported.status as SyncStatus) : null)?.state).toBe('offline');
  });

  it('after a cut during sync the next runs reconnect and deliver everything', { timeout: 60_000 }, async () => {
    const { central, proxy, proxiedUrl } = await setup();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-net-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'replica.db');
    const local = openCore({ dbFile: file });
    makeLocalWork(local, 200, 'recovered');
    local.close();
    const child = spawnSyncChild({ dbFile: file, url: proxiedUrl, pushChunkSize: 20, maxRuns: 30, pauseMs: 100, untilCaughtUp: true });
    cleanups.push(async () => void (await child.kill()));
    let pushes = 0;
    await child.waitFor((e) => e.ev === 'progress' && e.phase === 'push' && ++pushes === 2, 30_000);
    proxy.cutAll();
    const reported = await child.waitFor((e) => e.ev === 'error', 20_000);
    expect((reported.status as SyncStatus).state).toBe('offline');
    const { code } = await child.exited;
    expect(code).toBe(0); // the loop's next run reconnected and finished
    expect(Number((await central.query<{ n: string }>('SELECT count(*)::text AS n FROM tasks')).rows[0]?.n)).toBe(200);
  });
});
