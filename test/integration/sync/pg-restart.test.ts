/**
 * The central PostgreSQL restarting under a running sync.
 *
 * Restarting the shared server on 127.0.0.1:5432 would break every other test running on this
 * machine at that moment, so the real restarts here happen on a PRIVATE throwaway server
 * (test/support/sync-fault-pgcluster.ts: initdb in a temp folder, own port, `pg_ctl restart -m
 * fast`), which is a genuine restart — connections terminated with 57P01, a window where the
 * server refuses or is starting up, then back — without disturbing anyone. When the server
 * binaries are not available that part is skipped and only the simulation runs: the sync's
 * connections on the shared server are terminated with pg_terminate_backend (what a fast shutdown
 * does to each backend).
 *
 * No test-side guard is installed on pg's clients: a termination that arrives while the engine
 * holds a checked-out client must be handled by the engine itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCore } from '../../../core/app/core';
import type { SyncEngine, SyncStatus } from '../../../core/sync/engine';
import { tempCore } from '../../support/core';
import { tempCentral } from '../../support/pg';
import { privateClusterAvailable, startPrivateCluster, type PrivateCluster } from '../../support/sync-fault-pgcluster';
import { centralPushRecord, diffReplicaAgainstCentral, makeLocalWork, outboxTally, seedCentral, sleep, spawnSyncChild } from '../../support/sync-fault-utils';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

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

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error & { code?: string } }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error: error as Error & { code?: string } };
  }
}

function expectCleanOffline(status: SyncStatus) {
  expect(status.state).toBe('offline');
  expect(status.lastError).toMatch(/cannot be reached/i);
  expect(status.lastError).not.toMatch(/postgres:\/\/|127\.0\.0\.1|administrator command/);
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe.sequential('the central server restarts during sync', () => {
  describe.skipIf(!privateClusterAvailable())('real restart (private PostgreSQL server, pg_ctl restart -m fast)', () => {
    let cluster: PrivateCluster;
    beforeAll(async () => {
      cluster = await startPrivateCluster();
    }, 90_000);
    afterAll(() => cluster?.destroy());

    it('a restart during push fails that sync cleanly; syncs during the restart are offline; the next one completes exactly once', { timeout: 90_000 }, async () => {
      const url = await cluster.createCentral();
      const { core, connect } = replica();
      makeLocalWork(core, 400, 'restart');
      const perTable = new Map<string, number>();
      const maxSeq = outboxTally(core.db, 0, perTable);
      const clientId = core.sync.state.clientId();
      let restarting: Promise<void> | null = null;
      let pushes = 0;
      const engine = connect({
        central: { url },
        pushChunkSize: 25,
        onProgress: (p) => {
          if (p.phase === 'push' && ++pushes === 6) restarting = cluster.restart();
        },
      });

      const interrupted = await settle(engine.syncOnce());
      expect(interrupted.ok).toBe(false);
      expectCleanOffline(engine.status());
      expect(restarting).not.toBeNull();

      // Keep trying while the server is down or starting: every attempt either succeeds or is a
      // clean 'offline' — never 'error', never a crash.
      let restarted = false;
      void restarting!.then(() => (restarted = true));
      const states: string[] = [];
      for (let i = 0; i < 100 && !restarted; i += 1) {
        const attempt = await settle(engine.syncOnce());
        states.push(attempt.ok ? 'ok' : engine.status().state);
        if (attempt.ok) break;
        await sleep(50);
      }
      await restarting;
      console.info(`[pg-restart] attempts while restarting: ${states.join(', ') || '(restart was already over)'}`);
      expect(states.filter((s) => s !== 'ok' && s !== 'offline')).toEqual([]);

      // Back: the first sync completes (no stale pooled connection left over from before).
      const done = await engine.syncOnce();
      expect(done.rejected).toBe(0);
      expect(engine.status()).toMatchObject({ state: 'idle', pending: 0, lastError: null });
      const record = await withClient(url, (c) => centralPushRecord(c, clientId));
      expect(record.lastSeq).toBe(maxSeq);
      expect(record.rejections).toBe(0);
      expect(record.changesByTable).toEqual(Object.fromEntries([...perTable].sort()));
      expect(await withClient(url, async (c) => Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM comments')).rows[0]?.n))).toBe(400);
      expect(await diffReplicaAgainstCentral(core.db, url)).toEqual([]);
    });

    it('a restart while idle: the next sync does not trip over the dead pooled connection', { timeout: 60_000 }, async () => {
      const url = await cluster.createCentral();
      const { core, connect } = replica();
      makeLocalWork(core, 10, 'idle');
      const engine = connect({ central: { url } });
      await engine.syncOnce(); // leaves an idle connection in the pool
      await cluster.restart();
      core.tasks.update({ id: core.tasks.list({})[0]!.id, title: 'after the restart' });
      const first = await settle(engine.syncOnce());
      expect(first.ok ? 'ok' : `${engine.status().state}: ${first.error.message}`).toBe('ok');
      expect(engine.status()).toMatchObject({ state: 'idle', pending: 0 });
    });

    it('while the server is stopped: offline at once; when it is back, the edits made meanwhile sync', { timeout: 60_000 }, async () => {
      const url = await cluster.createCentral();
      const { core, connect } = replica();
      makeLocalWork(core, 10, 'down');
      const engine = connect({ central: { url } });
      await engine.syncOnce();
      await cluster.stop('fast');
      try {
        const task = core.tasks.list({})[0]!;
        core.tasks.update({ id: task.id, title: 'edited while the server was down' });
        const started = Date.now();
        const failed = await settle(engine.syncOnce());
        expect(failed.ok).toBe(false);
        expect(Date.now() - started).toBeLessThan(5_000);
        expectCleanOffline(engine.status());
        expect(engine.status().pending).toBe(1);
      } finally {
        await cluster.start();
      }
      const result = await engine.syncOnce();
      expect(result.pushed).toBe(1);
      expect(engine.status()).toMatchObject({ state: 'idle', pending: 0, lastError: null });
      expect(await diffReplicaAgainstCentral(core.db, url)).toEqual([]);
    });

    it('a restart during bootstrap: the next sync resumes from the last committed page', { timeout: 90_000 }, async () => {
      const url = await cluster.createCentral();
      await withClient(url, (c) => seedCentral(c, { projects: 10, tasks: 2500, comments: 500 }));
      const { core, connect } = replica();
      let restarting: Promise<void> | null = null;
      let pages = 0;
      const seen: number[] = [];
      const engine = connect({
        central: { url },
        bootstrapPageSize: 100,
        onProgress: (p) => {
          if (p.phase !== 'bootstrap') return;
          seen.push(p.done);
          if (++pages === 8) restarting = cluster.restart();
        },
      });
      const interrupted = await settle(engine.syncOnce());
      expect(interrupted.ok).toBe(false);
      expectCleanOffline(engine.status());
      await restarting;
      const state = core.sync.state.bootstrap();
      expect(state?.rowsDone).toBeGreaterThan(0);
      seen.length = 0;
      const resumed = await engine.syncOnce();
      expect(resumed.bootstrapped).toBe(true);
      expect(seen[0]).toBeGreaterThan(state!.rowsDone);
      expect(seen[0]! - state!.rowsDone).toBeLessThanOrEqual(100);
      expect(await diffReplicaAgainstCentral(core.db, url)).toEqual([]);
    });
  });

  describe('simulated restart on the shared server (pg_terminate_backend of the sync connections)', () => {
    const terminateSync = (admin: pg.ClientBase) =>
      admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'coordinator' AND pid <> pg_backend_pid()`);

    it('terminated mid-push: offline, nothing lost; the next sync completes exactly once', { timeout: 60_000 }, async () => {
      const central = await tempCentral();
      cleanups.push(() => central.drop());
      const { core, connect } = replica();
      makeLocalWork(core, 300, 'terminate');
      const perTable = new Map<string, number>();
      const maxSeq = outboxTally(core.db, 0, perTable);
      const clientId = core.sync.state.clientId();
      let pushes = 0;
      let terminated: Promise<unknown> | null = null;
      const engine = connect({
        central: { url: central.url },
        pushChunkSize: 25,
        onProgress: (p) => {
          if (p.phase === 'push' && ++pushes === 5) terminated = terminateSync(central.client);
        },
      });
      const interrupted = await settle(engine.syncOnce());
      await terminated;
      expect(interrupted.ok).toBe(false);
      // 57P01 when the termination hits a running query; a dead-client error when it lands between two.
      expect(interrupted.ok ? '' : `${interrupted.error.code ?? ''} ${interrupted.error.message}`).toMatch(/57P01|not queryable|terminated/);
      expectCleanOffline(engine.status());
      const { lastSeq } = await centralPushRecord(central.client, clientId);
      expect((core.db.prepare(`SELECT count(*) AS n FROM sync_outbox WHERE seq > ?`).get(lastSeq) as { n: number }).n).toBe(maxSeq - lastSeq);

      await engine.syncOnce();
      expect(engine.status()).toMatchObject({ state: 'idle', pending: 0, lastError: null });
      const record = await centralPushRecord(central.client, clientId);
      expect(record.lastSeq).toBe(maxSeq);
      expect(record.changesByTable).toEqual(Object.fromEntries([...perTable].sort()));
      expect(await diffReplicaAgainstCentral(core.db, central.url)).toEqual([]);
    });

    // The engine holds its pool client across the pause between two push chunks; a termination
    // (server restart, admin, failover) landing in that pause must be reported, not kill the
    // process with "Unhandled 'error' event". The pause is widened to 400 ms so the termination
    // lands in it deterministically.
    it('a termination between two round trips is reported, not fatal', { timeout: 60_000 }, async () => {
      const central = await tempCentral();
      cleanups.push(() => central.drop());
      const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-restart-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'replica.db');
      const local = openCore({ dbFile: file });
      makeLocalWork(local, 100, 'between');
      local.close();
      const child = spawnSyncChild({ dbFile: file, url: central.url, pushChunkSize: 25, slowProgressMs: 400, maxRuns: 2, pauseMs: 100 });
      cleanups.push(async () => void (await child.kill()));
      let pushes = 0;
      await child.waitFor((e) => e.ev === 'progress' && e.phase === 'push' && ++pushes === 2, 30_000);
      await terminateSync(central.client);
      const outcome = await Promise.race([
        child.waitFor((e) => e.ev === 'error', 20_000).then((e) => ({ reported: e })),
        child.exited.then((x) => ({ exited: x })),
      ]);
      expect(child.stderr()).not.toContain("Unhandled 'error' event");
      expect(outcome).toHaveProperty('reported');
    });
  });
});
