import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { auditEntrySchema } from '../../../shared/entities';
import { manualClock, tempCore } from '../../support/core';

/** The audit trail: who changed which fields of users, projects and tasks, when, old → new. */

let clock: ReturnType<typeof manualClock>;
let core: ReturnType<typeof tempCore>;
let alexId: string;

const T0 = '2026-03-02T09:00:00.000Z';

beforeEach(() => {
  clock = manualClock(T0);
  core = tempCore({ clock });
  alexId = core.users.create({ username: 'alex', email: 'alex@example.com', fullName: 'Alex Morgan', role: 'coordinator' }).id;
  core.session.setCurrentUser(alexId);
});
afterEach(() => core.dispose());

const rowsFor = (table: string) =>
  core.db.prepare('SELECT entity_table, action FROM audit_log WHERE entity_table = ? ORDER BY created_at, id').all(table) as {
    entity_table: string;
    action: string;
  }[];

describe('the audit trail of tasks', () => {
  it('records creation with the actor, the time and every new value', () => {
    const task = core.tasks.create({ title: 'Write copy', priority: 'high', dueDate: '2026-03-10', estimatedHours: 3 });
    const [entry, ...rest] = core.tasks.history(task.id);
    expect(rest).toEqual([]);
    expect(auditEntrySchema.parse(entry)).toEqual(entry);
    expect(entry).toMatchObject({ entityTable: 'tasks', entityId: task.id, action: 'create', actorId: alexId, actorName: 'Alex Morgan', createdAt: T0 });
    expect(entry?.changes).toMatchObject({
      title: { old: null, new: 'Write copy' },
      priority: { old: null, new: 'high' },
      status: { old: null, new: 'todo' },
      due_date: { old: null, new: '2026-03-10' },
      estimated_hours: { old: null, new: 3 },
      created_by: { old: null, new: alexId },
    });
    // Bookkeeping columns are not part of the story.
    expect(Object.keys(entry?.changes ?? {})).not.toEqual(expect.arrayContaining(['id']));
    expect(entry?.changes).not.toHaveProperty('created_at');
    expect(entry?.changes).not.toHaveProperty('updated_at');
  });

  it('records each update with only the changed fields, old → new, newest first', () => {
    const task = core.tasks.create({ title: 'Write copy' });
    clock.advance(60_000);
    core.tasks.update({ id: task.id, status: 'in_progress', title: 'Write pricing copy' });
    clock.advance(60_000);
    core.tasks.update({ id: task.id, status: 'done' });
    const history = core.tasks.history(task.id);
    expect(history.map((h) => [h.action, h.createdAt])).toEqual([
      ['update', '2026-03-02T09:02:00.000Z'],
      ['update', '2026-03-02T09:01:00.000Z'],
      ['create', T0],
    ]);
    expect(history[1]?.changes).toEqual({ title: { old: 'Write copy', new: 'Write pricing copy' }, status: { old: 'todo', new: 'in_progress' } });
    expect(history[0]?.changes).toEqual({ status: { old: 'in_progress', new: 'done' }, completed_at: { old: null, new: '2026-03-02T09:02:00.000Z' } });
  });

  it('records who made each change', () => {
    const mariaId = core.users.create({ username: 'maria', email: 'maria@example.com', fullName: 'Maria Garcia' }).id;
    const task = core.tasks.create({ title: 'T' });
    core.session.setCurrentUser(mariaId);
    core.tasks.update({ id: task.id, priority: 'low' });
    expect(core.tasks.history(task.id).map((h) => h.actorName)).toEqual(['Maria Garcia', 'Alex Morgan']);
  });

  it('records deletion with the old values', () => {
    const task = core.tasks.create({ title: 'Gone soon', priority: 'urgent' });
    clock.advance(1000);
    core.tasks.delete(task.id);
    const [deletion] = core.tasks.history(task.id);
    expect(deletion).toMatchObject({ action: 'delete', actorId: alexId, createdAt: '2026-03-02T09:00:01.000Z' });
    expect(deletion?.changes).toMatchObject({ title: { old: 'Gone soon', new: null }, priority: { old: 'urgent', new: null } });
  });

  it('records nothing for an update that changes nothing', () => {
    const task = core.tasks.create({ title: 'Same' });
    core.tasks.update({ id: task.id, title: 'Same', status: 'todo' });
    expect(core.tasks.history(task.id)).toHaveLength(1);
  });

  it('records nothing for a refused change', () => {
    const task = core.tasks.create({ title: 'T' });
    expect(() => core.tasks.update({ id: task.id, title: '' })).toThrow(AppError);
    expect(() => core.tasks.update({ id: task.id, startTime: '2026-03-02T10:00:00Z', endTime: '2026-03-02T09:00:00Z' })).toThrow(AppError);
    expect(core.tasks.history(task.id)).toHaveLength(1);
  });

  it('records changes made before anyone signed in without an actor', () => {
    const fresh = tempCore({ clock });
    try {
      const task = fresh.tasks.create({ title: 'Anonymous' });
      expect(fresh.tasks.history(task.id)[0]).toMatchObject({ actorId: null, actorName: null });
    } finally {
      fresh.dispose();
    }
  });

  it('keeps at most the requested number of entries', () => {
    const task = core.tasks.create({ title: 'T' });
    for (let i = 1; i <= 5; i += 1) {
      clock.advance(1000);
      core.tasks.update({ id: task.id, estimatedHours: i });
    }
    const latest = core.audit.history('tasks', task.id, 2);
    expect(latest.map((h) => h.changes.estimated_hours?.new)).toEqual([5, 4]);
    expect(core.tasks.history(task.id)).toEqual(core.audit.history('tasks', task.id));
    expect(() => core.tasks.history('nope')).toThrow(AppError);
  });
});

describe('the audit trail of projects and users', () => {
  it('records project creation, edits and status moves', () => {
    const project = core.projects.create({ name: 'Office Move' });
    clock.advance(1000);
    core.projects.update({ id: project.id, deadline: '2026-06-30' });
    clock.advance(1000);
    core.projects.setStatus({ id: project.id, status: 'in_progress' });
    const history = core.audit.history('projects', project.id);
    expect(history.map((h) => h.action)).toEqual(['update', 'update', 'create']);
    expect(history[0]?.changes).toEqual({ status: { old: 'todo', new: 'in_progress' }, start_date: { old: null, new: '2026-03-02' } });
    expect(history[1]?.changes).toEqual({ deadline: { old: null, new: '2026-06-30' } });
    expect(history.every((h) => h.actorId === alexId)).toBe(true);
  });

  it('records user role and settings changes', () => {
    const user = core.users.create({ username: 'maria', email: 'maria@example.com', fullName: 'Maria Garcia' });
    clock.advance(1000);
    core.users.update({ id: user.id, role: 'admin', preferences: { theme: 'dark' } });
    const [update, creation] = core.audit.history('users', user.id);
    expect(creation?.action).toBe('create');
    expect(update).toMatchObject({ action: 'update', actorId: alexId, actorName: 'Alex Morgan' });
    expect(update?.changes).toEqual({ role: { old: 'member', new: 'admin' }, preferences: { old: '{}', new: '{"theme":"dark"}' } });
  });
});

describe('what the audit trail leaves out', () => {
  it('records nothing for comments, employees or notifications', () => {
    const mariaUser = core.users.create({ username: 'maria', email: 'maria@example.com', fullName: 'Maria Garcia' }).id;
    const employee = core.employees.create({ name: 'Maria Garcia', email: 'maria@example.com', userId: mariaUser });
    core.employees.update({ id: employee.id, position: 'Lead' });
    const task = core.tasks.create({ title: 'T', assignedTo: employee.id });
    const comment = core.comments.add({ taskId: task.id, content: 'hello' });
    core.comments.edit({ id: comment.id, content: 'hello again' });
    core.comments.delete(comment.id);
    // Maria heard about the assignment and the comment; neither is audited.
    expect(core.db.prepare('SELECT count(*) AS n FROM notifications').get()).toEqual({ n: 2 });
    expect(rowsFor('comments')).toEqual([]);
    expect(rowsFor('employees')).toEqual([]);
    expect(rowsFor('notifications')).toEqual([]);
    expect(rowsFor('tasks')).toEqual([{ entity_table: 'tasks', action: 'create' }]);
  });
});
