import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { newId } from '../../../core/common/ids';
import type { Notification } from '../../../shared/entities';
import { manualClock, tempCore } from '../../support/core';

/**
 * Notifications: who hears about what (rules run in the write's transaction), due-soon scanning,
 * and each user's inbox.
 */

let clock: ReturnType<typeof manualClock>;
let core: ReturnType<typeof tempCore>;
let alex: { userId: string; employeeId: string };
let maria: { userId: string; employeeId: string };
let helenUserId: string;
let kenjiEmployeeId: string;
let projectId: string;

const T0 = '2026-03-02T09:00:00.000Z';

beforeEach(() => {
  clock = manualClock(T0);
  core = tempCore({ clock });
  alex = person('alex', 'Alex Morgan');
  maria = person('maria', 'Maria Garcia');
  helenUserId = core.users.create({ username: 'helen', email: 'helen@example.com', fullName: 'Helen Park', role: 'admin' }).id;
  kenjiEmployeeId = core.employees.create({ name: 'Kenji Tanaka', email: 'kenji@example.com' }).id;
  as(alex.userId);
  projectId = core.projects.create({ name: 'Website Relaunch' }).id;
});
afterEach(() => core.dispose());

function person(username: string, fullName: string) {
  const user = core.users.create({ username, email: `${username}@example.com`, fullName });
  const employee = core.employees.create({ name: fullName, email: `${username}@example.com`, userId: user.id });
  return { userId: user.id, employeeId: employee.id };
}

function as(userId: string) {
  core.session.setCurrentUser(userId);
}

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

/** Every notification in the database, oldest first, as (recipient, type, title). */
function all(): { to: string; type: string; title: string; message: string }[] {
  const names: Record<string, string> = { [alex.userId]: 'alex', [maria.userId]: 'maria', [helenUserId]: 'helen' };
  return (core.db.prepare('SELECT user_id, type, title, message FROM notifications ORDER BY created_at, id').all() as Record<string, string>[]).map((r) => ({
    to: names[r.user_id as string] ?? (r.user_id as string),
    type: r.type as string,
    title: r.title as string,
    message: r.message as string,
  }));
}

const inboxOf = (userId: string): Notification[] => {
  const previous = core.session.currentUserId;
  as(userId);
  const list = core.notifications.list();
  if (previous) as(previous);
  return list;
};

describe('assignment notifications', () => {
  it('tell the assignee when someone else gives them a new task', () => {
    const task = core.tasks.create({ title: 'Set up redirects', projectId, assignedTo: maria.employeeId });
    const [n, ...rest] = inboxOf(maria.userId);
    expect(rest).toEqual([]);
    expect(n).toEqual({
      id: expect.any(String),
      userId: maria.userId,
      type: 'task_assigned',
      title: 'Alex Morgan assigned you a task',
      message: 'Set up redirects',
      read: false,
      readAt: null,
      actionUrl: `coordinator://task/${task.id}`,
      metadata: {},
      taskId: task.id,
      projectId,
      createdAt: T0,
    });
  });

  it('tell the new assignee when a task is reassigned', () => {
    const task = core.tasks.create({ title: 'Hero image' });
    expect(all()).toEqual([]);
    core.tasks.update({ id: task.id, assignedTo: maria.employeeId });
    expect(all()).toEqual([{ to: 'maria', type: 'task_assigned', title: 'Alex Morgan assigned you a task', message: 'Hero image' }]);
  });

  it('stay silent when people assign work to themselves', () => {
    const task = core.tasks.create({ title: 'Mine', assignedTo: alex.employeeId });
    as(maria.userId);
    core.tasks.update({ id: task.id, assignedTo: maria.employeeId });
    expect(all()).toEqual([]);
  });

  it('stay silent for an employee without a user account, and when nothing changes', () => {
    const task = core.tasks.create({ title: 'For Kenji', assignedTo: kenjiEmployeeId });
    core.tasks.update({ id: task.id, assignedTo: kenjiEmployeeId, title: 'For Kenji' });
    expect(all()).toEqual([]);
  });

  it('are written in the same transaction as the change: a failed write leaves none', () => {
    core.writer.addHook((change) => {
      if (change.table === 'notifications') throw new Error('disk full');
    });
    expect(() => core.tasks.create({ title: 'Doomed', assignedTo: maria.employeeId })).toThrow('disk full');
    expect(core.tasks.count()).toBe(0);
    expect(all()).toEqual([]);
  });
});

describe('status change notifications', () => {
  it('tell the assignee when someone else moves their task', () => {
    const task = core.tasks.create({ title: 'Cookie banner', projectId, assignedTo: maria.employeeId });
    clock.advance(1000);
    core.tasks.update({ id: task.id, status: 'testing' });
    const [latest] = inboxOf(maria.userId);
    expect(latest).toMatchObject({
      type: 'task_status_changed',
      title: 'Cookie banner moved to Testing',
      message: 'Alex Morgan changed the status from To do to Testing',
      metadata: { from: 'todo', to: 'testing' },
      taskId: task.id,
      projectId,
      createdAt: '2026-03-02T09:00:01.000Z',
    });
  });

  it('stay silent when the assignee moves their own task, or for other edits', () => {
    const task = core.tasks.create({ title: 'Cookie banner', assignedTo: maria.employeeId });
    const before = all();
    as(maria.userId);
    core.tasks.update({ id: task.id, status: 'done' });
    as(alex.userId);
    core.tasks.update({ id: task.id, title: 'Cookie consent banner', priority: 'high' });
    expect(all()).toEqual(before);
  });

  it('stay silent for unassigned tasks', () => {
    const task = core.tasks.create({ title: 'Loose' });
    core.tasks.update({ id: task.id, status: 'in_progress' });
    expect(all()).toEqual([]);
  });
});

describe('comment notifications', () => {
  it('tell the assignee and the creator, never the comment’s author', () => {
    const task = core.tasks.create({ title: 'Pricing copy', assignedTo: maria.employeeId });
    const start = all().length;
    as(helenUserId);
    const comment = core.comments.add({ taskId: task.id, content: 'Please use the new tiers.' });
    const added = all().slice(start);
    expect(added.map((n) => n.to).sort()).toEqual(['alex', 'maria']);
    expect(added[0]).toMatchObject({ type: 'task_commented', title: 'Helen Park commented on Pricing copy', message: 'Please use the new tiers.' });
    const [forMaria] = inboxOf(maria.userId);
    expect(forMaria?.metadata).toEqual({ commentId: comment.id });
    expect(forMaria?.taskId).toBe(task.id);
  });

  it('leave out the author when the author is the assignee or the creator', () => {
    const task = core.tasks.create({ title: 'Pricing copy', assignedTo: maria.employeeId });
    const start = all().length;
    as(maria.userId);
    core.comments.add({ taskId: task.id, content: 'On it' });
    as(alex.userId);
    core.comments.add({ taskId: task.id, content: 'Thanks' });
    expect(all().slice(start).map((n) => `${n.to}:${n.title}`)).toEqual([
      'alex:Maria Garcia commented on Pricing copy',
      'maria:Alex Morgan commented on Pricing copy',
    ]);
  });

  it('go to the named author’s audience when a comment is written on someone’s behalf', () => {
    const task = core.tasks.create({ title: 'Pricing copy', assignedTo: maria.employeeId });
    const start = all().length;
    core.comments.add({ taskId: task.id, content: 'Noted by Maria', userId: maria.userId });
    expect(all().slice(start).map((n) => n.to)).toEqual(['alex']);
  });

  it('notify someone who is both assignee and creator once', () => {
    as(maria.userId);
    const task = core.tasks.create({ title: 'Own task', assignedTo: maria.employeeId });
    as(alex.userId);
    core.comments.add({ taskId: task.id, content: 'Looks good' });
    expect(all()).toEqual([{ to: 'maria', type: 'task_commented', title: 'Alex Morgan commented on Own task', message: 'Looks good' }]);
  });

  it('quote at most 140 characters of the comment', () => {
    const task = core.tasks.create({ title: 'Long', assignedTo: maria.employeeId });
    core.comments.add({ taskId: task.id, content: 'x'.repeat(500) });
    expect(all().at(-1)?.message).toBe('x'.repeat(140));
  });

  it('are not sent for comment edits', () => {
    const task = core.tasks.create({ title: 'T', assignedTo: maria.employeeId });
    const comment = core.comments.add({ taskId: task.id, content: 'v1' });
    const count = all().length;
    core.comments.edit({ id: comment.id, content: 'v2' });
    expect(all()).toHaveLength(count);
  });
});

describe('due-soon notifications', () => {
  it('tell the assignee once per task and due date about open tasks due today or tomorrow', () => {
    const today = core.tasks.create({ title: 'Due today', assignedTo: maria.employeeId, dueDate: '2026-03-02' });
    core.tasks.create({ title: 'Due tomorrow', assignedTo: maria.employeeId, dueDate: '2026-03-03' });
    core.tasks.create({ title: 'Due later', assignedTo: maria.employeeId, dueDate: '2026-03-04' });
    core.tasks.create({ title: 'Overdue', assignedTo: maria.employeeId, dueDate: '2026-03-01' });
    core.tasks.create({ title: 'Done', assignedTo: maria.employeeId, dueDate: '2026-03-02', status: 'done' });
    core.tasks.create({ title: 'Nobody', dueDate: '2026-03-02' });
    core.tasks.create({ title: 'No account', assignedTo: kenjiEmployeeId, dueDate: '2026-03-02' });
    core.tasks.create({ title: 'Mine', assignedTo: alex.employeeId, dueDate: '2026-03-03' });
    const start = all().length;
    expect(core.notifications.scanDueSoon()).toBe(3);
    expect(all().slice(start).map((n) => `${n.to}:${n.title}:${n.message}`).sort()).toEqual([
      'alex:Due soon: Mine:Due on 2026-03-03',
      'maria:Due soon: Due today:Due on 2026-03-02',
      'maria:Due soon: Due tomorrow:Due on 2026-03-03',
    ]);
    const n = inboxOf(maria.userId).find((x) => x.taskId === today.id && x.type === 'task_due_soon');
    expect(n).toMatchObject({ metadata: { dueDate: '2026-03-02' }, actionUrl: `coordinator://task/${today.id}` });
    // Scanning again, even hours later the same day, adds nothing.
    clock.advance(6 * 3_600_000);
    expect(core.notifications.scanDueSoon()).toBe(0);
    expect(all()).toHaveLength(start + 3);
  });

  it('pick up tasks as the clock moves towards their due date', () => {
    core.tasks.create({ title: 'Later', assignedTo: maria.employeeId, dueDate: '2026-03-05' });
    expect(core.notifications.scanDueSoon()).toBe(0);
    clock.set('2026-03-04T08:00:00.000Z');
    expect(core.notifications.scanDueSoon()).toBe(1);
    clock.set('2026-03-05T08:00:00.000Z');
    expect(core.notifications.scanDueSoon()).toBe(0);
  });

  it('notify again when the due date moves', () => {
    const task = core.tasks.create({ title: 'Moving target', assignedTo: maria.employeeId, dueDate: '2026-03-02' });
    expect(core.notifications.scanDueSoon()).toBe(1);
    core.tasks.update({ id: task.id, dueDate: '2026-03-03' });
    expect(core.notifications.scanDueSoon()).toBe(1);
    expect(core.notifications.scanDueSoon()).toBe(0);
  });
});

describe('the inbox', () => {
  function threeForMaria() {
    const t1 = core.tasks.create({ title: 'one', assignedTo: maria.employeeId });
    clock.advance(1000);
    core.tasks.create({ title: 'two', assignedTo: maria.employeeId });
    clock.advance(1000);
    core.tasks.create({ title: 'three', assignedTo: maria.employeeId });
    core.tasks.create({ title: 'for helen to see nothing' });
    return t1;
  }

  it('lists the signed-in user’s notifications, newest first, with unread-only and limit', () => {
    threeForMaria();
    as(maria.userId);
    expect(core.notifications.list().map((n) => n.message)).toEqual(['three', 'two', 'one']);
    expect(core.notifications.list({ limit: 2 }).map((n) => n.message)).toEqual(['three', 'two']);
    core.notifications.markRead(core.notifications.list()[0]?.id);
    expect(core.notifications.list({ unreadOnly: true }).map((n) => n.message)).toEqual(['two', 'one']);
    expect(core.notifications.list({ unreadOnly: false })).toHaveLength(3);
    as(alex.userId);
    expect(core.notifications.list()).toEqual([]);
  });

  it('counts unread notifications per user', () => {
    threeForMaria();
    as(maria.userId);
    expect(core.notifications.unreadCount()).toBe(3);
    as(alex.userId);
    expect(core.notifications.unreadCount()).toBe(0);
  });

  it('marks one read with the time it was read, once', () => {
    threeForMaria();
    as(maria.userId);
    const [latest] = core.notifications.list();
    clock.set('2026-03-02T12:00:00.000Z');
    const read = core.notifications.markRead(latest?.id);
    expect(read).toEqual({ ...latest, read: true, readAt: '2026-03-02T12:00:00.000Z' });
    expect(core.notifications.unreadCount()).toBe(2);
    clock.set('2026-03-02T13:00:00.000Z');
    expect(core.notifications.markRead(latest?.id).readAt).toBe('2026-03-02T12:00:00.000Z');
  });

  it('refuses to mark someone else’s notification with FORBIDDEN, leaving it unread', () => {
    threeForMaria();
    const [forMaria] = inboxOf(maria.userId);
    as(alex.userId);
    const error = caught(() => core.notifications.markRead(forMaria?.id));
    expect(error.code).toBe('FORBIDDEN');
    expect(inboxOf(maria.userId)[0]).toMatchObject({ read: false, readAt: null });
  });

  it('refuses an unknown notification and a bad id', () => {
    expect(caught(() => core.notifications.markRead(newId())).code).toBe('NOT_FOUND');
    expect(caught(() => core.notifications.markRead('n-1')).code).toBe('VALIDATION');
    expect(caught(() => core.notifications.list({ limit: 0 })).code).toBe('VALIDATION');
    expect(caught(() => core.notifications.list({ unread: true })).code).toBe('VALIDATION');
  });

  it('marks all of the signed-in user’s notifications read, and only theirs', () => {
    threeForMaria();
    as(helenUserId);
    const t = core.tasks.create({ title: 'helen made this', assignedTo: alex.employeeId });
    expect(t.assignedTo).toBe(alex.employeeId);
    as(maria.userId);
    clock.set('2026-03-02T15:00:00.000Z');
    expect(core.notifications.markAllRead()).toEqual({ updated: 3 });
    expect(core.notifications.list().every((n) => n.read && n.readAt === '2026-03-02T15:00:00.000Z')).toBe(true);
    expect(core.notifications.unreadCount()).toBe(0);
    expect(core.notifications.markAllRead()).toEqual({ updated: 0 });
    as(alex.userId);
    expect(core.notifications.unreadCount()).toBe(1);
  });

  it('is empty when nobody is signed in', () => {
    const fresh = tempCore({ clock });
    try {
      expect(fresh.notifications.list()).toEqual([]);
      expect(fresh.notifications.unreadCount()).toBe(0);
      expect(fresh.notifications.markAllRead()).toEqual({ updated: 0 });
    } finally {
      fresh.dispose();
    }
  });
});
