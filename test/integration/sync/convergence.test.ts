/**
 * Two and three replicas editing offline, then syncing in various orders, against one real
 * central PostgreSQL per test. After every scenario all replicas equal the central state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCentral } from '../../support/pg';
import {
  centralConflicts,
  centralRow,
  expectConverged,
  openReplica,
  seedOrganisation,
  syncAll,
  type Replica,
} from '../../support/sync-harness';

type Central = Awaited<ReturnType<typeof tempCentral>>;

let central: Central;
let A: Replica;
let B: Replica;
let C: Replica;
let org: ReturnType<typeof seedOrganisation>;
let replicas: Replica[];

const at = (hhmmss: string) => `2026-03-02T${hhmmss}.000Z`;

beforeEach(async () => {
  central = await tempCentral();
  A = openReplica(central, 'A');
  B = openReplica(central, 'B');
  C = openReplica(central, 'C');
  replicas = [A, B, C];
  org = seedOrganisation(A.core, { people: ['Ana', 'Ben', 'Cleo'], tasks: 3 });
  const first = await A.sync();
  expect(first.pushed).toBeGreaterThan(0);
  expect(A.core.sync.outbox.pendingCount()).toBe(0);
  const b = await B.sync();
  const c = await C.sync();
  expect(b.bootstrapped && c.bootstrapped).toBe(true);
  B.core.session.setCurrentUser(org.users[1]!.id);
  C.core.session.setCurrentUser(org.users[2]!.id);
  expect(B.core.tasks.list({})).toHaveLength(3);
});

afterEach(async () => {
  for (const r of replicas ?? []) await r.dispose().catch(() => undefined);
  await central?.drop();
});

const taskId = () => org.tasks[0]!.id;

describe('same field edited on two replicas: field-level last writer wins by HLC', () => {
  for (const order of ['later writer pushes first', 'later writer pushes last'] as const) {
    it(`the later edit wins and the loser sees its value in conflicts (${order})`, async () => {
      A.clock.set(at('10:05:00'));
      B.clock.set(at('10:01:00'));
      A.core.tasks.update({ id: taskId(), priority: 'urgent' });
      B.core.tasks.update({ id: taskId(), priority: 'low' });

      if (order === 'later writer pushes first') {
        await A.sync();
        await B.sync();
      } else {
        await B.sync();
        await A.sync();
      }
      await syncAll(replicas);

      for (const r of replicas) expect(r.core.tasks.getRow(taskId()).priority, r.name).toBe('urgent');
      const lost = B.core.sync.conflicts.list();
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatchObject({ table: 'tasks', rowId: taskId(), field: 'priority', kind: 'field_lww', losingValue: 'low', winningValue: 'urgent' });
      expect(A.core.sync.conflicts.list()).toEqual([]);
      expect(C.core.sync.conflicts.list()).toEqual([]);
      // C lost nothing, yet its conflict cursor moved past the others' conflicts: no rescans.
      expect(BigInt(C.core.sync.state.conflictCursor().xid)).toBeGreaterThan(0n);
      const server = await centralConflicts(central.client);
      expect(server).toEqual([
        expect.objectContaining({ field: 'priority', kind: 'field_lww', losing_client_id: B.core.sync.state.clientId(), losing_value: 'low' }),
      ]);
      await expectConverged(central, replicas);
    });
  }

  it('three replicas on one field: the highest clock wins, both others are recorded as losers', async () => {
    A.clock.set(at('10:02:00'));
    B.clock.set(at('10:09:00'));
    C.clock.set(at('10:05:00'));
    A.core.tasks.update({ id: taskId(), title: 'Title from A' });
    B.core.tasks.update({ id: taskId(), title: 'Title from B' });
    C.core.tasks.update({ id: taskId(), title: 'Title from C' });
    await C.sync();
    await A.sync();
    await B.sync();
    await syncAll(replicas);
    for (const r of replicas) expect(r.core.tasks.getRow(taskId()).title).toBe('Title from B');
    expect(A.core.sync.conflicts.list().map((c) => c.losingValue)).toEqual(['Title from A']);
    expect(C.core.sync.conflicts.list().map((c) => c.losingValue)).toEqual(['Title from C']);
    expect(B.core.sync.conflicts.list()).toEqual([]);
    await expectConverged(central, replicas);
  });

  // An edit made *after* seeing the current value is not concurrent with it: even from a laptop
  // whose clock is behind, it must replace that value rather than lose to it by wall clock.
  it('a causally later edit from a replica with a lagging clock is applied, not recorded as a conflict', async () => {
    A.clock.set(at('11:00:00'));
    B.clock.set(at('10:00:00'));
    A.core.tasks.update({ id: taskId(), priority: 'urgent' });
    await A.sync();
    await B.sync();
    expect(B.core.tasks.getRow(taskId()).priority).toBe('urgent');
    B.core.tasks.update({ id: taskId(), priority: 'low' }); // B saw "urgent" and changed it
    await B.sync();
    await syncAll(replicas);
    expect((await centralRow(central.url, 'tasks', taskId()))?.priority).toBe('low');
    expect(B.core.sync.conflicts.list()).toEqual([]);
  });
});

describe('fields that belong together', () => {
  // status and completed_at belong together: A completes the task (status done + completed_at),
  // B — later by the clock — moves it to testing. B's status wins, so A's completed_at must not
  // survive on its own, or every replica would show a task in "testing" with a completion time.
  it('a task that ends up not done has no completed_at', async () => {
    A.clock.set(at('10:01:00'));
    B.clock.set(at('10:05:00'));
    A.core.tasks.update({ id: taskId(), status: 'done' });
    B.core.tasks.update({ id: taskId(), status: 'testing' });
    await A.sync();
    await B.sync();
    await syncAll(replicas);
    const row = await centralRow(central.url, 'tasks', taskId());
    expect(row?.status).toBe('testing');
    expect(row?.completed_at).toBeNull();
  });
});

describe('different fields of one task', () => {
  it('edits of different fields on three replicas are all kept, with no conflicts', async () => {
    A.clock.set(at('10:00:00'));
    B.clock.set(at('10:00:01'));
    C.clock.set(at('10:00:02'));
    A.core.tasks.update({ id: taskId(), status: 'in_progress' });
    B.core.tasks.update({ id: taskId(), priority: 'high' });
    C.core.tasks.update({ id: taskId(), title: 'Renamed by C', dueDate: '2026-04-01' });
    await B.sync();
    await C.sync();
    await A.sync();
    await syncAll(replicas);
    for (const r of replicas) {
      expect(r.core.tasks.getRow(taskId()), r.name).toMatchObject({ status: 'in_progress', priority: 'high', title: 'Renamed by C', dueDate: '2026-04-01' });
      expect(r.core.sync.conflicts.list(), r.name).toEqual([]);
    }
    expect(await centralConflicts(central.client)).toEqual([]);
    await expectConverged(central, replicas);
  });
});

describe('long text edited on two replicas', () => {
  it('the server keeps the first-pushed text; the other replica gets a text_copy it can restore, which syncs', async () => {
    B.clock.set(at('10:10:00')); // B is later by the clock, but long text is not last-writer-wins
    A.clock.set(at('10:00:00'));
    A.core.tasks.update({ id: taskId(), description: 'Description typed on A' });
    B.core.tasks.update({ id: taskId(), description: 'Description typed on B' });
    await A.sync();
    await B.sync();
    await syncAll(replicas);
    for (const r of replicas) expect(r.core.tasks.getRow(taskId()).description, r.name).toBe('Description typed on A');
    await expectConverged(central, replicas);

    const [copy] = B.core.sync.conflicts.list();
    expect(copy).toMatchObject({ kind: 'text_copy', field: 'description', losingValue: 'Description typed on B', winningValue: 'Description typed on A' });
    expect(A.core.sync.conflicts.list()).toEqual([]);

    B.clock.set(at('10:20:00'));
    const restored = B.core.sync.conflicts.restore(copy!.id);
    expect(restored.resolution).toBe('restored');
    expect(B.core.tasks.getRow(taskId()).description).toBe('Description typed on B');
    expect(B.core.sync.conflicts.list()).toEqual([]);
    expect(B.core.sync.outbox.pendingCount()).toBe(1);
    const after = await B.sync();
    expect(after.pushed).toBe(1);
    expect(after.conflicts).toBe(0);
    await syncAll(replicas);
    for (const r of replicas) expect(r.core.tasks.getRow(taskId()).description, r.name).toBe('Description typed on B');
    expect((await centralConflicts(central.client)).filter((c) => c.kind === 'text_copy')).toHaveLength(1);
    await expectConverged(central, replicas);
  });
});

describe('edit versus delete', () => {
  it('delete pushed first: the edit becomes a delete_wins conflict and the row is gone everywhere', async () => {
    A.core.comments.add({ taskId: taskId(), content: 'A comment that goes with its task' });
    await A.sync();
    await B.sync();
    await C.sync();
    expect(B.core.comments.list({ taskId: taskId() })).toHaveLength(1);

    A.core.tasks.delete(taskId());
    B.core.tasks.update({ id: taskId(), status: 'testing', title: 'Edited while deleted' });
    C.core.comments.add({ taskId: taskId(), content: 'Comment on a task being deleted' });
    await A.sync();
    await B.sync();
    await C.sync();
    await syncAll(replicas);

    for (const r of replicas) {
      expect(() => r.core.tasks.getRow(taskId()), r.name).toThrow(/does not exist/);
      expect(r.core.db.prepare('SELECT count(*) AS n FROM comments WHERE task_id = ?').get(taskId()), r.name).toEqual({ n: 0 });
    }
    expect(B.core.sync.conflicts.list()).toEqual([
      expect.objectContaining({ kind: 'delete_wins', table: 'tasks', rowId: taskId(), losingValue: expect.objectContaining({ status: 'testing', title: 'Edited while deleted' }) }),
    ]);
    // C's comment lost to the delete. The notification it caused (for Ana, the task's creator)
    // lost too, but it is not C's to see: issue 12 §4, never listed in C's Conflicts.
    const cLost = C.core.sync.conflicts.list();
    expect(cLost.map((c) => `${c.kind}:${c.table}`).sort()).toEqual(['delete_wins:comments']);
    expect(cLost.find((c) => c.table === 'comments')?.losingValue).toMatchObject({ content: 'Comment on a task being deleted' });
    expect(A.core.sync.conflicts.list()).toEqual([]);
    // The deleted row cannot take the lost values back.
    const lost = B.core.sync.conflicts.list()[0]!;
    expect(() => B.core.sync.conflicts.restore(lost.id)).toThrow(/deleted/);
    expect(await centralRow(central.url, 'tasks', taskId())).toBeNull();
    // Notifications are compared in the dedicated test below.
    await expectConverged(central, replicas, ['users', 'employees', 'projects', 'tasks', 'comments']);
  });

  // A row whose push ended as a conflict or a refusal is read back from central right after the
  // push, so the notification C's comment generated (which lost to the task's deletion) goes away.
  it('an insert that lost to a delete does not stay on the replica that made it', async () => {
    C.core.comments.add({ taskId: taskId(), content: 'Comment on a task being deleted' }); // notifies Ana
    expect(C.core.sync.outbox.allPending().map((e) => e.table)).toEqual(['comments', 'notifications']);
    A.core.tasks.delete(taskId());
    await A.sync();
    await syncAll(replicas);
    // Issue 12 §4: the notification meant for Ana is not listed among C's conflicts.
    expect(C.core.sync.conflicts.list().map((c) => c.table).sort()).toEqual(['comments']);
    expect(C.core.sync.conflicts.openCount()).toBe(1);
    await expectConverged(central, replicas);
  });

  it('edit pushed first, delete after: the delete still wins and the row is gone everywhere', async () => {
    B.core.tasks.update({ id: taskId(), priority: 'urgent' });
    await B.sync();
    A.core.tasks.delete(taskId()); // A never saw B's edit
    await A.sync();
    await syncAll(replicas);
    for (const r of replicas) expect(() => r.core.tasks.getRow(taskId()), r.name).toThrow(/does not exist/);
    expect(await centralRow(central.url, 'tasks', taskId())).toBeNull();
    await expectConverged(central, replicas);
  });

  // A delete based on a version older than someone else's accepted edit records that edit (0006).
  it('edit pushed first, delete after: the destroyed concurrent edit is recorded as a delete_wins conflict', async () => {
    B.core.tasks.update({ id: taskId(), priority: 'urgent', description: 'Long notes typed by B' });
    await B.sync();
    A.core.tasks.delete(taskId());
    await A.sync();
    await syncAll(replicas);
    const server = await centralConflicts(central.client);
    expect(server.filter((c) => c.kind === 'delete_wins' && c.row_id === taskId())).not.toEqual([]);
  });
});

describe('comment storms', () => {
  it('many comments on one task from three replicas, with interleaved syncs, are all present everywhere in one order', async () => {
    const tid = taskId();
    const written = new Map<string, string>();
    const base: Record<string, number> = { A: 0, B: 333, C: 666 };
    for (let round = 0; round < 4; round += 1) {
      for (const r of replicas) {
        for (let i = 0; i < 4; i += 1) {
          r.clock.set(new Date(Date.parse(at('12:00:00')) + round * 60_000 + i * 1_000 + (base[r.name] ?? 0)).toISOString());
          const c = r.core.comments.add({ taskId: tid, content: `${r.name} round ${round} #${i}` });
          written.set(c.id, c.content);
        }
      }
      // Interleaved, partial syncs: not everyone syncs every round.
      if (round % 2 === 0) {
        await B.sync();
        await A.sync();
      } else {
        await C.sync();
        await B.sync();
      }
    }
    await syncAll(replicas);
    const orders = replicas.map((r) => r.core.comments.list({ taskId: tid }).map((c) => c.id));
    expect(orders[0]).toHaveLength(written.size);
    expect(new Set(orders[0])).toEqual(new Set(written.keys()));
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
    const { rows } = await central.query<{ id: string }>('SELECT id::text FROM comments WHERE task_id = $1 ORDER BY comment_order, created_at', [tid]);
    expect(rows.map((r) => r.id)).toEqual(orders[0]);
    // Applied exactly once: one change-log insert per comment.
    const { rows: perRow } = await central.query<{ n: string }>(
      `SELECT count(*) AS n FROM sync_changes WHERE table_name = 'comments' GROUP BY row_id HAVING count(*) <> 1`,
    );
    expect(perRow).toEqual([]);
    await expectConverged(central, replicas);
  });

  // comment_order is computed locally (max + 1), so concurrent comments share it; with equal
  // created_at too, only a last key that every replica shares (the id) keeps one order everywhere.
  it('comments sharing comment_order and created_at are listed in the same order on every replica', async () => {
    const tid = taskId();
    for (const r of replicas) r.clock.set(at('12:00:00'));
    for (const r of replicas) for (let i = 0; i < 3; i += 1) r.core.comments.add({ taskId: tid, content: `${r.name} #${i}` });
    await syncAll(replicas);
    const orders = replicas.map((r) => r.core.comments.list({ taskId: tid }).map((c) => c.id));
    expect(orders[0]).toHaveLength(9);
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
  });
});

describe('create on one replica, edit on another', () => {
  it('a task created on C and edited on A arrives everywhere with the edit', async () => {
    C.clock.set(at('10:00:00'));
    const created = C.core.tasks.create({ title: 'Made on C', projectId: org.project.id, priority: 'low' });
    await C.sync();
    await A.sync();
    A.clock.set(at('10:30:00'));
    A.core.tasks.update({ id: created.id, title: 'Made on C, fixed by A', priority: 'high', status: 'testing' });
    await A.sync();
    await C.sync();
    expect(C.core.tasks.getRow(created.id)).toMatchObject({ title: 'Made on C, fixed by A', priority: 'high', status: 'testing' });
    await B.sync();
    expect(B.core.tasks.getRow(created.id)).toMatchObject({ title: 'Made on C, fixed by A', priority: 'high', status: 'testing', createdBy: org.users[2]!.id });
    await expectConverged(central, replicas);
  });

  it('a task created and edited offline on B before its first push, and edited on A before B pulls its own insert back', async () => {
    B.clock.set(at('10:00:00'));
    const t = B.core.tasks.create({ title: 'Offline task', projectId: org.project.id });
    B.clock.set(at('10:01:00'));
    B.core.tasks.update({ id: t.id, status: 'in_progress' });
    B.core.comments.add({ taskId: t.id, content: 'First comment, offline' });
    await B.sync();
    await A.sync();
    A.clock.set(at('10:05:00'));
    A.core.tasks.update({ id: t.id, priority: 'urgent' });
    await A.sync();
    await syncAll(replicas);
    for (const r of replicas) {
      expect(r.core.tasks.getRow(t.id), r.name).toMatchObject({ title: 'Offline task', status: 'in_progress', priority: 'urgent' });
      expect(r.core.comments.list({ taskId: t.id }).map((c) => c.content), r.name).toEqual(['First comment, offline']);
    }
    await expectConverged(central, replicas);
  });
});

describe('several offline edits of one row on one replica', () => {
  it('are applied in order without conflicting with themselves', async () => {
    const tid = taskId();
    let minute = 0;
    const step = () => B.clock.set(new Date(Date.parse(at('10:00:00')) + (minute += 1) * 60_000).toISOString());
    step();
    B.core.tasks.update({ id: tid, status: 'in_progress' });
    step();
    B.core.tasks.update({ id: tid, description: 'draft 1', priority: 'high' });
    step();
    B.core.tasks.update({ id: tid, status: 'testing', title: 'Retitled once' });
    step();
    B.core.tasks.update({ id: tid, description: 'draft 2', title: 'Retitled twice' });
    step();
    B.core.tasks.update({ id: tid, status: 'done', priority: 'low' });
    expect(B.core.sync.outbox.pendingCount()).toBe(5);
    // Meanwhile A edits another field of the same task.
    A.clock.set(at('10:02:30'));
    A.core.tasks.update({ id: tid, dueDate: '2026-05-01' });
    await A.sync();
    const rb = await B.sync();
    expect(rb).toMatchObject({ pushed: 5, rejected: 0, conflicts: 0 });
    // A second batch after a pull, based on the pulled version.
    step();
    B.core.tasks.update({ id: tid, description: 'draft 3' });
    step();
    B.core.tasks.update({ id: tid, description: 'final' });
    expect((await B.sync()).conflicts).toBe(0);
    await syncAll(replicas);
    for (const r of replicas) {
      expect(r.core.tasks.getRow(tid), r.name).toMatchObject({ status: 'done', priority: 'low', title: 'Retitled twice', description: 'final', dueDate: '2026-05-01' });
      expect(r.core.sync.conflicts.list(), r.name).toEqual([]);
    }
    expect(await centralConflicts(central.client)).toEqual([]);
    expect(B.core.tasks.getRow(tid).completedAt).not.toBeNull();
    await expectConverged(central, replicas);
  });
});

describe('notifications made by rules', () => {
  it('reach the right user on their own replica, and only them', async () => {
    const [ana, , cleo] = org.users;
    const [, , cleoEmployee] = org.employees;
    // A (Ana) assigns a task to Cleo: Cleo is told.
    A.clock.set(at('09:30:00'));
    A.core.tasks.update({ id: taskId(), assignedTo: cleoEmployee!.id });
    await A.sync();
    await C.sync();
    const cleoInbox = C.core.notifications.list();
    expect(cleoInbox).toEqual([expect.objectContaining({ userId: cleo!.id, type: 'task_assigned', taskId: taskId() })]);
    expect(A.core.notifications.list()).toEqual([]);

    // B (Ben) moves it along: Cleo (assignee) is told. C (Cleo) comments: Ana (creator) is told.
    await B.sync();
    B.clock.set(at('09:40:00'));
    B.core.tasks.update({ id: taskId(), status: 'testing' });
    C.clock.set(at('09:45:00'));
    C.core.comments.add({ taskId: taskId(), content: 'Testing now' });
    await B.sync();
    await C.sync();
    await A.sync();
    await syncAll(replicas);

    expect(C.core.notifications.list().map((n) => n.type).sort()).toEqual(['task_assigned', 'task_status_changed']);
    expect(C.core.notifications.list().find((n) => n.type === 'task_status_changed')?.metadata).toEqual({ from: 'todo', to: 'testing' });
    const anaInbox = A.core.notifications.list();
    expect(anaInbox).toEqual([expect.objectContaining({ userId: ana!.id, type: 'task_commented', message: 'Testing now' })]);
    expect(B.core.notifications.list()).toEqual([]);
    const { rows } = await central.query<{ user_id: string; type: string }>('SELECT user_id::text, type::text FROM notifications ORDER BY type');
    expect(rows).toEqual([
      { user_id: cleo!.id, type: 'task_assigned' },
      { user_id: ana!.id, type: 'task_commented' },
      { user_id: cleo!.id, type: 'task_status_changed' },
    ]);

    // Cleo reads hers on her laptop; the read state syncs.
    C.core.notifications.markAllRead();
    await C.sync();
    await A.sync();
    expect(A.core.db.prepare(`SELECT count(*) AS n FROM notifications WHERE user_id = ? AND read = 1`).get(cleo!.id)).toEqual({ n: 2 });
    await syncAll(replicas);
    await expectConverged(central, replicas);
  });
});
