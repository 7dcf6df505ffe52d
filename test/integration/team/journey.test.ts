/**
 * Issue 14, the journey a team lives: an administrator provisions people (one of them from the
 * CRM's staff), a person works offline on two laptops before and after connecting, a second
 * person on a third laptop, a revoked person. Real PostgreSQL and MariaDB; every laptop is a real
 * SQLite replica. Login roles are cluster-wide, so every name carries a random suffix and every
 * role made here is dropped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, revokeUser } from '../../../core/admin';
import { openBridge, type Bridge } from '../../support/crm-harness';
import { centralSnapshot, localSnapshot, openReplica, waitForVisibleChanges, type Replica } from '../../support/sync-harness';
import { testTransport } from '../../support/transport';

const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sfx = randomBytes(4).toString('hex');
const login = (who: string) => `${who}_${sfx}`;

let bridge: Bridge;
const replicas: Replica[] = [];

const passwordOf = (role: string) => `pw-${role.split('_')[0] ?? ''}-1`;

/** The person's own PostgreSQL login (trusted on the test cluster). */
function urlFor(role: string): string {
  const u = new URL(bridge.central.url);
  u.username = role;
  return u.toString();
}

/** Where a laptop of this person syncs: their login directly, or through the sync service in the parity run. */
function laptopUrlFor(role: string): string {
  if (testTransport() === 'direct') return urlFor(role);
  const u = new URL(bridge.central.replicaUrl);
  u.username = role;
  u.password = passwordOf(role);
  return u.toString();
}

/** A laptop: a replica whose person is the given login. It makes its data before its first sync. */
function laptop(name: string, role: string, start = '2026-03-02T09:00:00.000Z'): Replica {
  const r = openReplica(bridge.central, name, { url: laptopUrlFor(role), start });
  replicas.push(r);
  return r;
}

const rows = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => (await bridge.central.query<T>(sql, params)).rows;

const pendingAndRefused = (r: Replica) => ({ pending: r.core.sync.outbox.pendingCount(), refused: r.core.sync.outbox.rejected().map((e) => e.error) });

let ana: { userId: string };
let ben: { userId: string };
let cleo: { userId: string };

beforeAll(async () => {
  bridge = await openBridge();
  // The CRM knows Ben already: the first reconcile makes his Coordinator user from tblstaff.
  await bridge.crm.addStaff({ email: `ben_${sfx}@example.com`, firstname: 'Ben', lastname: 'Okafor' });
  const imported = await bridge.run();
  expect(imported.ran).toBe(true);
  const [benRow] = await rows<{ username: string }>('SELECT username FROM users WHERE email = $1', [`ben_${sfx}@example.com`]);
  expect(benRow, 'the CRM import created Ben').toBeDefined();
  // The administrator gives access: a new user for Ana, a login for the CRM's Ben, and for Cleo.
  const admin = bridge.central.client;
  ana = await addUser(admin, { username: login('ana'), email: `ana_${sfx}@example.com`, fullName: 'Ana Lima', role: 'coordinator', password: passwordOf(login('ana')) });
  ben = await addUser(admin, { username: String(benRow?.username), login: login('ben'), role: 'member', password: passwordOf(login('ben')) });
  cleo = await addUser(admin, { username: login('cleo'), email: `cleo_${sfx}@example.com`, fullName: 'Cleo Park', role: 'coordinator', password: passwordOf(login('cleo')) });
}, 120_000);

afterAll(async () => {
  for (const r of replicas) await r.dispose().catch(() => undefined);
  await bridge?.dispose();
  const a = new pg.Client({ connectionString: ADMIN_URL });
  await a.connect();
  try {
    const { rows: roles } = await a.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`%\\_${sfx}`]);
    for (const { rolname } of roles) {
      await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [rolname]);
      await a.query(`DROP ROLE IF EXISTS ${a.escapeIdentifier(rolname)}`);
    }
  } finally {
    await a.end();
  }
});

describe('a team adopts Coordinator', () => {
  it('one person on two laptops, another on a third, a revoked one: every write is central and everywhere once, attributed to its person, nothing refused', async () => {
    // Ana works offline on laptop A before she ever connects: a project, a task, a comment.
    const A = laptop('A', login('ana'));
    const alpha = A.core.projects.create({ name: 'Alpha' });
    const alphaTask = A.core.tasks.create({ title: 'Alpha kickoff', projectId: alpha.id });
    A.core.comments.add({ taskId: alphaTask.id, content: 'drafted offline on A' });
    expect(A.core.users.current()?.email, 'a provisional profile from the OS account').toMatch(/@localhost\.invalid$/);
    // … and on laptop B, also before connecting (same OS account name, so the same made-up username).
    const B = laptop('B', login('ana'), '2026-03-02T09:30:00.000Z');
    const betaTask = B.core.tasks.create({ title: 'Beta checklist', projectId: null });
    B.core.comments.add({ taskId: betaTask.id, content: 'drafted offline on B' });
    expect(B.core.users.current()?.username).toBe(A.core.users.current()?.username);

    // First connections: both upload what they hold.
    const firstA = await A.sync();
    expect(firstA.signedIn?.userId).toBe(ana.userId);
    expect(firstA.reattributed).toBeGreaterThan(0);
    expect(pendingAndRefused(A)).toEqual({ pending: 0, refused: [] });
    const firstB = await B.sync();
    expect(firstB.signedIn?.userId).toBe(ana.userId);
    expect(pendingAndRefused(B)).toEqual({ pending: 0, refused: [] });

    // The reproduction: both laptops comment on the same task, syncing in every order.
    await A.sync();
    await B.sync();
    A.clock.advance(60_000);
    B.clock.advance(60_000);
    A.core.comments.add({ taskId: alphaTask.id, content: 'from A' });
    B.core.comments.add({ taskId: alphaTask.id, content: 'from B' });
    await A.sync();
    await B.sync();
    await A.sync();
    expect(pendingAndRefused(A)).toEqual({ pending: 0, refused: [] });
    expect(pendingAndRefused(B)).toEqual({ pending: 0, refused: [] });

    // Ben (a member, his user made by the CRM import) on laptop C: an empty laptop needs no choice.
    const C = laptop('C', login('ben'), '2026-03-02T10:00:00.000Z');
    const firstC = await C.sync();
    expect(firstC.signedIn?.userId).toBe(ben.userId);
    expect(firstC.setAside).toBeNull();
    const benTask = C.core.tasks.create({ title: 'Ben’s own errand', projectId: null });
    C.core.comments.add({ taskId: benTask.id, content: 'Ben was here' });
    await C.sync();
    expect(pendingAndRefused(C)).toEqual({ pending: 0, refused: [] });

    // Ana keeps working offline on both laptops after connecting; syncs in any order.
    A.core.tasks.update({ id: alphaTask.id, status: 'in_progress' });
    B.core.comments.add({ taskId: betaTask.id, content: 'B, offline again' });
    await B.sync();
    await C.sync();
    await A.sync();
    await B.sync();
    await A.sync();

    // Cleo connects, works, is revoked; her next sync is refused in words and her work stays.
    const D = laptop('D', login('cleo'), '2026-03-02T11:00:00.000Z');
    await D.sync();
    D.core.tasks.create({ title: 'Cleo’s draft', projectId: null });
    await revokeUser(bridge.central.client, login('cleo'));
    // Revoking ends the login's sessions: a sync racing it may find its pooled connection cut
    // (offline, retried later); the next one is refused in words.
    const refusal = async () => D.sync().then(() => new Error('the sync was not refused'), (error: unknown) => error as Error);
    let refused = await refusal();
    if (/terminating connection/.test(refused.message)) refused = await refusal();
    if (testTransport() === 'direct') {
      expect(refused.message).toMatch(/not permitted to log in/);
      expect(D.engine.status().lastError).toMatch(/^The central database refused this login: access was revoked/);
    } else {
      // Through the service the token is still valid; the person is checked again on every request.
      expect(refused.message).toMatch(/has no access to Coordinator on this server/);
    }
    expect(D.core.sync.outbox.pendingCount(), 'a revoked laptop keeps its unsynced work').toBe(1);
    expect(D.engine.status().state).toBe('error');

    // Every acknowledged write is central exactly once, attributed to its person.
    await waitForVisibleChanges(bridge.central.client);
    const comments = await rows<{ content: string; user_id: string; author: string }>('SELECT content, user_id::text, author FROM comments ORDER BY content');
    expect(comments.map((c) => [c.content, c.user_id, c.author]).sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual([
      ['B, offline again', ana.userId, 'Ana Lima'],
      ['Ben was here', ben.userId, 'Ben Okafor'],
      ['drafted offline on A', ana.userId, 'Ana Lima'],
      ['drafted offline on B', ana.userId, 'Ana Lima'],
      ['from A', ana.userId, 'Ana Lima'],
      ['from B', ana.userId, 'Ana Lima'],
    ]);
    const tasks = await rows<{ title: string; created_by: string; status: string }>('SELECT title, created_by::text, status::text FROM tasks ORDER BY title');
    expect(tasks.map((t) => [t.title, t.created_by]).sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual([
      ['Alpha kickoff', ana.userId],
      ['Ben’s own errand', ben.userId],
      ['Beta checklist', ana.userId],
    ]);
    expect(tasks.find((t) => t.title === 'Alpha kickoff')?.status).toBe('in_progress');
    expect((await rows('SELECT 1 FROM projects WHERE name = $1 AND created_by = $2', ['Alpha', ana.userId])).length).toBe(1);
    // No laptop pushed a user it made up; nothing was refused anywhere.
    expect(await rows("SELECT username FROM users WHERE email LIKE '%@localhost.invalid'")).toEqual([]);
    expect(await rows('SELECT reason FROM sync_rejections')).toEqual([]);

    // Ana's two laptops equal central; Ben's sees what a member may see, the same as central shows him.
    const tables = ['users', 'employees', 'projects', 'tasks', 'comments'] as const;
    const central = await centralSnapshot(bridge.central.url, [...tables]);
    for (const r of [A, B]) {
      await r.sync();
      const local = localSnapshot(r.core, [...tables]);
      for (const t of tables) expect(local[t], `${r.name}.${t}`).toEqual(central[t]);
      expect(r.core.session.currentUserId).toBe(ana.userId);
    }
    await C.sync();
    const asBen = await centralSnapshot(urlFor(login('ben')), [...tables]);
    const onC = localSnapshot(C.core, [...tables]);
    for (const t of tables) expect(onC[t], `C.${t}`).toEqual(asBen[t]);
    expect(C.core.session.currentUserId).toBe(ben.userId);
    expect(cleo.userId).toBeTruthy();
  }, 180_000);
});
