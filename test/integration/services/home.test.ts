import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../../core/common/ids';
import { dispatch } from '../../../core/ipc/dispatch';
import { createHandlers, type Handlers } from '../../../core/ipc/handlers';
import { mondayOf } from '../../../core/home/home-service';
import type { ChannelName, ChannelOutput } from '../../../shared/contracts';
import { manualClock, tempCore } from '../../support/core';

/**
 * Home / Today, workload, palette entities, notification preferences and the retention preview,
 * through the same dispatch as the IPC (so inputs and outputs are checked against the contracts).
 */

const T0 = '2026-03-04T10:00:00.000Z'; // a Wednesday; its week is 2026-03-02 … 2026-03-08
let core: ReturnType<typeof tempCore>;
let handlers: Handlers;
let alex: { userId: string; employeeId: string };
let maria: { userId: string; employeeId: string };
let projectId: string;
const ids: Record<string, string> = {};

async function ask<C extends ChannelName>(channel: C, input?: unknown): Promise<ChannelOutput<C>> {
  const envelope = await dispatch(handlers, channel, input);
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.value as ChannelOutput<C>;
}

function person(username: string, fullName: string, managerId?: string) {
  const user = core.users.create({ username, email: `${username}@example.com`, fullName });
  const employee = core.employees.create({ name: fullName, email: `${username}@example.com`, userId: user.id, ...(managerId ? { managerId } : {}) });
  return { userId: user.id, employeeId: employee.id };
}

beforeEach(() => {
  core = tempCore({ clock: manualClock(T0) });
  handlers = createHandlers(core);
  alex = person('alex', 'Alex Morgan');
  maria = person('maria', 'Maria Garcia', alex.employeeId);
  core.session.setCurrentUser(alex.userId);
  projectId = core.projects.create({ name: 'Website Relaunch', deadline: '2026-03-31' }).id;
  const task = (key: string, fields: Record<string, unknown>) => {
    ids[key] = core.tasks.create({ title: key, projectId, ...fields }).id;
  };
  task('alex-overdue', { assignedTo: alex.employeeId, dueDate: '2026-03-01', estimatedHours: 5 });
  task('alex-soon', { assignedTo: alex.employeeId, dueDate: '2026-03-05', estimatedHours: 3, priority: 'urgent' });
  task('alex-later', { assignedTo: alex.employeeId, dueDate: '2026-03-20', estimatedHours: 8 });
  task('alex-done', { assignedTo: alex.employeeId, dueDate: '2026-03-03', estimatedHours: 2, status: 'done' });
  task('maria-span', { assignedTo: maria.employeeId, startTime: '2026-03-02T09:00:00.000Z', endTime: '2026-03-06T17:00:00.000Z', estimatedHours: 10 });
  task('maria-undated', { assignedTo: maria.employeeId });
  task('maria-today-unestimated', { assignedTo: maria.employeeId, dueDate: '2026-03-04' });
});
afterEach(() => core.dispose());

describe('home.today', () => {
  it('counts and lists my open, overdue and due-soon work, unread notifications and pending AI actions', async () => {
    // Maria comments on Alex's task: Alex gets one unread notification.
    core.comments.add({ taskId: ids['alex-overdue']!, content: 'Any news?', userId: maria.userId });
    core.db
      .prepare(`INSERT INTO ai_actions (id, prompt, action_type, action_data, status, executed, created_at, updated_at) VALUES (?, 'move it', 'update_task', '{}', 'pending', 0, ?, ?)`)
      .run(newId(), T0, T0);

    const home = await ask('home.today', { today: '2026-03-04' });
    expect(home.employeeId).toBe(alex.employeeId);
    expect(home.myOpenCount).toBe(3);
    expect(home.myOpen.map((t) => t.title)).toEqual(['alex-overdue', 'alex-soon', 'alex-later']);
    expect(home.overdueCount).toBe(1);
    expect(home.overdue.map((t) => t.title)).toEqual(['alex-overdue']);
    expect(home.dueSoonCount).toBe(1);
    expect(home.dueSoon.map((t) => t.title)).toEqual(['alex-soon']);
    expect(home.dueSoon[0]!.projectName).toBe('Website Relaunch');
    expect(home.unread.count).toBe(1);
    expect(home.unread.items[0]!.type).toBe('task_commented');
    expect(home.pendingActions.count).toBe(1);
    expect(home.sync.pending).toBeGreaterThan(0); // every local write waits in the outbox
  });

  it('widens "due soon" with dueSoonDays and follows the given day', async () => {
    const wide = await ask('home.today', { today: '2026-03-04', dueSoonDays: 30 });
    expect(wide.dueSoon.map((t) => t.title)).toEqual(['alex-soon', 'alex-later']);
    const later = await ask('home.today', { today: '2026-03-06' });
    expect(later.overdue.map((t) => t.title)).toEqual(['alex-overdue', 'alex-soon']);
  });

  it('shows recent activity on my projects only', async () => {
    core.session.setCurrentUser(maria.userId);
    const other = core.projects.create({ name: 'Maria only' }).id;
    core.tasks.create({ title: 'elsewhere', projectId: other, assignedTo: maria.employeeId });
    core.session.setCurrentUser(alex.userId);
    core.tasks.update({ id: ids['alex-soon']!, status: 'in_progress' });

    const home = await ask('home.today', { today: '2026-03-04' });
    const subjects = home.activity.map((a) => a.subject);
    expect(subjects).toContain('alex-soon');
    expect(subjects).not.toContain('elsewhere');
    expect(subjects).not.toContain('Maria only');
    const statusChange = home.activity.find((a) => a.subject === 'alex-soon' && a.action === 'update');
    expect(statusChange?.fields).toContain('status');
    expect(statusChange?.actorName).toBe('Alex Morgan');
  });

  it('refuses a malformed day', async () => {
    const envelope = await dispatch(handlers, 'home.today', { today: '2026-02-30' });
    expect(envelope.ok).toBe(false);
    if (!envelope.ok) expect(envelope.error.code).toBe('VALIDATION');
  });
});

describe('home.workload', () => {
  it("measures each person's week against capacity, with overdue work carried into the week", async () => {
    expect(mondayOf('2026-03-04')).toBe('2026-03-02');
    expect(mondayOf('2026-03-08')).toBe('2026-03-02');
    const w = await ask('home.workload', { today: '2026-03-04' });
    expect([w.weekStart, w.weekEnd, w.capacityHours]).toEqual(['2026-03-02', '2026-03-08', 40]);
    const a = w.people.find((p) => p.employeeId === alex.employeeId)!;
    const m = w.people.find((p) => p.employeeId === maria.employeeId)!;
    expect(a).toMatchObject({ openCount: 3, overdueCount: 1, weekHours: 8, unestimatedCount: 0, managerId: null });
    expect(m).toMatchObject({ openCount: 3, overdueCount: 0, weekHours: 10, unestimatedCount: 1, managerId: alex.employeeId });
    expect(a.tasks.map((t) => t.title)).toEqual(['alex-overdue', 'alex-soon', 'alex-later']);
    expect(a.tasks[0]!.overdue).toBe(true);

    // Next week: only what is still late (due before that Monday) or scheduled there counts.
    const next = await ask('home.workload', { today: '2026-03-04', weekStart: '2026-03-09', chipsPerPerson: 1 });
    const a2 = next.people.find((p) => p.employeeId === alex.employeeId)!;
    expect(a2.weekHours).toBe(8); // alex-overdue and alex-soon are both due before 03-09
    expect(a2.tasks).toHaveLength(1);
  });

  it('moves hours with a reassignment', async () => {
    core.tasks.update({ id: ids['alex-soon']!, assignedTo: maria.employeeId });
    const w = await ask('home.workload', { today: '2026-03-04' });
    expect(w.people.find((p) => p.employeeId === alex.employeeId)!.weekHours).toBe(5);
    expect(w.people.find((p) => p.employeeId === maria.employeeId)!.weekHours).toBe(13);
  });
});

describe('palette.entities', () => {
  it('lists every task, project and active person', async () => {
    const e = await ask('palette.entities');
    expect(e.tasks).toHaveLength(core.tasks.count());
    expect(e.tasks.at(-1)!.status).toBe('done'); // open work first
    expect(e.projects.map((p) => p.name)).toEqual(['Website Relaunch']);
    expect(e.people.map((p) => p.name)).toEqual(['Alex Morgan', 'Maria Garcia']);
  });
});

describe('notification preferences', () => {
  it('default to on, change one type and channel, and keep other preference keys', async () => {
    core.users.update({ id: alex.userId, preferences: { density: 'compact' } });
    const defaults = await ask('users.notificationPrefs');
    expect(Object.values(defaults).every((p) => p.inApp && p.os)).toBe(true);

    const after = await ask('users.setNotificationPrefs', { type: 'task_commented', inApp: false });
    expect(after.task_commented).toEqual({ inApp: false, os: true });
    expect(after.task_assigned).toEqual({ inApp: true, os: true });
    const stored = core.users.get(alex.userId).preferences;
    expect(stored.density).toBe('compact');
    expect(stored.notifications).toMatchObject({ task_commented: { inApp: false, os: true } });
    expect((await ask('users.notificationPrefs')).task_commented.inApp).toBe(false);

    const bad = await dispatch(handlers, 'users.setNotificationPrefs', { type: 'nope', inApp: false });
    expect(bad.ok).toBe(false);
  });

  it('reads damaged stored preferences as "on"', async () => {
    core.users.update({ id: alex.userId, preferences: { notifications: { task_assigned: { inApp: 'no' }, system: 7 } } });
    const prefs = await ask('users.notificationPrefs');
    expect(prefs.task_assigned).toEqual({ inApp: true, os: true });
    expect(prefs.system).toEqual({ inApp: true, os: true });
  });
});

describe('retention', () => {
  it('previews what would go, and applies it', async () => {
    core.comments.add({ taskId: ids['alex-overdue']!, content: 'old news', userId: maria.userId });
    const old = '2025-10-01T00:00:00.000Z';
    core.db.prepare(`UPDATE notifications SET read = 1, read_at = ?, created_at = ?`).run(old, old);
    core.db.prepare('DELETE FROM sync_outbox').run(); // as if synced: retention never removes unsent rows

    const count = () => (core.db.prepare('SELECT count(*) AS n FROM notifications').get() as { n: number }).n;
    const total = count(); // Maria's assignment notifications and Alex's comment notification
    expect(total).toBeGreaterThan(1);

    const preview = await ask('retention.preview');
    expect(preview.applied).toBe(false);
    expect(preview.policies.find((p) => p.name === 'read-notifications')!.matched).toBe(total);
    expect(count()).toBe(total); // a dry run removes nothing

    const applied = await ask('retention.apply');
    expect(applied.removed).toBeGreaterThanOrEqual(total);
    expect(count()).toBe(0);
    expect((await ask('retention.preview')).policies.find((p) => p.name === 'read-notifications')!.matched).toBe(0);
  });
});
