import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, type Core } from '../../core/app/core';
import type { Comment, Employee, EmployeeListItem, Notification, Project, ProjectSummary, Task, TaskDetail, TaskListItem } from '../../shared/entities';
import { coordinatorScript, SHIPPED_BIN } from '../support/cli';

/**
 * The `coordinator` CLI as a child process against temp database files; results are checked on
 * exit codes, stdout JSON and by reopening the database with the core. Every spawn costs a few
 * hundred milliseconds, so assertions are grouped and independent failures run in parallel. The
 * CLI is the one bundled for this test run (test/support/cli.ts); the first test runs the shipped
 * bin itself.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;

/** At most this many children at once: more only makes each slower on a small machine. */
const MAX_CHILDREN = Math.max(2, Math.min(4, os.availableParallelism() - 1));
let running = 0;
const waiting: (() => void)[] = [];

async function cli(args: string[], env: Record<string, string | undefined> = {}, script = coordinatorScript()): Promise<Run> {
  while (running >= MAX_CHILDREN) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await spawnCli(script, args, env);
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

function spawnCli(script: string, args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, COORDINATOR_DB: undefined, COORDINATOR_DEBUG: undefined, COORDINATOR_LOG_LEVEL: undefined, ...env };
  for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env: childEnv, cwd: dir, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a command with --json on `db`, expects success, returns the parsed stdout. */
async function json<T>(db: string, ...args: string[]): Promise<T> {
  const run = await cli(['--db', db, ...args, '--json']);
  expect(run.stderr, `stderr of ${args.join(' ')}`).toBe('');
  expect(run.code, `exit code of ${args.join(' ')}`).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** Expects exit code 1 and exactly one `error: …` line on stderr; returns that line. */
function expectFailure(run: Run): string {
  expect(run.code).toBe(1);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: \S/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return lines[0] as string;
}

/** Every module of core/ that some code loads with a relative import(), by absolute path. */
function lazilyImportedModules(): string[] {
  const found = new Set<string>();
  const core = path.join(ROOT, 'core');
  for (const entry of readdirSync(core, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const file = path.join(core, entry);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) {
      const target = path.resolve(path.dirname(file), specifier as string);
      found.add(existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts'));
    }
  }
  return [...found].sort();
}

function withCore<T>(db: string, fn: (core: Core) => T): T {
  const core = openCore({ dbFile: db });
  try {
    return fn(core);
  } finally {
    core.close();
  }
}

const todayUtc = () => new Date().toISOString().slice(0, 10);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-cli-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// Generous: a loaded 2-core machine can make each spawn take seconds.
describe('coordinator CLI', { timeout: 180_000 }, () => {
  it('the shipped bin prints help without touching a database, and finds the default database like the desktop app', async () => {
    const xdg = path.join(dir, 'xdg');
    const envDb = path.join(dir, 'env', 'from-env.db');
    mkdirSync(path.dirname(envDb)); // only the desktop app's own folder is created on demand
    const [version, bundledVersion, help, viaXdg, viaEnv] = await Promise.all([
      cli(['--version'], {}, SHIPPED_BIN),
      cli(['--version']),
      cli(['--help'], {}, SHIPPED_BIN),
      cli(['init', '--json'], { XDG_CONFIG_HOME: xdg, HOME: dir }, SHIPPED_BIN),
      cli(['init', '--json'], { COORDINATOR_DB: envDb, XDG_CONFIG_HOME: xdg }, SHIPPED_BIN),
    ]);
    // The version comes from package.json, found beside the sources by the bin and by the tests' bundle alike.
    const { version: packageVersion } = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { version: string };
    expect(version).toEqual({ code: 0, stdout: `${packageVersion}\n`, stderr: '' });
    expect(bundledVersion).toEqual(version);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: coordinator');
    expect(help.stdout).toMatch(/task\s+add, change, list, show and delete tasks/);
    expect(help.stdout).toContain('"error"');

    expect(viaXdg.code).toBe(0);
    const expected = path.join(xdg, 'Coordinator', 'coordinator.db');
    expect(JSON.parse(viaXdg.stdout)).toEqual({ path: expected, created: true, empty: true });
    expect(existsSync(expected)).toBe(true);

    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ path: envDb, created: true });
    expect(existsSync(envDb)).toBe(true);
  });

  it('the shipped bin links every module the CLI loads on demand, natively through tsx', async () => {
    // The other tests run the bundle, where esbuild settles CommonJS interop its own way (a named
    // export Node cannot see would pass there): each module loaded with import() is linked here
    // as the shipped bin links it, with everything it imports.
    const modules = lazilyImportedModules();
    expect(modules.length).toBeGreaterThan(10);
    const script = `for (const m of ${JSON.stringify(modules.map((m) => pathToFileURL(m).href))}) await import(m);`;
    const run = await new Promise<Run>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  describe('on a fresh database', () => {
    let db: string;
    beforeAll(() => {
      db = path.join(dir, 'fresh', 'coordinator.db');
      mkdirSync(path.dirname(db));
    });

    it('refuses to work on a missing file, then init creates it and is idempotent', async () => {
      const missing = await cli(['--db', db, 'task', 'list']);
      expect(expectFailure(missing)).toContain('coordinator init');
      expect(existsSync(db)).toBe(false);

      expect(await json(db, 'init')).toEqual({ path: db, created: true, empty: true });
      const again = await cli(['--db', db, 'init']);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`Database ready: ${db}`);
      withCore(db, (core) => expect(core.isEmpty()).toBe(true));
    });

    it('adds and lists projects and employees', async () => {
      const apollo = await json<Project>(db, 'project', 'add', '--name', 'Apollo', '--description', 'Moon shot', '--deadline', '2030-06-30');
      expect(apollo).toMatchObject({ name: 'Apollo', description: 'Moon shot', deadline: '2030-06-30', status: 'todo' });
      const zeus = await json<Project>(db, 'project', 'add', '--name', 'Zeus', '--status', 'in_progress');
      expect(zeus.status).toBe('in_progress');
      expect(zeus.startDate).toBe(todayUtc()); // went through the workflow, which stamps the start

      const boss = await json<Employee>(db, 'employee', 'add', '--name', 'Grace Hopper', '--email', 'grace@example.com');
      const dev = await json<Employee>(
        db, 'employee', 'add', '--name', 'Ada Lovelace', '--email', 'ada@example.com',
        '--manager', 'grace hopper', '--department', 'Engineering', '--position', 'Analyst',
      );
      expect(dev).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', managerId: boss.id, department: 'Engineering', position: 'Analyst' });

      const [projects, employees, humanEmployees] = await Promise.all([
        json<ProjectSummary[]>(db, 'project', 'list'),
        json<EmployeeListItem[]>(db, 'employee', 'list'),
        cli(['--db', db, 'employee', 'list']),
      ]);
      expect(projects.map((p) => p.name).sort()).toEqual(['Apollo', 'Zeus']);
      expect(employees.map((e) => [e.name, e.managerName])).toEqual([
        ['Ada Lovelace', 'Grace Hopper'],
        ['Grace Hopper', null],
      ]);
      expect(humanEmployees.stdout).toMatch(new RegExp(`${dev.id.slice(-8)}\\s+Ada Lovelace\\s+ada@example.com\\s+Engineering\\s+Analyst\\s+Grace Hopper`));

      withCore(db, (core) => {
        expect(core.projects.getRow(zeus.id).status).toBe('in_progress');
        expect(core.employees.get(dev.id).managerId).toBe(boss.id);
      });
    });

    it('walks a task through add, update of every field, comments, show, list and delete', async () => {
      const [apollo, zeus] = withCore(db, (core) => ['Apollo', 'Zeus'].map((n) => core.projects.findByName(n) as Project)) as [Project, Project];
      const [ada, grace] = withCore(db, (core) => ['Ada Lovelace', 'Grace Hopper'].map((n) => core.employees.findByName(n) as Employee)) as [Employee, Employee];

      const created = await json<Task>(
        db, 'task', 'add', '--title', 'Design the lander', '--project', 'apollo', '--priority', 'high', '--status', 'in_progress',
        '--assignee', 'Ada Lovelace', '--description', 'Legs and all', '--estimate', '12.5', '--due', '2030-01-15',
      );
      expect(created).toMatchObject({
        title: 'Design the lander', projectId: apollo.id, priority: 'high', status: 'in_progress', assignedTo: ada.id,
        description: 'Legs and all', estimatedHours: 12.5, dueDate: '2030-01-15', actualHours: null, completedAt: null,
      });

      // Every field at once, the task named by the 8 characters tables show.
      const shortId = created.id.slice(-8);
      const updated = await json<Task>(
        db, 'task', 'update', shortId, '--title', 'Design the lunar lander', '--status', 'done', '--priority', 'urgent',
        '--assignee', grace.email, '--description', 'Legs, engine, hatch', '--estimate', '20', '--actual', '18.5', '--due', '2030-02-01',
      );
      expect(updated).toMatchObject({
        id: created.id, title: 'Design the lunar lander', status: 'done', priority: 'urgent', assignedTo: grace.id,
        description: 'Legs, engine, hatch', estimatedHours: 20, actualHours: 18.5, dueDate: '2030-02-01',
      });
      expect(updated.completedAt).not.toBeNull();

      // "none" clears; the human output lists what changed.
      const cleared = await cli(['--db', db, 'task', 'update', created.id, '--assignee', 'none', '--due', 'none', '--actual', 'none']);
      expect(cleared.code).toBe(0);
      expect(cleared.stdout).toContain('assignee Grace Hopper → –');
      withCore(db, (core) => {
        const row = core.tasks.getRow(created.id);
        expect(row).toMatchObject({ assignedTo: null, dueDate: null, actualHours: null, title: 'Design the lunar lander', estimatedHours: 20 });
      });

      // Nobody is signed in on a fresh replica: the first comment makes a profile from the OS account.
      expect(withCore(db, (core) => core.users.current())).toBeNull();
      const comment = await json<Comment>(db, 'comment', 'add', '--task', shortId, '--text', 'Looks good');
      const author = withCore(db, (core) => core.users.current());
      expect(author).not.toBeNull();
      expect(comment).toMatchObject({ taskId: created.id, content: 'Looks good', userId: author?.id, authorName: author?.fullName, commentOrder: 1 });
      const byName = await json<Comment>(db, 'comment', 'add', '--task', created.id, '--text', 'Second opinion', '--author', author?.username ?? '');
      expect(byName).toMatchObject({ commentOrder: 2, userId: author?.id });

      const second = await json<Task>(db, 'task', 'add', '--title', 'Fuel budget', '--project', apollo.id);
      expect(second).toMatchObject({ status: 'todo', priority: 'medium', assignedTo: null, dueDate: null, estimatedHours: null });

      const [detail, human, inApollo, done, projects] = await Promise.all([
        json<TaskDetail>(db, 'task', 'show', created.id),
        cli(['--db', db, 'task', 'show', shortId]),
        json<TaskListItem[]>(db, 'task', 'list', '--project', 'Apollo'),
        json<TaskListItem[]>(db, 'task', 'list', '--status', 'done'),
        json<ProjectSummary[]>(db, 'project', 'list'),
      ]);
      expect(detail.projectName).toBe('Apollo');
      expect(detail.comments.map((c) => c.content)).toEqual(['Looks good', 'Second opinion']);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^Design the lunar lander\n/);
      expect(human.stdout).toContain('Comments (2):');
      expect(human.stdout).toContain('Second opinion');
      expect(inApollo.map((t) => t.title)).toEqual(['Fuel budget', 'Design the lunar lander']); // open work first
      expect(done.map((t) => t.id)).toEqual([created.id]);
      const apolloSummary = projects.find((p) => p.id === apollo.id);
      expect(apolloSummary).toMatchObject({ totalTasks: 2, progress: 50 });
      expect(apolloSummary?.taskCounts).toMatchObject({ done: 1, todo: 1 });
      expect(projects.find((p) => p.id === zeus.id)).toMatchObject({ totalTasks: 0, progress: 0 });

      const deleted = await json<{ id: string; deleted: boolean }>(db, 'task', 'delete', shortId);
      expect(deleted).toMatchObject({ id: created.id, deleted: true });
      withCore(db, (core) => {
        expect(() => core.tasks.getRow(created.id)).toThrow(/does not exist/);
        expect(core.db.prepare('SELECT count(*) AS n FROM comments WHERE task_id = ?').get(created.id)).toEqual({ n: 0 });
        expect(core.tasks.count()).toBe(1);
      });
    });
  });

  describe('on the demo organisation', () => {
    let db: string;
    beforeAll(() => {
      db = path.join(dir, 'demo.db');
    });

    it('seeds once, lists the demo tasks and refuses to seed again', async () => {
      const seeded = await json<{ employees: number; projects: number; tasks: number; currentUser: string }>(db, 'seed-demo');
      expect(seeded).toMatchObject({ employees: 12, currentUser: 'Alex Morgan' });
      const [tasks, table, again] = await Promise.all([
        json<TaskListItem[]>(db, 'task', 'list'),
        cli(['--db', db, 'task', 'list', '--assignee', 'maria garcia']),
        cli(['--db', db, 'seed-demo']),
      ]);
      expect(tasks.length).toBe(seeded.tasks);
      expect(tasks.length).toBeGreaterThanOrEqual(50);
      expect(tasks.length).toBeLessThanOrEqual(70);
      expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
      expect(table.code).toBe(0);
      const rows = table.stdout.trim().split('\n');
      expect(rows[0]).toMatch(/^ID\s+TITLE\s+STATUS\s+PRIORITY\s+ASSIGNEE\s+DUE\s+PROJECT$/);
      const marias = tasks.filter((t) => t.assigneeName === 'Maria Garcia');
      expect(marias.length).toBeGreaterThan(0);
      expect(rows.at(-1)).toBe(`${marias.length} task${marias.length === 1 ? '' : 's'}`);
      for (const t of marias) expect(table.stdout).toContain(t.id.slice(-8));
      expect(expectFailure(again)).toMatch(/already holds data/);
      withCore(db, (core) => expect(core.tasks.count()).toBe(seeded.tasks));
    });

    it('comments as the current user or as a named author', async () => {
      const task = withCore(db, (core) => core.tasks.list({ limit: 1 })[0] as TaskListItem);
      const mine = await json<Comment>(db, 'comment', 'add', '--task', task.id, '--text', 'On it');
      const theirs = await json<Comment>(db, 'comment', 'add', '--task', task.id.slice(-8), '--text', 'Thanks', '--author', 'priya shah');
      expect(mine.authorName).toBe('Alex Morgan');
      expect(theirs.authorName).toBe('Priya Shah');
      expect(theirs.commentOrder).toBe(mine.commentOrder + 1);
      const unknown = await cli(['--db', db, 'comment', 'add', '--task', task.id, '--text', 'x', '--author', 'Nobody Here']);
      expect(expectFailure(unknown)).toContain('Nobody Here');
      withCore(db, (core) => {
        const comments = core.comments.list({ taskId: task.id });
        expect(comments.slice(-2).map((c) => [c.authorName, c.content])).toEqual([
          ['Alex Morgan', 'On it'],
          ['Priya Shah', 'Thanks'],
        ]);
      });
    });

    it('notifies assignees, lists due-soon and unread notifications and marks them read', async () => {
      const ids = withCore(db, (core) => {
        const maria = core.employees.findByName('Maria Garcia') as Employee;
        const alex = core.employees.findByName('Alex Morgan') as Employee;
        const unassigned = core.tasks.list({}).find((t) => t.assignedTo === null && t.status !== 'done') as TaskListItem;
        core.notifications.markAllRead(); // start from a clean inbox for Alex
        return { maria, alex, unassigned };
      });

      // Alex (the current user) assigns a task to Maria: Maria is notified, not Alex.
      await json<Task>(db, 'task', 'update', ids.unassigned.id, '--assignee', 'Maria Garcia');
      const mariaHeard = withCore(db, (core) =>
        core.db.prepare("SELECT title, message FROM notifications WHERE user_id = ? AND type = 'task_assigned' AND task_id = ?").all(ids.maria.userId, ids.unassigned.id),
      );
      expect(mariaHeard).toEqual([{ title: 'Alex Morgan assigned you a task', message: ids.unassigned.title }]);

      // Maria assigns Alex a task (through the core, as her), then Alex is the current user again.
      const forAlex = withCore(db, (core) => {
        const alexUser = core.session.currentUserId as string;
        core.session.setCurrentUser(ids.maria.userId as string);
        const task = core.tasks.create({ title: 'Review the sprint board', assignedTo: ids.alex.id });
        core.session.setCurrentUser(alexUser);
        return task;
      });
      // And a task of Alex's due today shows up once `notifications` has scanned for due-soon work.
      const dueToday = await json<Task>(db, 'task', 'add', '--title', 'Send the weekly report', '--assignee', 'alex.morgan@example.com', '--due', todayUtc());

      const unread = await json<Notification[]>(db, 'notifications', '--unread');
      const byType = Object.fromEntries(unread.map((n) => [`${n.type}:${n.taskId}`, n]));
      expect(unread).toHaveLength(2);
      expect(byType[`task_assigned:${forAlex.id}`]).toMatchObject({ title: 'Maria Garcia assigned you a task', read: false });
      expect(byType[`task_due_soon:${dueToday.id}`]).toMatchObject({ title: 'Due soon: Send the weekly report', read: false });

      const first = byType[`task_assigned:${forAlex.id}`] as Notification;
      const readOne = await json<Notification>(db, 'notifications', 'read', first.id.slice(-8));
      expect(readOne).toMatchObject({ id: first.id, read: true });
      const human = await cli(['--db', db, 'notifications', '--unread']);
      expect(human.stdout).toContain('Due soon: Send the weekly report');
      expect(human.stdout).not.toContain('Maria Garcia assigned you a task');
      const all = await json<{ updated: number }>(db, 'notifications', 'read', '--all');
      expect(all).toEqual({ updated: 1 });
      withCore(db, (core) => {
        expect(core.notifications.unreadCount()).toBe(0);
        expect(core.notifications.list({}).filter((n) => n.taskId === dueToday.id && n.type === 'task_due_soon')).toHaveLength(1);
      });
    });

    it('fails with exit code 1 and one clear line for bad input', async () => {
      const tasks = withCore(db, (core) => core.tasks.list({ limit: 10_000 }));
      const task = tasks[0] as TaskListItem;
      // UUIDv7s made in the same minute share their first 8 characters: such a prefix is ambiguous.
      const prefix = tasks.map((t) => t.id.slice(0, 8)).find((p, _i, all) => all.filter((q) => q === p).length > 1) as string;
      expect(prefix).toBeDefined();
      const [status, statusJson, date, missing, unknownTask, notUuid, estimate, unknownProject, badCommand, transition, nothing, listStatus, ambiguous] = await Promise.all([
        cli(['--db', db, 'task', 'add', '--title', 'X', '--status', 'bogus']),
        cli(['--db', db, 'task', 'update', task.id, '--status', 'finished', '--json']),
        cli(['--db', db, 'task', 'add', '--title', 'X', '--due', '2026-02-30']),
        cli(['--db', db, 'task', 'add', '--priority', 'high']),
        cli(['--db', db, 'task', 'show', '01234567-89ab-7cde-8f01-23456789abcd']),
        cli(['--db', db, 'task', 'delete', 'not-an-id']),
        cli(['--db', db, 'task', 'update', task.id, '--estimate', 'abc']),
        cli(['--db', db, 'task', 'list', '--project', 'No Such Project']),
        cli(['--db', db, 'tsk', 'list']),
        cli(['--db', db, 'project', 'update', 'Straight to done', '--status', 'on_hold']),
        cli(['--db', db, 'task', 'update', task.id]),
        cli(['--db', db, 'task', 'list', '--status', 'todo,later']),
        cli(['--db', db, 'task', 'show', prefix]),
      ]);
      const statusLine = expectFailure(status);
      expect(statusLine).toMatch(/status/);
      expect(statusLine).toMatch(/todo.*in_progress.*testing.*awaiting_feedback.*done/);
      expectFailure(statusJson);
      expect(JSON.parse(statusJson.stdout)).toMatchObject({ error: { code: 'VALIDATION', message: expect.stringMatching(/status/) } });
      expect(expectFailure(date)).toMatch(/dueDate .*calendar date/);
      expect(expectFailure(missing)).toMatch(/required option '--title/);
      expect(expectFailure(unknownTask)).toBe('error: Task 01234567-89ab-7cde-8f01-23456789abcd does not exist');
      expect(expectFailure(notUuid)).toMatch(/"not-an-id" is not a task id: give the whole id or at least 8 of its characters/);
      expect(expectFailure(estimate)).toMatch(/--estimate must be a number/);
      expect(expectFailure(unknownProject)).toMatch(/No project .*"No Such Project"/);
      expect(expectFailure(badCommand)).toMatch(/unknown command 'tsk'.*Did you mean (one of [a-z, ]*)?task\?/);
      expect(expectFailure(transition)).toMatch(/No project with the id or name "Straight to done"/);
      expect(expectFailure(nothing)).toMatch(/Nothing to update/);
      expect(expectFailure(ambiguous)).toMatch(new RegExp(`"${prefix}" matches more than one task .*give more of the id`));
      expect(expectFailure(listStatus)).toMatch(/status "later" is not one of todo, in_progress/);
      withCore(db, (core) => {
        expect(core.tasks.getRow(task.id)).toMatchObject({ status: task.status, estimatedHours: task.estimatedHours });
        expect(core.tasks.list({ text: 'X', limit: 10_000 }).filter((t) => t.title === 'X')).toHaveLength(0);
      });
    });
  });
});
