import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore } from '../../core/app/core';
import { runCoordinator, runCoordinatorUntil, type CliRun } from '../support/cli';
import { corruptPagesOf } from '../support/corrupt-db';
import { tempCentral } from '../support/pg';

/**
 * The seams every command shares: one id resolver, one translation of storage errors, one log
 * destination, one rule per entity for duplicates. Each case runs the real bin as a child process.
 */
const CLEAN_ENV = {
  COORDINATOR_DB: undefined,
  COORDINATOR_DEBUG: undefined,
  COORDINATOR_LOG_LEVEL: undefined,
  COORDINATOR_LOG_FILE: undefined,
  COORDINATOR_PG_URL: undefined,
  COORDINATOR_CRM_URL: undefined,
  OPENAI_BASE_URL: undefined,
  OPENAI_API_KEY: undefined,
};
const cli = (args: string[], env: Record<string, string | undefined> = {}, timeoutMs?: number) => runCoordinator(args, { ...CLEAN_ENV, ...env }, timeoutMs);

/** Exit code 1 and exactly one `error: …` line on stderr (no log lines, no stack); returns the line. */
function oneErrorLine(run: CliRun): string {
  expect(run.code, run.stderr).toBe(1);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: \S/);
  return lines[0] as string;
}

async function ok(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const run = await cli(args, env);
  expect(run.stderr, `stderr of ${args.join(' ')}`).toBe('');
  expect(run.code, `exit code of ${args.join(' ')}`).toBe(0);
  return run;
}

async function data<T>(db: string, ...args: string[]): Promise<T> {
  return JSON.parse((await ok(['--db', db, ...args, '--json'])).stdout) as T;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-cli-seams-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one id resolver for every command that takes an id (issue 12 §4)', { timeout: 300_000 }, () => {
  let db: string;
  let taskA: { id: string };
  let taskB: { id: string };
  beforeAll(async () => {
    db = path.join(dir, 'ids.db');
    await ok(['--db', db, 'init']);
    taskA = await data(db, 'task', 'add', '--title', 'First');
    taskB = await data(db, 'task', 'add', '--title', 'Second');
  });

  it('says "give at least 8 characters" for a short fragment, whatever the command', async () => {
    const commands: string[][] = [
      ['task', 'show', '5bb0'],
      ['task', 'update', '5bb0', '--title', 'x'],
      ['task', 'delete', '5bb0'],
      ['comment', 'add', '--task', '5bb0', '--text', 'hi'],
      ['notifications', 'read', '5bb0'],
      ['conflicts', 'restore', '5bb0'],
      ['conflicts', 'dismiss', '5bb0'],
      ['actions', 'confirm', '5bb0'],
      ['actions', 'reject', '5bb0'],
      ['memory', 'open', '5bb0'],
    ];
    // One after another: ten processes opening one file at once can outwait SQLite's busy timeout on a loaded machine.
    const runs: Awaited<ReturnType<typeof cli>>[] = [];
    for (const args of commands) runs.push(await cli(['--db', db, ...args]));
    runs.forEach((run, i) => {
      const line = oneErrorLine(run);
      expect(line, commands[i]?.join(' ')).toMatch(/"5bb0" is too short to identify an? \w+.*give at least 8 characters/);
      expect(line).not.toMatch(/UUID/);
    });
  });

  it('accepts a unique prefix or suffix of 8 characters and names the candidates when it is ambiguous', async () => {
    const shown = await data<{ id: string }>(db, 'task', 'show', taskA.id.slice(-8));
    expect(shown.id).toBe(taskA.id);
    const sharedPrefix = taskA.id.slice(0, 8);
    if (taskB.id.startsWith(sharedPrefix)) {
      // UUIDv7s made in the same minute share their first 8 characters.
      const line = oneErrorLine(await cli(['--db', db, 'task', 'show', sharedPrefix]));
      expect(line).toMatch(/matches more than one task .*First.*Second|matches more than one task .*Second.*First/);
    }
    const byPrefix = await data<{ id: string }>(db, 'task', 'show', taskB.id.slice(0, 23));
    expect(byPrefix.id).toBe(taskB.id);
    const missing = oneErrorLine(await cli(['--db', db, 'task', 'show', 'ffffffff']));
    expect(missing).toMatch(/No task has an id matching "ffffffff"/);
    const notAnId = oneErrorLine(await cli(['--db', db, 'task', 'show', 'the-first-one']));
    expect(notAnId).toMatch(/"the-first-one" is not a task id/);
  });
});

describe('conflicts by the 8 characters `conflicts list` shows (issue 12 §4)', { timeout: 300_000 }, () => {
  let central: Awaited<ReturnType<typeof tempCentral>>;
  beforeAll(async () => {
    central = await tempCentral();
  });
  afterAll(async () => {
    await central.drop();
  });

  /** Two replicas edit the same title; the one that syncs last keeps it and the other value is a conflict. */
  async function conflictedReplicas(name: string): Promise<{ conflict: { id: string; rowId: string }; owner: string }> {
    const a = path.join(dir, `${name}-a.db`);
    const b = path.join(dir, `${name}-b.db`);
    const env = { COORDINATOR_PG_URL: central.url };
    await ok(['--db', a, 'init']);
    const task = await data<{ id: string }>(a, 'task', 'add', '--title', `${name} original`);
    await ok(['--db', a, 'sync', '--upload', '--json'], env);
    await ok(['--db', b, 'init']);
    await ok(['--db', b, 'sync', '--upload', '--json'], env);
    await ok(['--db', a, 'task', 'update', task.id, '--title', `${name} from A`]);
    await ok(['--db', b, 'task', 'update', task.id, '--title', `${name} from B`]);
    await ok(['--db', a, 'sync', '--upload', '--json'], env);
    await ok(['--db', b, 'sync', '--upload', '--json'], env);
    // The loser hears of it on a later pull, once no older transaction in the cluster is still open.
    for (let attempt = 0; attempt < 10; attempt += 1) {
      for (const owner of [a, b]) {
        await ok(['--db', owner, 'sync', '--upload', '--json'], env);
        const list = await data<{ id: string; rowId: string; kind: string }[]>(owner, 'conflicts', 'list');
        const found = list.find((c) => c.rowId === task.id && !c.id.startsWith('outbox:'));
        if (found) return { conflict: found, owner };
      }
    }
    throw new Error('the concurrent edits produced no conflict');
  }

  it('restores and dismisses a conflict given the short id shown in the list', { timeout: 600_000 }, async () => {
    const first = await conflictedReplicas('restore');
    const shortId = first.conflict.id.slice(-8);
    const listed = (await ok(['--db', first.owner, 'conflicts', 'list'])).stdout;
    expect(listed).toContain(shortId);
    const restored = await data<{ id: string; resolution: string }>(first.owner, 'conflicts', 'restore', shortId);
    expect(restored).toMatchObject({ id: first.conflict.id, resolution: 'restored' });

    const second = await conflictedReplicas('dismiss');
    const dismissed = await data<{ id: string; dismissed: boolean }>(second.owner, 'conflicts', 'dismiss', second.conflict.id.slice(-8));
    expect(dismissed).toEqual({ id: second.conflict.id, dismissed: true });
    expect(await data<unknown[]>(second.owner, 'conflicts', 'list')).toEqual([]);
    const again = oneErrorLine(await cli(['--db', second.owner, 'conflicts', 'dismiss', second.conflict.id.slice(-8)]));
    expect(again).toMatch(/does not exist|already/);
  });

  it('reports employees sharing an email and active projects sharing a name when they arrive from the server, and keeps syncing', { timeout: 300_000 }, async () => {
    const a = path.join(dir, 'dup-a.db');
    const b = path.join(dir, 'dup-b.db');
    const env = { COORDINATOR_PG_URL: central.url };
    await ok(['--db', a, 'init']);
    await ok(['--db', b, 'init']);
    // Each replica alone accepts its own record: the duplicate only exists once both have synced.
    await ok(['--db', a, 'employee', 'add', '--name', 'Ana Silva', '--email', 'ana@example.com']);
    await ok(['--db', b, 'employee', 'add', '--name', 'Ana S.', '--email', 'ANA@example.com']);
    await ok(['--db', a, 'project', 'add', '--name', 'Intranet']);
    await ok(['--db', b, 'project', 'add', '--name', 'intranet']);
    await ok(['--db', a, 'sync', '--upload'], env);
    const synced = await cli(['--db', b, 'sync', '--upload'], env);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toMatch(/warning: employees .*Ana.* share the email ana@example\.com/);
    expect(synced.stdout).toMatch(/warning: 2 active projects are named "(I|i)ntranet"/);
    const asJson = JSON.parse((await cli(['--db', b, 'sync', '--upload', '--json'], env)).stdout) as { duplicates?: string[] };
    expect(asJson.duplicates).toHaveLength(2);
    const doctor = await cli(['--db', b, 'doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✗ local\.unique-names .*share the email ana@example\.com/);
  });

  it('says in words that a MySQL port is not PostgreSQL, in one line, with the log line in the log file (stderr only with --debug)', async () => {
    const db = path.join(dir, 'mysql-port.db');
    await ok(['--db', db, 'init']);
    const mysqlAsPg = 'postgres://root@127.0.0.1:3306/coordinator';
    const line = oneErrorLine(await cli(['--db', db, 'sync', '--upload', '--pg', mysqlAsPg]));
    expect(line).toMatch(/is not PostgreSQL .*MySQL/);
    const logFile = path.join(dir, 'logs', 'cli.log');
    expect(readFileSync(logFile, 'utf8')).toMatch(/"level":"error","scope":"sync","msg":"sync failed"/);

    const debug = await cli(['--db', db, 'sync', '--upload', '--pg', mysqlAsPg, '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^\{"t":.*"msg":"sync failed"/m);
    expect(debug.stderr).toMatch(/^error: .*is not PostgreSQL/m);

    const migrate = oneErrorLine(await cli(['migrate', '--pg', mysqlAsPg]));
    expect(migrate).toMatch(/is not PostgreSQL/);
  });

  it('sync --watch prints a line only when something changed', { timeout: 120_000 }, async () => {
    const db = path.join(dir, 'watch.db');
    await ok(['--db', db, 'init']);
    await ok(['--db', db, 'sync', '--upload'], { COORDINATOR_PG_URL: central.url });
    // Stopped with SIGTERM (which --watch handles) after several one-second intervals; --debug puts
    // a log line per run on stderr, so the runs can be counted.
    const syncRuns = (stderr: string) => stderr.split('\n').filter((l) => l.includes('"msg":"sync run"'));
    const run = await runCoordinatorUntil(['--db', db, 'sync', '--upload', '--watch', '--interval', '1', '--debug'], { ...CLEAN_ENV, COORDINATOR_PG_URL: central.url }, (stderr) => syncRuns(stderr).length >= 5, 30_000);
    const runs = syncRuns(run.stderr);
    expect(run.code, run.stderr).toBe(0); // SIGTERM ends the watch cleanly
    expect(runs.length, run.stderr).toBeGreaterThanOrEqual(3);
    const lines = run.stdout.trim().split('\n').filter(Boolean);
    // The first run reports (with any warnings); the quiet ones after it add nothing.
    expect(lines.filter((l) => l.startsWith('Pushed')), run.stdout).toEqual([expect.stringMatching(/^Pushed 0 changes, pulled \d+ changes?/)]);
    expect(new Set(lines).size, run.stdout).toBe(lines.length);
  });
});

describe('duplicates refused in the service layer (issue 12 §6)', { timeout: 300_000 }, () => {
  let db: string;
  beforeAll(async () => {
    db = path.join(dir, 'dups.db');
    await ok(['--db', db, 'init']);
  });

  it('refuses a second employee with the same email in any case, also on update', async () => {
    await ok(['--db', db, 'employee', 'add', '--name', 'Maria Garcia', '--email', 'maria@example.com']);
    const line = oneErrorLine(await cli(['--db', db, 'employee', 'add', '--name', 'M. Garcia', '--email', 'Maria@Example.COM']));
    expect(line).toMatch(/maria@example\.com already belongs to Maria Garcia/i);
    expect(await data<unknown[]>(db, 'employee', 'list')).toHaveLength(1);
    // The same rule through the service the UI (IPC) and the agent call.
    const core = openCore({ dbFile: db });
    try {
      const other = core.employees.create({ name: 'Other', email: 'other@example.com' });
      expect(() => core.employees.update({ id: other.id, email: 'MARIA@example.com' })).toThrow(/already belongs to Maria Garcia/);
    } finally {
      core.close();
    }
  });

  it('refuses a second active project with the same name, allows reusing a finished one, and --project NAME picks the active one', async () => {
    const old = await data<{ id: string; status: string }>(db, 'project', 'add', '--name', 'Website', '--status', 'done');
    expect(old.status).toBe('done');
    const current = await data<{ id: string }>(db, 'project', 'add', '--name', 'Website');
    const line = oneErrorLine(await cli(['--db', db, 'project', 'add', '--name', 'WEBSITE']));
    expect(line).toMatch(/already an active project named "Website"/);
    const task = await data<{ projectId: string }>(db, 'task', 'add', '--title', 'Copy', '--project', 'website');
    expect(task.projectId).toBe(current.id);
    // Reopening the finished one would make two active "Website"s.
    const reopen = oneErrorLine(await cli(['--db', db, 'project', 'update', old.id, '--status', 'in_progress']));
    expect(reopen).toMatch(/already an active project named "Website"/);
  });
});

describe('projects: every listed status on add, and update (issue 12 §6)', { timeout: 300_000 }, () => {
  it('adds a project in any status the help lists and changes it with project update', async () => {
    const db = path.join(dir, 'projects.db');
    await ok(['--db', db, 'init']);
    for (const status of ['todo', 'in_progress', 'on_hold', 'done', 'cancelled']) {
      const created = await data<{ status: string; endDate: string | null }>(db, 'project', 'add', '--name', `P ${status}`, '--status', status);
      expect(created.status).toBe(status);
      if (status === 'done') expect(created.endDate).not.toBeNull();
    }
    const updated = await data<{ name: string; status: string; deadline: string | null }>(db, 'project', 'update', 'P todo', '--name', 'Renamed', '--deadline', '2027-01-31', '--status', 'in_progress');
    expect(updated).toMatchObject({ name: 'Renamed', status: 'in_progress', deadline: '2027-01-31' });
    const refused = oneErrorLine(await cli(['--db', db, 'project', 'update', 'Renamed', '--name', 'Half done', '--status', 'todo']));
    expect(refused).toMatch(/cannot become Not started/);
    // The refused status left the name alone too.
    expect((await data<{ name: string }[]>(db, 'project', 'list')).map((p) => p.name)).toContain('Renamed');
    expect(oneErrorLine(await cli(['--db', db, 'project', 'update', 'Renamed']))).toMatch(/Nothing to update/);
  });
});

describe('storage errors in words, for every command (issue 12 §6)', { timeout: 300_000 }, () => {
  it('refuses to create a database in a folder that does not exist', async () => {
    const missing = path.join(dir, 'typo', 'dir', 'x.db');
    const line = oneErrorLine(await cli(['--db', missing, 'init']));
    expect(line).toMatch(/folder .*typo\/dir does not exist/);
    expect(existsSync(path.join(dir, 'typo'))).toBe(false);
  });

  it('says a read-only database is read-only and changes nothing', async () => {
    const db = path.join(dir, 'readonly.db');
    await ok(['--db', db, 'init']);
    await ok(['--db', db, 'project', 'add', '--name', 'Kept']);
    // root ignores file modes: the immutable attribute makes the file read-only even for root.
    const root = process.getuid?.() === 0;
    if (root) execFileSync('chattr', ['+i', db]);
    else chmodSync(db, 0o444);
    try {
      const line = oneErrorLine(await cli(['--db', db, 'project', 'add', '--name', 'Lost']));
      expect(line).toMatch(/database .*readonly\.db is read-only/);
      expect(line).not.toMatch(/unexpected failure/);
    } finally {
      if (root) execFileSync('chattr', ['-i', db]);
      else chmodSync(db, 0o644);
    }
    expect((await data<{ name: string }[]>(db, 'project', 'list')).map((p) => p.name)).toEqual(['Kept']);
  });

  it('says the backup folder does not exist', async () => {
    const db = path.join(dir, 'backup-src.db');
    await ok(['--db', db, 'init']);
    const line = oneErrorLine(await cli(['--db', db, 'backup', '--out', path.join(dir, 'missing', 'x.db')]));
    expect(line).toMatch(/folder .*missing does not exist \(--out /);
  });

  it('names an option the CLI has when it refuses a plain-text password', async () => {
    const db = path.join(dir, 'plain.db');
    await ok(['--db', db, 'init']);
    const line = oneErrorLine(await cli(['--db', db, 'sync', '--upload', '--pg', 'postgres://admin:secret@db.example.com/coordinator']));
    expect(line).toMatch(/Refusing to send a password in clear text/);
    expect(line).toMatch(/--allow-plaintext-password/);
    expect(line).not.toMatch(/secret/);
    const help = await ok(['sync', '--help']);
    expect(help.stdout).toMatch(/--allow-plaintext-password/);
  });

  it('recover writes its log lines to the log file, not before its report on stderr', async () => {
    const folder = mkdtempSync(path.join(dir, 'recover-'));
    const db = path.join(folder, 'damaged.db');
    await ok(['--db', db, 'seed-demo']);
    corruptPagesOf(db, 'tasks');
    const run = await cli(['--db', db, 'recover']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/The database was damaged/);
    expect(readFileSync(path.join(folder, 'logs', 'cli.log'), 'utf8')).toMatch(/"scope":"recovery".*"msg":"local database is damaged; moved aside and rebuilding"/);
  });
});
