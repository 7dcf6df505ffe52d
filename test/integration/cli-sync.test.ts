import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoordinator } from '../support/cli';
import { tempCentral } from '../support/pg';

const cli = (args: string[], env: Record<string, string> = {}) => runCoordinator(args, env);

describe('coordinator migrate / sync / status / conflicts', () => {
  let central: Awaited<ReturnType<typeof tempCentral>>;
  let dir: string;
  beforeAll(async () => {
    central = await tempCentral({ migrate: false });
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-cli-sync-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await central.drop();
  });

  it('migrates the central schema idempotently', async () => {
    const first = await cli(['migrate', '--pg', central.url, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied).toContain('0000_initial');
    const second = await cli(['migrate', '--json'], { COORDINATOR_PG_URL: central.url });
    expect(JSON.parse(second.stdout).applied).toEqual([]);
  });

  it('pushes a replica, bootstraps another and reports status and conflicts as JSON', async () => {
    const a = path.join(dir, 'a.db');
    const b = path.join(dir, 'b.db');
    expect((await cli(['--db', a, 'seed-demo'])).code).toBe(0);
    const before = JSON.parse((await cli(['--db', a, 'status', '--json'])).stdout);
    expect(before.pending).toBeGreaterThan(100);
    const pushed = JSON.parse((await cli(['--db', a, 'sync', '--upload', '--pg', central.url, '--once', '--json'])).stdout);
    expect(pushed).toMatchObject({ pushed: before.pending, conflicts: 0 });
    expect(typeof pushed.durationMs).toBe('number');
    const after = JSON.parse((await cli(['--db', a, 'status', '--json'])).stdout);
    expect(after).toMatchObject({ state: 'idle', pending: 0 });
    expect(after.lastSyncedAt).not.toBeNull();

    expect((await cli(['--db', b, 'init'])).code).toBe(0);
    const pulled = JSON.parse((await cli(['--db', b, 'sync', '--upload', '--json'], { COORDINATOR_PG_URL: central.url })).stdout);
    expect(pulled.pulled).toBeGreaterThan(100);
    const tasks = JSON.parse((await cli(['--db', b, 'task', 'list', '--json'])).stdout);
    expect(tasks.length).toBe(JSON.parse((await cli(['--db', a, 'task', 'list', '--json'])).stdout).length);
    expect(JSON.parse((await cli(['--db', b, 'conflicts', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('fails with one clear line when the central database cannot be reached, keeping the changes', async () => {
    const a = path.join(dir, 'a.db');
    await cli(['--db', a, 'project', 'add', '--name', 'Offline work']);
    const r = await cli(['--db', a, 'sync', '--upload', '--pg', 'postgres://nobody@127.0.0.1:1/none']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot be reached/);
    const status = JSON.parse((await cli(['--db', a, 'status', '--json'])).stdout);
    expect(status.pending).toBeGreaterThan(0);
    expect(status.state).toBe('offline');
  });
});
