/**
 * Issue 14, the seams of binding a replica to its person: row-level security still holds (a
 * laptop cannot act as someone else by sending another user id), an existing replica made by an
 * earlier release (a made-up local user, queued in its outbox) upgrades without losing a change,
 * two people whose OS accounts share a name never collide, and a replica belongs to one person.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../../core/admin';
import { testTransport } from '../../support/transport';
import { PROVISIONAL_USER_KEY } from '../../../core/database/session';
import { tempCentral } from '../../support/pg';
import { openReplica, waitForVisibleChanges, type Replica, type ReplicaOptions } from '../../support/sync-harness';

const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sfx = randomBytes(4).toString('hex');
const login = (who: string) => `${who}_${sfx}`;

let central: Awaited<ReturnType<typeof tempCentral>>;
const replicas: Replica[] = [];
let ana: { userId: string };
let ben: { userId: string };

/** Where a laptop of this person syncs: their own login, or through the sync service (with their password) in the parity run. */
function urlFor(role: string): string {
  const u = new URL(testTransport() === 'direct' ? central.url : central.replicaUrl);
  u.username = role;
  if (testTransport() === 'service') u.password = `pw-${role.split('_')[0] ?? ''}-1`;
  return u.toString();
}

function laptop(name: string, role: string | null, engine: ReplicaOptions['engine'] = {}): Replica {
  const r = openReplica(central, name, { ...(role ? { url: urlFor(role) } : {}), engine });
  replicas.push(r);
  return r;
}

const rows = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => {
  await waitForVisibleChanges(central.client);
  return (await central.query<T>(sql, params)).rows;
};

/** What a replica made by an earlier release holds: its made-up user queued like any other row. */
function earlierReleaseProfile(r: Replica, username = 'laptop-user'): string {
  const user = r.core.users.create({ username, email: `${username}@localhost.invalid`, fullName: username, role: 'coordinator' });
  r.core.session.setCurrentUser(user.id);
  r.core.session.setSetting(PROVISIONAL_USER_KEY, '');
  return user.id;
}

beforeAll(async () => {
  central = await tempCentral();
  ana = await addUser(central.client, { username: login('ana'), email: `ana_${sfx}@example.com`, fullName: 'Ana Lima', role: 'coordinator', password: 'pw-ana-1' });
  ben = await addUser(central.client, { username: login('ben'), email: `ben_${sfx}@example.com`, fullName: 'Ben Okafor', role: 'member', password: 'pw-ben-1' });
}, 60_000);

afterAll(async () => {
  for (const r of replicas) await r.dispose().catch(() => undefined);
  await central?.drop();
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

describe('row-level security with the bound identity', () => {
  it('a member cannot act as someone else by sending another user id: refused, shown, central unchanged', async () => {
    const C = laptop('C', login('ben'));
    await C.sync();
    const own = C.core.tasks.create({ title: 'Ben’s errand', projectId: null });
    await C.sync();
    // A tampered laptop: a comment signed with Ana's id, and a task claiming Ana made it.
    C.core.comments.add({ taskId: own.id, content: 'signed as Ana', userId: ana.userId });
    C.core.session.setCurrentUser(ana.userId);
    C.core.tasks.create({ title: 'made “by Ana”', projectId: null });
    const result = await C.sync();
    // The comment goes with the notification made in its local transaction: refused together.
    const refused = C.core.sync.outbox.rejected();
    expect(result.rejected).toBe(refused.length);
    expect(refused.map((e) => e.table).sort()).toEqual(['comments', 'notifications', 'tasks']);
    for (const e of refused) expect(e.error).toMatch(/^FORBIDDEN: .*row-level security policy for table "(tasks|comments)"/);
    expect(await rows('SELECT 1 FROM comments WHERE content = $1', ['signed as Ana'])).toEqual([]);
    expect(await rows('SELECT 1 FROM tasks WHERE title = $1', ['made “by Ana”'])).toEqual([]);
    expect((await rows<{ created_by: string }>('SELECT created_by::text FROM tasks WHERE id = $1', [own.id]))[0]?.created_by).toBe(ben.userId);
  });

  it("a laptop cannot push under another person's replica id", async () => {
    const A = laptop('A-own', login('ana'));
    A.core.tasks.create({ title: 'Ana’s first', projectId: null });
    await A.sync();
    const B = laptop('B-thief', login('ben'));
    B.core.session.setSetting('sync.client_id', A.core.sync.state.clientId());
    B.core.tasks.create({ title: 'pushed under Ana’s replica id', projectId: null });
    await expect(B.sync()).rejects.toThrow(/belongs to another user/);
    expect(await rows('SELECT 1 FROM tasks WHERE title = $1', ['pushed under Ana’s replica id'])).toEqual([]);
    expect(B.core.sync.outbox.pendingCount(), 'the refused work stays on the laptop').toBeGreaterThan(0);
  });
});

describe('a replica made by an earlier release', () => {
  it('with a made-up user queued in its outbox and pending work, never synced: every change is pushed under the person who signs in', async () => {
    const old = laptop('old', login('ana'));
    const madeUp = earlierReleaseProfile(old);
    const project = old.core.projects.create({ name: 'Upgraded project' });
    const task = old.core.tasks.create({ title: 'Upgraded task', projectId: project.id });
    old.core.comments.add({ taskId: task.id, content: 'upgraded comment' });
    const pending = old.core.sync.outbox.pendingCount();
    expect(pending).toBe(4);
    const result = await old.sync();
    expect(result.signedIn?.userId).toBe(ana.userId);
    expect(result.rejected).toBe(0);
    // Dropping the made-up user's queued insert leaves no hole in the sequence the server checks
    // (a hole reads as "central lost changes": a new epoch that rebuilds every laptop).
    expect(result.identity).toBeNull();
    expect(await rows("SELECT value FROM sync_meta WHERE key = 'epoch_reason'")).toEqual([]);
    expect(result.pushed, 'every change but the made-up user row').toBe(3);
    expect(old.core.sync.outbox.pendingCount()).toBe(0);
    expect(await rows('SELECT 1 FROM users WHERE id = $1', [madeUp])).toEqual([]);
    expect((await rows<{ created_by: string }>('SELECT created_by::text FROM projects WHERE id = $1', [project.id]))[0]?.created_by).toBe(ana.userId);
    expect((await rows<{ user_id: string; author: string }>('SELECT user_id::text, author FROM comments WHERE task_id = $1', [task.id]))[0]).toEqual({ user_id: ana.userId, author: 'Ana Lima' });
    expect(old.core.users.current()?.id).toBe(ana.userId);
    // The sequence the server keeps for this replica has no hole: later work pushes too.
    old.core.tasks.update({ id: task.id, status: 'done' });
    expect((await old.sync()).pushed).toBe(1);
  });

  // Only the database owner's own login, connecting directly, could leave a replica registered
  // with no user (earlier releases did not enrol owners); the sync service never acts as the
  // owner, so the parity run has no such replica to upgrade.
  const ownersDirectLogin = testTransport() === 'direct' ? it : () => undefined;
  ownersDirectLogin('synced by the database owner before owners were enrolled: its replica id stays its own and pending work is pushed', async () => {
    const owner = laptop('owner', null);
    owner.core.tasks.create({ title: 'owner before', projectId: null });
    await owner.sync();
    // As an earlier release left it: the replica registered with no user.
    await central.query('UPDATE sync_clients SET user_id = NULL WHERE client_id = $1', [owner.core.sync.state.clientId()]);
    owner.core.tasks.create({ title: 'owner after', projectId: null });
    const result = await owner.sync();
    expect(result.pushed).toBe(1);
    expect(result.identity, 'not mistaken for a copied replica').toBeNull();
    expect(await rows('SELECT title FROM tasks WHERE title LIKE $1 ORDER BY title', ['owner %'])).toEqual([{ title: 'owner after' }, { title: 'owner before' }]);
  });
});

describe('one replica, one person', () => {
  it('two people whose OS accounts share a name both work before connecting; neither collides', async () => {
    const P = laptop('P', login('ana'));
    const Q = laptop('Q', login('ben'));
    P.core.comments.add({ taskId: P.core.tasks.create({ title: 'P offline', projectId: null }).id, content: 'P says' });
    Q.core.comments.add({ taskId: Q.core.tasks.create({ title: 'Q offline', projectId: null }).id, content: 'Q says' });
    expect(P.core.users.current()?.username).toBe(Q.core.users.current()?.username);
    const [p, q] = [await P.sync(), await Q.sync()];
    expect([p.rejected, q.rejected]).toEqual([0, 0]);
    expect(await rows('SELECT content, user_id::text FROM comments WHERE content IN ($1, $2) ORDER BY content', ['P says', 'Q says'])).toEqual([
      { content: 'P says', user_id: ana.userId },
      { content: 'Q says', user_id: ben.userId },
    ]);
  });

  it('a replica bound to one person refuses another login, sends nothing and keeps its work', async () => {
    const R = laptop('R', login('ana'));
    await R.sync();
    R.core.tasks.create({ title: 'Ana’s unsynced', projectId: null });
    const asBen = R.core.sync.connect({ central: { url: urlFor(login('ben')) } });
    try {
      await expect(asBen.syncOnce()).rejects.toThrow(/belongs to Ana Lima .* but Ben Okafor .* signed in, so nothing was sent/);
    } finally {
      await asBen.close();
    }
    expect(R.core.sync.outbox.pendingCount()).toBe(1);
    expect(await rows('SELECT 1 FROM tasks WHERE title = $1', ['Ana’s unsynced'])).toEqual([]);
  });

  it('start fresh keeps the local work in a file beside the database and pushes none of it', async () => {
    const F = laptop('F', login('ben'), { firstConnect: 'start-fresh' });
    F.core.tasks.create({ title: 'kept aside', projectId: null });
    const result = await F.sync();
    expect(result.setAside).toMatch(/before-joining-.*\.db$/);
    expect(await rows('SELECT 1 FROM tasks WHERE title = $1', ['kept aside'])).toEqual([]);
    expect(F.core.db.prepare('SELECT count(*) AS n FROM tasks WHERE title = ?').get('kept aside')).toEqual({ n: 0 });
    const { default: Database } = await import('better-sqlite3');
    const aside = new Database(String(result.setAside), { readonly: true });
    try {
      expect(aside.prepare('SELECT title FROM tasks').all()).toEqual([{ title: 'kept aside' }]);
    } finally {
      aside.close();
    }
  });
});
