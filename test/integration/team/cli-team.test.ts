/**
 * Issue 14 from the command line: the first sync of a laptop holding its own work waits for the
 * person's choice (--upload / --start-fresh), the demo is never pushed unless asked, and
 * `coordinator sign-out` pushes first, refuses to strand changes, and keeps the replica aside.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoordinator, type CliRun } from '../../support/cli';
import { tempCentral } from '../../support/pg';

let central: Awaited<ReturnType<typeof tempCentral>>;
let dir: string;
const cli = (args: string[]): Promise<CliRun> => runCoordinator(args, { COORDINATOR_PG_URL: undefined });
const count = async (sql: string, params: unknown[] = []) => Number((await central.query<{ n: string }>(sql, params)).rows[0]?.n);

beforeAll(async () => {
  central = await tempCentral();
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-cli-team-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await central.drop();
});

describe('the first sync of a laptop with its own work', () => {
  it('sends nothing until the person chooses, then --upload pushes it under the person the server names', async () => {
    const db = path.join(dir, 'own.db');
    expect((await cli(['--db', db, 'init'])).code).toBe(0);
    expect((await cli(['--db', db, 'task', 'add', '--title', 'Made offline'])).code).toBe(0);
    const refused = await cli(['--db', db, 'sync', '--pg', central.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^error: This laptop holds 1 task that no team has seen yet, so nothing was sent\..* Sync again with --upload or with --start-fresh\./);
    expect(await count('SELECT count(*) AS n FROM tasks')).toBe(0);
    const uploaded = JSON.parse((await cli(['--db', db, 'sync', '--pg', central.url, '--upload', '--json'])).stdout) as { pushed: number; signedIn: { username: string } };
    expect(uploaded.pushed).toBe(1);
    expect(uploaded.signedIn.username).toBe('postgres');
    expect(await count("SELECT count(*) AS n FROM tasks t JOIN users u ON u.id = t.created_by WHERE t.title = 'Made offline' AND u.username = 'postgres'")).toBe(1);
  });

  it('the demo, with --start-fresh, stays in a file beside the database and never reaches the team', async () => {
    const db = path.join(dir, 'demo.db');
    expect((await cli(['--db', db, 'seed-demo'])).code).toBe(0);
    const refused = await cli(['--db', db, 'sync', '--pg', central.url]);
    expect(refused.stderr).toMatch(/holds the demo organisation \(5 projects, 60 tasks and \d+ comments\)/);
    const fresh = JSON.parse((await cli(['--db', db, 'sync', '--pg', central.url, '--start-fresh', '--json'])).stdout) as { pushed: number; setAside: string };
    expect(fresh.pushed).toBe(0);
    expect(existsSync(fresh.setAside)).toBe(true);
    const aside = new Database(fresh.setAside, { readonly: true });
    try {
      expect(aside.prepare('SELECT count(*) AS n FROM tasks').get()).toEqual({ n: 60 });
    } finally {
      aside.close();
    }
    expect(await count('SELECT count(*) AS n FROM projects')).toBe(0);
    const local = new Database(db, { readonly: true });
    try {
      expect(local.prepare('SELECT title FROM tasks').all()).toEqual([{ title: 'Made offline' }]);
    } finally {
      local.close();
    }
  });
});

describe('coordinator sign-out', () => {
  it('refuses while changes cannot be pushed, pushes them when it can, and keeps the replica aside', async () => {
    const db = path.join(dir, 'leaving.db');
    expect((await cli(['--db', db, 'init'])).code).toBe(0);
    expect((await cli(['--db', db, 'sync', '--pg', central.url])).code).toBe(0);
    expect((await cli(['--db', db, 'task', 'add', '--title', 'Last words'])).code).toBe(0);
    const unreachable = await cli(['--db', db, 'sign-out', '--pg', 'postgres://postgres@127.0.0.1:1/none']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: 1 change could not be pushed \(The central database cannot be reached.*\); nothing was changed/);
    const out = JSON.parse((await cli(['--db', db, 'sign-out', '--pg', central.url, '--json'])).stdout) as { pushed: number; unsynced: number; movedTo: string };
    expect(out).toMatchObject({ pushed: 1, unsynced: 0 });
    expect(out.movedTo).toMatch(/leaving\.signed-out-.*\.db$/);
    expect(await count("SELECT count(*) AS n FROM tasks WHERE title = 'Last words'")).toBe(1);
    const local = new Database(db, { readonly: true });
    try {
      expect(local.prepare('SELECT count(*) AS n FROM tasks').get()).toEqual({ n: 0 });
      expect(local.prepare("SELECT count(*) AS n FROM local_settings WHERE key LIKE 'sync.%' OR key LIKE 'identity.%'").get()).toEqual({ n: 0 });
    } finally {
      local.close();
    }
  });
});
