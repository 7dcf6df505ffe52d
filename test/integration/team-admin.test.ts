/**
 * Issue 14, administrator provisioning: `coordinator admin user add|grant|revoke|list|reset-password`
 * and `coordinator whoami`, run as child processes against a real PostgreSQL. Login roles are
 * cluster-wide, so every name carries a random suffix and every role made here is dropped.
 */
import { spawn } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorScript, runCoordinator, type CliRun } from '../support/cli';
import { tempCentral } from '../support/pg';
import { openReplica, type Replica } from '../support/sync-harness';

const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sfx = randomBytes(4).toString('hex');
const name = (who: string) => `${who}_${sfx}`;

let central: Awaited<ReturnType<typeof tempCentral>>;
let seed: Replica;
let dir: string;
let logFile: string;
let t3: string;
const clients: pg.Client[] = [];

const cli = (args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliRun> =>
  runCoordinator(args, { COORDINATOR_LOG_FILE: logFile, COORDINATOR_LOG_LEVEL: 'debug', COORDINATOR_PG_URL: undefined, COORDINATOR_NEW_PASSWORD: undefined, ...env }, 120_000, input);
const admin = (args: string[], env: Record<string, string | undefined> = {}, input?: string) => cli(['admin', 'user', ...args, '--pg', central.url], env, input);
const json = <T>(r: CliRun): T => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
};

function urlFor(login: string): string {
  const u = new URL(central.url);
  u.username = login;
  return u.toString();
}

async function connectAs(login: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: urlFor(login) });
  c.on('error', () => undefined);
  await c.connect();
  clients.push(c);
  return c;
}

/**
 * This cluster trusts local connections, so a password is checked against the role's stored
 * SCRAM-SHA-256 verifier (RFC 7677) — exactly what the server checks on a password login.
 */
async function passwordAccepted(login: string, password: string): Promise<boolean> {
  const { rows } = await central.query<{ v: string | null }>('SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1', [login]);
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(rows[0]?.v ?? '');
  if (!match) return false;
  const [, iterations, salt, storedKey] = match as unknown as [string, string, string, string];
  const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return createHash('sha256').update(clientKey).digest('base64') === storedKey;
}

interface Member {
  userId: string;
  username: string;
  fullName: string;
  email: string;
  role: string;
  login: string | null;
  canLogin: boolean;
  generatedPassword?: string;
}

beforeAll(async () => {
  central = await tempCentral();
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-team-admin-'));
  logFile = path.join(dir, 'cli.log');
  // Cora's project and task, which Mia (as a member) has nothing to do with.
  seed = openReplica(central, 'seed');
  const core = seed.core;
  const cora = core.users.create({ username: name('cora'), email: `cora_${sfx}@example.com`, fullName: 'Cora Coord', role: 'coordinator' }).id;
  core.session.setCurrentUser(cora);
  const p2 = core.projects.create({ name: 'P2 (Cora)' }).id;
  t3 = core.tasks.create({ title: 'T3 in P2', projectId: p2 }).id;
  await seed.sync();
});

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await seed?.dispose().catch(() => undefined);
  await central?.drop();
  rmSync(dir, { recursive: true, force: true });
  const a = new pg.Client({ connectionString: ADMIN_URL });
  await a.connect();
  try {
    const { rows } = await a.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`%\\_${sfx}`]);
    for (const { rolname } of rows) {
      await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [rolname]);
      await a.query(`DROP ROLE IF EXISTS ${a.escapeIdentifier(rolname)}`);
    }
  } finally {
    await a.end();
  }
});

describe('admin user add and whoami', () => {
  it('creates the user and a login that connects, and the server names the person and role from the login alone', async () => {
    const added = json<Member>(await admin(['add', name('mia'), '--role', 'admin', '--email', `mia_${sfx}@example.com`, '--name', 'Mia Member', '--json']));
    expect(added).toMatchObject({ username: name('mia'), fullName: 'Mia Member', role: 'admin', login: name('mia'), canLogin: true });
    expect(added.generatedPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await passwordAccepted(name('mia'), added.generatedPassword ?? '')).toBe(true);

    const me = json<Member>(await cli(['whoami', '--pg', urlFor(name('mia')), '--json']));
    expect(me).toEqual({ userId: added.userId, username: name('mia'), fullName: 'Mia Member', email: `mia_${sfx}@example.com`, role: 'admin', login: name('mia') });
  });

  it('finds a user that already exists (here Cora, made on a laptop) instead of making another', async () => {
    const before = await central.query<{ id: string }>('SELECT id::text FROM users WHERE username = $1', [name('cora')]);
    const added = json<Member>(await admin(['add', name('cora'), '--role', 'coordinator', '--json'], { COORDINATOR_NEW_PASSWORD: 'cora-chosen-password' }));
    expect(added.userId).toBe(before.rows[0]?.id);
    expect(added.generatedPassword).toBeUndefined();
    expect(await passwordAccepted(name('cora'), 'cora-chosen-password')).toBe(true);
    expect(json<Member>(await cli(['whoami', '--pg', urlFor(name('cora')), '--json'])).role).toBe('coordinator');
  });

  it('whoami refuses, in one line, a login that is no Coordinator user', async () => {
    await central.query(`CREATE ROLE ${name('stranger')} LOGIN`);
    const r = await cli(['whoami', '--pg', urlFor(name('stranger'))]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^error: The login ${name('stranger')} is not mapped to a Coordinator user`));
  });
});

describe('admin user grant', () => {
  it("changes the role, and row-level security follows: as a member Mia can no longer update Cora's task", async () => {
    const asAdmin = await connectAs(name('mia'));
    expect((await asAdmin.query(`UPDATE tasks SET status = 'in_progress' WHERE id = $1`, [t3])).rowCount).toBe(1);

    expect(json<Member>(await admin(['grant', name('mia'), 'member', '--json']))).toMatchObject({ role: 'member', login: name('mia') });
    expect(json<Member>(await cli(['whoami', '--pg', urlFor(name('mia')), '--json'])).role).toBe('member');
    const groups = await central.query<{ rolname: string }>(
      'SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1',
      [name('mia')],
    );
    expect(groups.rows.map((r) => r.rolname)).toEqual(['coordinator_member']);

    const asMember = await connectAs(name('mia'));
    const update = await asMember.query(`UPDATE tasks SET status = 'done' WHERE id = $1`, [t3]).then((r) => r.rowCount, (e: { code?: string }) => (e.code === '42501' ? 0 : Promise.reject(e)));
    expect(update).toBe(0);
    expect((await central.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [t3])).rows[0]?.status).toBe('in_progress');
  });
});

describe('admin user list', () => {
  it('shows every user with login and role, and no password', async () => {
    const r = await admin(['list', '--json']);
    const users = json<Member[]>(r);
    expect(users.find((u) => u.username === name('mia'))).toMatchObject({ role: 'member', login: name('mia'), canLogin: true });
    expect(users.find((u) => u.username === name('cora'))).toMatchObject({ role: 'coordinator', login: name('cora') });
    expect(r.stdout).not.toMatch(/password|SCRAM/i);
    const text = await admin(['list']);
    expect(text.stdout).toMatch(new RegExp(`${name('mia')}\\s+Mia Member\\s+member\\s+${name('mia')}\\s+yes`));
  });
});

describe('admin user reset-password', () => {
  it('replaces the password; the one given appears in no output and no log line, a generated one is printed exactly once', async () => {
    const chosen = `chosen-${randomBytes(9).toString('hex')}`;
    const before = await admin(['reset-password', name('cora')], { COORDINATOR_NEW_PASSWORD: chosen });
    expect(before.code).toBe(0);
    expect(await passwordAccepted(name('cora'), 'cora-chosen-password')).toBe(false);
    expect(await passwordAccepted(name('cora'), chosen)).toBe(true);

    // From stdin, with log lines on stderr (--debug): still nowhere in the output.
    const piped = `piped-${randomBytes(9).toString('hex')}`;
    const debug = await cli(['--debug', 'admin', 'user', 'reset-password', name('cora'), '--password-stdin', '--pg', central.url], {}, `${piped}\n`);
    expect(debug.code).toBe(0);
    expect(await passwordAccepted(name('cora'), chosen)).toBe(false);
    expect(await passwordAccepted(name('cora'), piped)).toBe(true);
    // --password-stdin with nothing on stdin is refused, and changes nothing.
    const empty = await admin(['reset-password', name('cora'), '--password-stdin'], {}, '');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/stdin held no password/);
    expect(await passwordAccepted(name('cora'), piped)).toBe(true);

    const generated = await admin(['reset-password', name('cora')]);
    const printed = /Generated password[^:]*: (\S+)/.exec(generated.stdout)?.[1] ?? '';
    expect(await passwordAccepted(name('cora'), printed)).toBe(true);
    expect(await passwordAccepted(name('cora'), piped)).toBe(false);
    expect(generated.stdout.split(printed)).toHaveLength(2);

    // Every line is logged (COORDINATOR_LOG_LEVEL=debug): the resets are there, the passwords not.
    const log = readFileSync(logFile, 'utf8');
    expect(log).toMatch(/password reset/);
    for (const text of [before.stdout, before.stderr, debug.stdout, debug.stderr, empty.stdout, empty.stderr, generated.stderr, log]) {
      expect(text).not.toContain(chosen);
      expect(text).not.toContain(piped);
      expect(text).not.toContain(printed);
    }
  });
});

/**
 * Runs the CLI on a real terminal (util-linux `script` gives it a pseudo-terminal) and types each
 * answer when its prompt appears; resolves with everything the terminal showed.
 */
function onTerminal(args: string[], answers: { prompt: string; typed: string }[]): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, coordinatorScript(), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, COORDINATOR_LOG_FILE: logFile, COORDINATOR_NEW_PASSWORD: '' } });
  let screen = '';
  let answeredUpTo = 0;
  const pending = [...answers];
  const onOutput = (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    const next = pending[0];
    const at = next ? screen.indexOf(next.prompt, answeredUpTo) : -1;
    if (next && at >= 0) {
      answeredUpTo = at + next.prompt.length;
      pending.shift();
      child.stdin.write(`${next.typed}\r`);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

describe('admin user reset-password --password-prompt', () => {
  it('asks twice on the terminal without echoing what is typed', async () => {
    const typed = `typed-${randomBytes(6).toString('hex')}`;
    const r = await onTerminal(['admin', 'user', 'reset-password', name('cora'), '--password-prompt', '--pg', central.url], [
      { prompt: 'New password:', typed },
      { prompt: 'Again:', typed },
    ]);
    expect(r.code).toBe(0);
    expect(r.screen).toMatch(/Password reset: /);
    expect(r.screen).not.toContain(typed);
    expect(await passwordAccepted(name('cora'), typed)).toBe(true);
  });

  it('changes nothing when the two differ', async () => {
    const before = (await central.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [name('cora')])).rows;
    const r = await onTerminal(['admin', 'user', 'reset-password', name('cora'), '--password-prompt', '--pg', central.url], [
      { prompt: 'New password:', typed: 'first-attempt-1' },
      { prompt: 'Again:', typed: 'second-attempt-2' },
    ]);
    expect(r.screen).toMatch(/error: The two passwords differ; nothing was changed/);
    expect((await central.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [name('cora')])).rows).toEqual(before);
  });
});

describe('admin user revoke', () => {
  it("cuts the open session, refuses new connections, and the laptop's next sync says so in one line and keeps its work", { timeout: 120_000 }, async () => {
    const laptop = path.join(dir, 'mia.db');
    expect((await cli(['--db', laptop, 'init'])).code).toBe(0);
    expect((await cli(['--db', laptop, 'sync', '--upload', '--pg', urlFor(name('mia'))])).code).toBe(0);
    const open = await connectAs(name('mia'));

    const revoked = json<{ logins: string[]; sessionsEnded: number }>(await admin(['revoke', name('mia'), '--json']));
    expect(revoked.logins).toEqual([name('mia')]);
    expect(revoked.sessionsEnded).toBeGreaterThanOrEqual(1);
    await expect(open.query('SELECT 1')).rejects.toThrow();
    await expect(connectAs(name('mia'))).rejects.toMatchObject({ code: '28000' });
    expect((await central.query('SELECT 1 FROM sync_db_users WHERE db_role = $1', [name('mia')])).rowCount).toBe(0);

    expect((await cli(['--db', laptop, 'project', 'add', '--name', 'Work done offline'])).code).toBe(0);
    const pendingBefore = json<{ pending: number }>(await cli(['--db', laptop, 'status', '--json'])).pending;
    expect(pendingBefore).toBeGreaterThan(0);
    const sync = await cli(['--db', laptop, 'sync', '--upload', '--pg', urlFor(name('mia'))]);
    expect(sync.code).toBe(1);
    expect(sync.stderr.trim().split('\n')).toHaveLength(1);
    expect(sync.stderr).toMatch(/access was revoked/);
    expect(json<{ pending: number }>(await cli(['--db', laptop, 'status', '--json'])).pending).toBe(pendingBefore);
    const projects = json<{ name: string }[]>(await cli(['--db', laptop, 'project', 'list', '--json']));
    expect(projects.map((p) => p.name)).toContain('Work done offline');
  });

  it('can give the same login back to the same user later', async () => {
    const back = json<Member>(await admin(['add', name('mia'), '--role', 'member', '--json']));
    expect(back).toMatchObject({ login: name('mia'), canLogin: true });
    expect(json<Member>(await cli(['whoami', '--pg', urlFor(name('mia')), '--json'])).username).toBe(name('mia'));
  });
});

describe('an administrator without the power to change roles', () => {
  it("is refused in one line and nothing changes (Cora's coordinator login tries to make Mia an admin)", async () => {
    const before = await central.query('SELECT role::text FROM users WHERE username = $1', [name('mia')]);
    const r = await cli(['admin', 'user', 'grant', name('mia'), 'admin', '--pg', urlFor(name('cora'))]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/may not administer Coordinator logins .*nothing was changed/);
    expect((await central.query('SELECT role::text FROM users WHERE username = $1', [name('mia')])).rows).toEqual(before.rows);
    expect(json<Member>(await cli(['whoami', '--pg', urlFor(name('mia')), '--json'])).role).toBe('member');
  });
});

describe('bad input', () => {
  async function state(): Promise<{ users: unknown[]; mapping: unknown[]; roles: unknown[] }> {
    const users = await central.query('SELECT id, username, role::text, name FROM users ORDER BY id');
    const mapping = await central.query('SELECT db_role, user_id FROM sync_db_users ORDER BY db_role');
    const roles = await central.query<{ rolname: string; rolcanlogin: boolean; rolpassword: string | null }>(
      "SELECT rolname, rolcanlogin, rolpassword FROM pg_authid WHERE rolname LIKE '%' || $1 ORDER BY rolname",
      [sfx],
    );
    return { users: users.rows, mapping: mapping.rows, roles: roles.rows };
  }

  it.each([
    ['too short', 'short', /at least 8 characters/],
    ['holding a control character', 'long-enough\tpassword', /must not contain control characters/],
  ] as const)('a password %s is refused in one line, the old one still works', async (_what, password, message) => {
    const before = await state();
    const r = await admin(['reset-password', name('cora'), '--password-stdin'], {}, password);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(password);
    expect(await state()).toEqual(before);
  });

  it('an inactive user (deactivated, or gone from the CRM) gets no login: one line, nothing changed', async () => {
    await central.query(`INSERT INTO users (id, username, email, name, role, is_active) VALUES (gen_random_uuid(), $1, $2, 'Ivy Inactive', 'member', false)`, [name('ivy'), `ivy_${sfx}@example.com`]);
    const before = await state();
    const r = await admin(['add', name('ivy'), '--role', 'member'], { COORDINATOR_NEW_PASSWORD: 'a-long-enough-password' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is inactive; reactivate them before giving access/);
    expect(await state()).toEqual(before);
  });

  it.each([
    ['a role that does not exist', ['grant', name('mia'), 'superuser'], /role must be one of admin, coordinator, member/],
    ['an unknown user', ['revoke', name('nobody')], /There is no user "nobody_/],
    ['an unknown user without an email', ['add', name('nobody'), '--role', 'member'], /give --email/],
    ['a username that is not a safe login name', ['add', `x"; DROP ROLE postgres; --`, '--role', 'member', '--email', 'x@example.com'], /not a safe database login name/],
    ['a reserved login name', ['add', name('max'), '--role', 'member', '--email', 'max@example.com', '--login', 'coordinator_admin'], /not a safe database login name/],
    ['a user who already has access (adding again resets no password)', ['add', name('cora'), '--role', 'admin'], /already has access with the login/],
    ["a login that belongs to another user", ['add', name('max'), '--role', 'member', '--email', 'max@example.com', '--login', name('cora')], /belongs to another user/],
    ["a role of that name made outside Coordinator (another database's, perhaps)", ['add', name('max'), '--role', 'member', '--email', 'max@example.com', '--login', name('stranger')], /already exists on this PostgreSQL server/],
  ] as const)('%s: one line, nothing changed', async (_what, spec, message) => {
    await central.query(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${name('stranger')}') THEN CREATE ROLE ${name('stranger')} LOGIN; END IF; END $$`);
    const before = await state();
    const r = await admin([...spec]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(await state()).toEqual(before);
  });
});
