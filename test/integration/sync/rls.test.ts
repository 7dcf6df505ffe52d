/**
 * Row-level security on the central database, through real login roles mapped to Coordinator
 * users (sync_db_users): what members and coordinators may read and write, directly and through
 * their replica's sync.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCentral } from '../../support/pg';
import { centralRow, openReplica, waitForVisibleChanges, type Replica } from '../../support/sync-harness';

type Central = Awaited<ReturnType<typeof tempCentral>>;
const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface World {
  central: Central;
  admin: Replica;
  roles: { mia: string; max: string; carl: string; cora: string };
  users: Record<'ana' | 'carl' | 'cora' | 'mia' | 'max', string>;
  employees: Record<'mia' | 'max' | 'carl', string>;
  p1: string;
  p2: string;
  /** P1 (Carl's), assigned to Mia. */
  t1: string;
  /** P1 (Carl's), assigned to Max. */
  t2: string;
  /** P2 (Cora's), assigned to Max. */
  t3: string;
  urlFor(role: string): string;
  connect(role: string): Promise<pg.Client>;
  clients: pg.Client[];
  replicas: Replica[];
  dispose(): Promise<void>;
}

/**
 * Ana (admin) loads the organisation through an unrestricted replica: coordinators Carl (P1) and
 * Cora (P2), members Mia and Max. Login roles are cluster-wide: unique names, always dropped.
 */
async function buildWorld(): Promise<World> {
  const central = await tempCentral();
  const suffix = randomBytes(4).toString('hex');
  const roles = { mia: `coord_m_mia_${suffix}`, max: `coord_m_max_${suffix}`, carl: `coord_c_carl_${suffix}`, cora: `coord_c_cora_${suffix}` };
  const admin = openReplica(central, 'admin');
  const clients: pg.Client[] = [];
  const replicas: Replica[] = [admin];
  const createdRoles: string[] = [];
  const dispose = async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    for (const r of replicas) await r.dispose().catch(() => undefined);
    await central.drop();
    const a = new pg.Client({ connectionString: ADMIN_URL });
    await a.connect();
    try {
      for (const role of createdRoles) {
        await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
        await a.query(`DROP ROLE IF EXISTS ${role}`);
      }
    } finally {
      await a.end();
    }
  };
  try {
    const core = admin.core;
    const mk = (username: string, fullName: string, role: 'admin' | 'coordinator' | 'member') =>
      core.users.create({ username, email: `${username}@example.com`, fullName, role }).id;
    const users = { ana: mk('ana', 'Ana Admin', 'admin'), carl: mk('carl', 'Carl Coord', 'coordinator'), cora: mk('cora', 'Cora Coord', 'coordinator'), mia: mk('mia', 'Mia Member', 'member'), max: mk('max', 'Max Member', 'member') };
    core.session.setCurrentUser(users.ana);
    const emp = (name: string, userId: string) => core.employees.create({ name, email: `${name.toLowerCase()}@example.com`, userId }).id;
    const employees = { mia: emp('Mia', users.mia), max: emp('Max', users.max), carl: emp('Carl', users.carl) };
    core.session.setCurrentUser(users.carl);
    const p1 = core.projects.create({ name: 'P1 (Carl)' }).id;
    const t1 = core.tasks.create({ title: 'T1 Mia in P1', projectId: p1, assignedTo: employees.mia }).id;
    const t2 = core.tasks.create({ title: 'T2 Max in P1', projectId: p1, assignedTo: employees.max }).id;
    core.session.setCurrentUser(users.cora);
    const p2 = core.projects.create({ name: 'P2 (Cora)' }).id;
    const t3 = core.tasks.create({ title: 'T3 Max in P2', projectId: p2, assignedTo: employees.max, description: 'Confidential P2 plan' }).id;
    core.session.setCurrentUser(users.ana);
    await admin.sync();
    expect(admin.core.sync.outbox.pendingCount()).toBe(0);

    const groups = { mia: 'coordinator_member', max: 'coordinator_member', carl: 'coordinator_coordinator', cora: 'coordinator_coordinator' } as const;
    for (const [who, role] of Object.entries(roles) as [keyof typeof roles, string][]) {
      await central.query(`CREATE ROLE ${role} LOGIN IN ROLE ${groups[who]}`);
      createdRoles.push(role);
      await central.query('INSERT INTO sync_db_users (db_role, user_id) VALUES ($1, $2)', [role, users[who]]);
    }
    const urlFor = (role: string) => {
      const u = new URL(central.url);
      u.username = role;
      return u.toString();
    };
    const connect = async (role: string) => {
      const c = new pg.Client({ connectionString: urlFor(role) });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    };
    return { central, admin, roles, users, employees, p1, p2, t1, t2, t3, urlFor, connect, clients, replicas, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

describe('direct SQL under row-level security', () => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld();
  });
  afterAll(async () => {
    await w?.dispose();
  });

  it('the login role is mapped to its Coordinator user', async () => {
    const mia = await w.connect(w.roles.mia);
    const { rows } = await mia.query<{ id: string }>('SELECT coordinator_user_id()::text AS id');
    expect(rows[0]?.id).toBe(w.users.mia);
  });

  it("a member reads only the projects and tasks they work on", async () => {
    const mia = await w.connect(w.roles.mia);
    const tasks = await mia.query<{ id: string }>('SELECT id::text FROM tasks');
    expect(ids(tasks.rows)).toEqual([w.t1, w.t2].sort());
    const projects = await mia.query<{ id: string }>('SELECT id::text FROM projects');
    expect(ids(projects.rows)).toEqual([w.p1]);
    const direct = await mia.query('SELECT * FROM tasks WHERE id = $1', [w.t3]);
    expect(direct.rowCount).toBe(0);
  });

  it("a member cannot update or delete another project's task, nor a colleague's task in their own project", async () => {
    const mia = await w.connect(w.roles.mia);
    const tryWrite = async (sql: string, params: unknown[]) => {
      try {
        return (await mia.query(sql, params)).rowCount;
      } catch (error) {
        expect((error as { code?: string }).code).toBe('42501');
        return 0;
      }
    };
    expect(await tryWrite(`UPDATE tasks SET status = 'done' WHERE id = $1`, [w.t3])).toBe(0);
    expect(await tryWrite('DELETE FROM tasks WHERE id = $1', [w.t3])).toBe(0);
    expect(await tryWrite(`UPDATE tasks SET title = 'hijacked' WHERE id = $1`, [w.t2])).toBe(0);
    expect(await tryWrite('DELETE FROM tasks WHERE id = $1', [w.t2])).toBe(0);
    expect(await tryWrite(`UPDATE projects SET name = 'hijacked' WHERE id = $1`, [w.p1])).toBe(0);
    // Taking a task over by reassigning it is refused too.
    const reassign = mia.query('UPDATE tasks SET assigned_to = $2 WHERE id = $1', [w.t1, w.employees.max]);
    await expect(reassign).rejects.toMatchObject({ code: '42501' });
    expect(await centralRow(w.central.url, 'tasks', w.t3)).toMatchObject({ status: 'todo', title: 'T3 Max in P2' });
    expect(await centralRow(w.central.url, 'tasks', w.t2)).toMatchObject({ title: 'T2 Max in P1' });
  });

  it('a member can update their own task, and the change is logged for sync', async () => {
    const mia = await w.connect(w.roles.mia);
    const { rowCount } = await mia.query(`UPDATE tasks SET status = 'in_progress' WHERE id = $1`, [w.t1]);
    expect(rowCount).toBe(1);
    expect(await centralRow(w.central.url, 'tasks', w.t1)).toMatchObject({ status: 'in_progress' });
    const { rows } = await w.central.query(`SELECT op FROM sync_changes WHERE row_id = $1 ORDER BY version DESC LIMIT 1`, [w.t1]);
    expect(rows).toEqual([{ op: 'upsert' }]);
  });

  it("a coordinator writes their own project and its tasks but not another coordinator's", async () => {
    const carl = await w.connect(w.roles.carl);
    expect((await carl.query(`UPDATE projects SET name = 'P1 renamed by Carl' WHERE id = $1`, [w.p1])).rowCount).toBe(1);
    expect((await carl.query(`UPDATE tasks SET priority = 'high' WHERE id = $1`, [w.t2])).rowCount).toBe(1);
    expect((await carl.query(`UPDATE projects SET name = 'P2 hijacked' WHERE id = $1`, [w.p2])).rowCount).toBe(0);
    expect((await carl.query(`DELETE FROM projects WHERE id = $1`, [w.p2])).rowCount).toBe(0);
    expect((await carl.query(`UPDATE tasks SET status = 'done' WHERE id = $1`, [w.t3])).rowCount).toBe(0);
    // Coordinators read everything.
    expect((await carl.query('SELECT id FROM tasks')).rowCount).toBe(3);
    // Creating a project in someone else's name is refused.
    await expect(
      carl.query(`INSERT INTO projects (id, name, created_by) VALUES (gen_random_uuid(), 'Fake Cora project', $1)`, [w.users.cora]),
    ).rejects.toMatchObject({ code: '42501' });
    expect(await centralRow(w.central.url, 'projects', w.p2)).toMatchObject({ name: 'P2 (Cora)' });
    expect(await centralRow(w.central.url, 'tasks', w.t3)).toMatchObject({ status: 'todo' });
  });

  // Project ids are discoverable in sync_changes, but a member may create tasks only in projects
  // they are assigned work in (0007), so knowing an id opens nothing.
  it("a member cannot add a task to another project and so gain read access to it", async () => {
    const mia = await w.connect(w.roles.mia);
    const { rows: known } = await mia.query<{ row_id: string }>(`SELECT DISTINCT row_id::text FROM sync_changes WHERE table_name = 'projects'`);
    expect(known.map((r) => r.row_id)).toContain(w.p2); // project ids leak through the change log
    let inserted = 0;
    try {
      inserted = (await mia.query(`INSERT INTO tasks (id, title, project_id, created_by) VALUES (gen_random_uuid(), 'Trojan', $1, $2)`, [w.p2, w.users.mia])).rowCount ?? 0;
    } catch (error) {
      expect((error as { code?: string }).code).toBe('42501');
    }
    const { rows } = await mia.query<{ id: string }>('SELECT id::text FROM tasks WHERE id = $1', [w.t3]);
    expect({ inserted, canReadT3: rows.length > 0 }).toEqual({ inserted: 0, canReadT3: false });
  });

  // Conflicts are readable only by the user whose replica lost them (0005).
  it("a member cannot read conflict values of tasks they may not see", async () => {
    // A conflict on T3 (Cora's project): Ana's replica wrote a description, a stale replica loses.
    w.admin.core.tasks.update({ id: w.t3, description: 'Confidential P2 plan, revised' });
    await w.admin.sync();
    await w.central.query(`SELECT coordinator_push('stale-replica', $1::jsonb)`, [
      JSON.stringify([{ seq: 1, mutationId: 'm1', table: 'tasks', rowId: w.t3, op: 'update', fields: { description: 'Stale text' }, baseVersion: 0, hlc: '000001000000000:00000:stale-replica' }]),
    ]);
    const { rows: server } = await w.central.query(`SELECT kind FROM sync_conflicts WHERE row_id = $1`, [w.t3]);
    expect(server).toEqual([{ kind: 'text_copy' }]);
    const mia = await w.connect(w.roles.mia);
    let leaked: unknown[] = [];
    try {
      leaked = (await mia.query(`SELECT winning_value FROM sync_conflicts WHERE row_id = $1`, [w.t3])).rows;
    } catch (error) {
      expect((error as { code?: string }).code).toBe('42501');
    }
    expect(leaked).toEqual([]);
  });

  // Sync bookkeeping is written only through functions that check the caller (0005): moving
  // another replica's mutation counter would make its next edits look like replays.
  it("a member cannot make another replica's edits disappear by moving its mutation sequence", async () => {
    const mia = await w.connect(w.roles.mia);
    const adminClient = w.admin.core.sync.state.clientId();
    try {
      await mia.query('UPDATE sync_clients SET last_mutation_seq = last_mutation_seq + 50 WHERE client_id = $1', [adminClient]);
    } catch {
      // refused: that is the desired outcome
    }
    w.admin.core.tasks.update({ id: w.t2, title: 'T2 renamed by Ana' });
    await w.admin.sync();
    expect(await centralRow(w.central.url, 'tasks', w.t2)).toMatchObject({ title: 'T2 renamed by Ana' });
  });
});

describe("a member's replica syncing through row-level security", () => {
  let w: World;
  let mia: Replica;
  beforeAll(async () => {
    w = await buildWorld();
    mia = openReplica(w.central, 'mia', { url: w.urlFor(w.roles.mia) });
    w.replicas.push(mia);
    mia.core.session.setCurrentUser(w.users.mia);
    const first = await mia.sync();
    expect(first.bootstrapped).toBe(true);
    expect(first.skipped).toEqual([]);
  });
  afterAll(async () => {
    await w?.dispose();
  });

  it('bootstraps only what the member may see', () => {
    expect(mia.core.tasks.list({}).map((t) => t.id).sort()).toEqual([w.t1, w.t2].sort());
    expect(mia.core.projects.list().map((p) => p.id)).toEqual([w.p1]);
    expect(mia.core.notifications.list()).toEqual([expect.objectContaining({ type: 'task_assigned', taskId: w.t1 })]);
    expect(mia.core.db.prepare('SELECT count(*) AS n FROM notifications').get()).toEqual({ n: 1 });
  });

  it('a forbidden edit is rejected with FORBIDDEN, listed as a rejected conflict, and the queue continues', async () => {
    mia.clock.set('2026-03-02T11:00:00.000Z');
    mia.core.tasks.update({ id: w.t2, title: 'Mia renames T2' }); // Max's task in Mia's project: read-only for her
    mia.core.tasks.update({ id: w.t1, status: 'testing' }); // her own
    mia.core.tasks.delete(w.t2); // forbidden as well
    mia.core.comments.add({ taskId: w.t1, content: 'Mia comments on her task' }); // allowed (and notifies Carl, the creator)
    mia.core.tasks.update({ id: w.t1, priority: 'urgent' }); // her own, after two refusals
    const queued = mia.core.sync.outbox.allPending().map((e) => `${e.table}:${e.op}`);
    expect(queued).toEqual(['tasks:update', 'tasks:update', 'tasks:delete', 'comments:insert', 'notifications:insert', 'tasks:update']);

    const result = await mia.sync();
    expect(result).toMatchObject({ rejected: 2, pushed: 4 });
    expect(mia.core.sync.outbox.pendingCount()).toBe(0);
    const rejected = mia.core.sync.outbox.rejected();
    expect(rejected.map((e) => [e.table, e.op, e.rowId])).toEqual([
      ['tasks', 'delete', w.t2],
      ['tasks', 'update', w.t2],
    ]);
    expect(rejected[0]?.error).toMatch(/^FORBIDDEN: not allowed to delete this tasks row/);
    expect(rejected[1]?.error).toMatch(/^FORBIDDEN: not allowed to change this tasks row/);

    const listed = mia.core.sync.conflicts.list().filter((c) => c.kind === 'rejected');
    expect(listed).toHaveLength(2);
    expect(listed.every((c) => c.rowId === w.t2 && /^FORBIDDEN/.test(c.reason ?? ''))).toBe(true);
    expect(listed.find((c) => (c.losingValue as Record<string, unknown> | null)?.title === 'Mia renames T2')).toBeDefined();

    expect(await centralRow(w.central.url, 'tasks', w.t1)).toMatchObject({ status: 'testing', priority: 'urgent' });
    expect(await centralRow(w.central.url, 'tasks', w.t2)).toMatchObject({ title: 'T2 Max in P1' });
    const { rows: comments } = await w.central.query<{ content: string }>('SELECT content FROM comments WHERE task_id = $1', [w.t1]);
    expect(comments).toEqual([{ content: 'Mia comments on her task' }]);
    const { rows: rej } = await w.central.query<{ code: string }>('SELECT code FROM sync_rejections WHERE client_id = $1 ORDER BY seq', [mia.core.sync.state.clientId()]);
    expect(rej).toEqual([{ code: 'FORBIDDEN' }, { code: 'FORBIDDEN' }]);
    // Carl's notification was accepted centrally but is not Mia's to read: her replica drops it.
    await mia.sync();
    expect(mia.core.db.prepare('SELECT count(*) AS n FROM notifications WHERE user_id = ?').get(w.users.carl)).toEqual({ n: 0 });

    // Dismissing a refused mutation removes it from the queue and the list.
    mia.core.sync.conflicts.dismiss(listed[0]!.id);
    expect(mia.core.sync.outbox.rejected()).toHaveLength(1);
  });

  it("the member's pushes stay within their rights: the admin replica sees her allowed edits only", async () => {
    await waitForVisibleChanges(w.central.client);
    await w.admin.sync();
    expect(w.admin.core.tasks.getRow(w.t1)).toMatchObject({ status: 'testing', priority: 'urgent' });
    expect(w.admin.core.tasks.getRow(w.t2)).toMatchObject({ title: 'T2 Max in P1' });
    expect(w.admin.core.comments.list({ taskId: w.t1 }).map((c) => c.authorName)).toEqual(['Mia Member']);
    expect(w.admin.core.db.prepare(`SELECT type FROM notifications WHERE user_id = ?`).all(w.users.carl)).toEqual([{ type: 'task_commented' }]);
  });

  // A refused mutation is undone locally by reading the row back from central after the push;
  // the refused change stays listed (kind 'rejected').
  it("after a refusal, the member's replica shows the central value of the row again", async () => {
    w.admin.core.session.setCurrentUser(w.users.carl);
    const t4 = w.admin.core.tasks.create({ title: 'T4 Max in P1', projectId: w.p1, assignedTo: w.employees.max }).id;
    w.admin.core.session.setCurrentUser(w.users.ana);
    await w.admin.sync();
    await mia.sync();
    expect(mia.core.tasks.getRow(t4).title).toBe('T4 Max in P1');
    mia.clock.set('2026-03-02T11:30:00.000Z');
    mia.core.tasks.update({ id: t4, title: 'Mia renames T4' });
    expect((await mia.sync()).rejected).toBe(1);
    await mia.sync();
    expect(await centralRow(w.central.url, 'tasks', t4)).toMatchObject({ title: 'T4 Max in P1' });
    expect(mia.core.tasks.getRow(t4).title).toBe('T4 Max in P1');
  });

  // A local transaction is applied all or nothing (migration 0009): the status-change notification
  // generated on Mia's replica for Max is refused with the status change it reports.
  it("a refused status change does not notify the assignee of a change that never happened", async () => {
    w.admin.core.session.setCurrentUser(w.users.carl);
    const t5 = w.admin.core.tasks.create({ title: 'T5 Max in P1', projectId: w.p1, assignedTo: w.employees.max }).id;
    w.admin.core.session.setCurrentUser(w.users.ana);
    await w.admin.sync();
    await mia.sync();
    mia.clock.set('2026-03-02T12:00:00.000Z');
    mia.core.tasks.update({ id: t5, status: 'done' }); // refused: not her task
    expect(mia.core.sync.outbox.allPending().map((e) => e.table)).toEqual(['tasks', 'notifications']);
    const result = await mia.sync();
    expect(result.rejected).toBe(2);
    // Newest first: the notification, refused with the status change before it.
    expect(mia.core.sync.outbox.rejected().slice(0, 2).map((e) => e.error)).toEqual([
      expect.stringMatching(/refused with the rest of its local transaction/),
      expect.stringMatching(/^FORBIDDEN/),
    ]);
    expect(await centralRow(w.central.url, 'tasks', t5)).toMatchObject({ status: 'todo' });
    const { rows } = await w.central.query(`SELECT title FROM notifications WHERE task_id = $1 AND type = 'task_status_changed'`, [t5]);
    expect(rows).toEqual([]);
  });
});
