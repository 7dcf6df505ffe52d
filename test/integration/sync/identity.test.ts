/**
 * Issue 12 §1–§2: a replica's identity and the central database's identity. Run through the CLI as
 * a person would, against real PostgreSQL. See docs/sync-identity.md.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// Each test runs the CLI a dozen times as child processes; generous on a shared machine.
const SLOW = 300_000;
import { runCoordinator } from '../../support/cli';
import { tempCentral } from '../../support/pg';
import { waitForVisibleChanges } from '../../support/sync-harness';

type Central = Awaited<ReturnType<typeof tempCentral>>;
const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let dir: string;
let central: Central;
const centrals: Central[] = [];

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'coord-identity-'));
  central = await tempCentral();
  centrals.push(central);
});
afterEach(async () => {
  for (const c of centrals.splice(0)) await c.drop();
  rmSync(dir, { recursive: true, force: true });
});

const db = (name = 'r.db') => path.join(dir, name);
async function cli(args: string[], file = db(), url = central.url) {
  return runCoordinator(['--db', file, ...args], { COORDINATOR_PG_URL: url, COORDINATOR_CRM_URL: undefined, OPENAI_BASE_URL: undefined });
}
async function ok(args: string[], file?: string, url?: string) {
  const run = await cli(args, file, url);
  expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout;
}
async function sync(file?: string, extra: string[] = [], target: Central = central) {
  await waitForVisibleChanges(target.client);
  return cli(['sync', '--upload', ...extra], file, target.url);
}
async function centralTitles(target: Central = central): Promise<string[]> {
  const { rows } = await target.client.query<{ title: string }>(`SELECT title FROM tasks WHERE title LIKE '% made %' ORDER BY title`);
  return rows.map((r) => r.title);
}

/** A central restore: the database is replaced by a copy of an earlier snapshot of itself. */
async function snapshot(target: Central): Promise<string> {
  const name = `${target.name}_snap`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND pid <> $2`, [target.name, await backendPid(target)]);
    await target.client.end();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${target.name}`);
  } finally {
    await admin.end();
  }
  await reconnect(target);
  return name;
}
async function backendPid(target: Central): Promise<number> {
  return (await target.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}
async function reconnect(target: Central): Promise<void> {
  const client = new pg.Client({ connectionString: target.url });
  client.on('error', () => undefined);
  await client.connect();
  Object.assign(target, { client, query: client.query.bind(client) });
}
/**
 * Restores `target` from the snapshot. With `sameIdentity`, the restored database keeps the
 * PostgreSQL identity it had (as a file-system snapshot of the whole server does), so only what
 * replicas remember can tell it was restored.
 */
async function restore(target: Central, snap: string, options: { sameIdentity: boolean }): Promise<void> {
  await target.client.end();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [target.name]);
    await admin.query(`DROP DATABASE ${target.name}`);
    await admin.query(`CREATE DATABASE ${target.name} TEMPLATE ${snap}`);
    await admin.query(`DROP DATABASE ${snap}`);
  } finally {
    await admin.end();
  }
  await reconnect(target);
  if (options.sameIdentity) {
    await target.client.query(`UPDATE sync_meta SET value = (SELECT oid::text FROM pg_database WHERE datname = current_database()) WHERE key = 'database_fingerprint'`);
  }
}

describe('a restored or copied replica (issue 12 §1)', () => {
  it('restoring a backup by copying the file loses no change made after restoring', async () => {
    await ok(['seed-demo']);
    await ok(['sync', '--upload']);
    await ok(['backup', '--out', db('r-backup.db')]);
    await ok(['task', 'add', '--title', 'X made after the backup']);
    expect((await sync()).code).toBe(0);
    copyFileSync(db('r-backup.db'), db());
    rmSync(`${db()}-wal`, { force: true });
    rmSync(`${db()}-shm`, { force: true });
    await ok(['task', 'add', '--title', 'Y made after restoring']);
    await ok(['task', 'add', '--title', 'Z made after restoring']);
    const run = await sync();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/copy \(or a restored backup\).*new replica/);
    expect(run.stdout).toMatch(/Pushed 2 changes/);
    expect(JSON.parse(await ok(['status', '--json'])).pending).toBe(0);
    expect(await centralTitles()).toEqual(['X made after the backup', 'Y made after restoring', 'Z made after restoring']);
  }, SLOW);

  it('`coordinator restore` makes the restored file a new replica before it pushes', async () => {
    await ok(['seed-demo']);
    await ok(['sync', '--upload']);
    await ok(['backup', '--out', db('r-backup.db')]);
    await ok(['task', 'add', '--title', 'X made after the backup']);
    await ok(['sync', '--upload']);
    const restored = JSON.parse(await ok(['restore', '--from', db('r-backup.db'), '--json'])) as { pending: number };
    expect(restored.pending).toBe(0);
    await ok(['task', 'add', '--title', 'Y made after restoring']);
    const run = await sync(db(), ['--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { pushed: number; identity?: { kind: string; pending: number } };
    expect(result.identity).toMatchObject({ kind: 'copied', pending: 1 });
    expect(result.pushed).toBe(1);
    expect(await centralTitles()).toEqual(['X made after the backup', 'Y made after restoring']);
  }, SLOW);

  it('two copies of one replica file both push their own changes, whichever goes first', async () => {
    await ok(['seed-demo']);
    await ok(['sync', '--upload']);
    copyFileSync(db(), db('copy.db'));
    await ok(['task', 'add', '--title', 'A made in the original']);
    await ok(['task', 'add', '--title', 'B made in the copy'], db('copy.db'));
    await ok(['task', 'add', '--title', 'C made in the copy'], db('copy.db'));
    expect((await sync(db('copy.db'))).code).toBe(0);
    const original = await sync(db());
    expect(original.code, original.stderr).toBe(0);
    expect(original.stdout).toMatch(/new replica/);
    expect(await centralTitles()).toEqual(['A made in the original', 'B made in the copy', 'C made in the copy']);
    expect(JSON.parse(await ok(['status', '--json'])).pending).toBe(0);
  }, SLOW);

  it('the server refuses a reused sequence number with another mutation instead of calling it a replay', async () => {
    await ok(['seed-demo']);
    await ok(['sync', '--upload']);
    const { rows } = await central.client.query<{ client_id: string; last: number }>(
      `SELECT client_id, last_mutation_seq AS last FROM sync_clients ORDER BY last_seen_at DESC LIMIT 1`,
    );
    const replica = rows[0]!;
    const mutation = { seq: Number(replica.last), mutationId: '00000000-0000-7000-8000-000000000001', table: 'tasks', rowId: '00000000-0000-7000-8000-000000000002', op: 'delete', fields: {}, baseVersion: null, hlc: '000000000000001:00000:x' };
    await expect(central.client.query('SELECT coordinator_push($1, $2::jsonb)', [replica.client_id, JSON.stringify([mutation])])).rejects.toMatchObject({ code: 'CSSEQ' });
  }, SLOW);
});

describe('a replica and another or a restored central database (issue 12 §2)', () => {
  it('pointed at another (empty) central database, sync refuses plainly and --join rebuilds and pushes pending work', async () => {
    await ok(['seed-demo']);
    await ok(['sync', '--upload']);
    const other = await tempCentral();
    centrals.push(other);
    const refused = await sync(db(), [], other);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/belongs to another central database.*--join/);
    // Still refused, never "Pushed 0" and then stuck with a sequence gap.
    expect((await sync(db(), [], other)).stderr).toMatch(/another central database/);
    expect((await sync(db())).code).toBe(0);
    await ok(['project', 'add', '--name', 'Made before joining']);
    const joined = await sync(db(), ['--join'], other);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout).toMatch(/Joined the central database/);
    // The pending project was offered to the new server: stored there, or visibly refused (its
    // creator is not a user of that database) — never silently dropped.
    const { rows } = await other.client.query(`SELECT name FROM projects`);
    const refusedProjects = (JSON.parse(await ok(['conflicts', 'list', '--json'])) as { kind: string; table: string }[]).filter((c) => c.kind === 'rejected' && c.table === 'projects');
    expect(rows.length + refusedProjects.length).toBe(1);
    const again = await sync(db(), [], other);
    expect(again.code, again.stderr).toBe(0);
    // Local data is the other server's now: the first database's tasks are gone from this replica.
    expect(JSON.parse(await ok(['task', 'list', '--json']))).toEqual([]);
  }, SLOW);

  it('sync against an unmigrated database says to run `coordinator migrate`', async () => {
    await ok(['seed-demo']);
    const bare = await tempCentral({ migrate: false });
    centrals.push(bare);
    const run = await sync(db(), [], bare).catch(() => cli(['sync', '--upload'], db(), bare.url));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/run `coordinator migrate/);
    expect(run.stderr).not.toMatch(/relation .* does not exist/);
  }, SLOW);

  for (const sameIdentity of [false, true]) {
    it(`after central is restored from an earlier snapshot (${sameIdentity ? 'same database identity, as a file-system snapshot' : 'restored copy, as a dump'}), the laptop pushes again what central lost and is never stuck`, async () => {
      await ok(['seed-demo']);
      await ok(['sync', '--upload']);
      const snap = await snapshot(central);
      await ok(['task', 'add', '--title', 'E made before the central restore']);
      const first = await sync();
      expect(first.stdout).toMatch(/Pushed 1 change/);
      await restore(central, snap, { sameIdentity });
      expect(await centralTitles()).toEqual([]);
      await ok(['task', 'add', '--title', 'F made after the central restore']);
      const run = await sync(db(), ['--json']);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { identity?: { kind: string; replayed: number; message: string } };
      expect(result.identity?.kind).toBe('central-restored');
      expect(result.identity?.message).toMatch(/kept 30 days, at most 10000/);
      expect(await centralTitles()).toEqual(['E made before the central restore', 'F made after the central restore']);
      const next = await sync();
      expect(next.code, next.stderr).toBe(0);
      expect(JSON.parse(await ok(['status', '--json'])).pending).toBe(0);
    }, SLOW);
  }
});
