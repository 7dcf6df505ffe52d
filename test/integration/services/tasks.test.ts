import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { newId } from '../../../core/common/ids';
import type { Task } from '../../../shared/entities';
import { manualClock, tempCore } from '../../support/core';

/** Tasks: every field, the completion stamp, references, deletion and the filtered list. */

let clock: ReturnType<typeof manualClock>;
let core: ReturnType<typeof tempCore>;
let me: { userId: string; employeeId: string };
let maria: { userId: string; employeeId: string };
let projectId: string;

const T0 = '2026-03-02T09:00:00.000Z';

beforeEach(() => {
  clock = manualClock(T0);
  core = tempCore({ clock });
  me = person('alex', 'Alex Morgan');
  core.session.setCurrentUser(me.userId);
  maria = person('maria', 'Maria Garcia');
  projectId = core.projects.create({ name: 'Website Relaunch' }).id;
});
afterEach(() => core.dispose());

function person(username: string, fullName: string) {
  const user = core.users.create({ username, email: `${username}@example.com`, fullName });
  const employee = core.employees.create({ name: fullName, email: `${username}@example.com`, userId: user.id });
  return { userId: user.id, employeeId: employee.id };
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

const TABLES = ['users', 'employees', 'projects', 'tasks', 'comments', 'notifications', 'audit_log'];
const dump = () => Object.fromEntries(TABLES.map((t) => [t, core.db.prepare(`SELECT * FROM ${t} ORDER BY id`).all()]));

function expectRefused(fn: () => unknown, path: string, code = 'VALIDATION') {
  const before = dump();
  const error = caught(fn);
  expect(error.code).toBe(code);
  if (code === 'VALIDATION') expect(error.issues?.map((i) => i.path)).toContain(path);
  expect(dump()).toEqual(before);
}

describe('creating a task', () => {
  it('stores it with defaults, its creator and the clock’s time', () => {
    const task = core.tasks.create({ title: ' Write the launch checklist ' });
    expect(task).toEqual({
      id: expect.any(String),
      crmTaskId: null,
      projectId: null,
      title: 'Write the launch checklist',
      description: null,
      status: 'todo',
      priority: 'medium',
      assignedTo: null,
      createdBy: me.userId,
      startTime: null,
      endTime: null,
      dueDate: null,
      estimatedHours: null,
      actualHours: null,
      completedAt: null,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(core.tasks.getRow(task.id)).toEqual(task);
    expect(core.tasks.count()).toBe(1);
  });

  it('stores every field it is given', () => {
    const task = core.tasks.create({
      title: 'Set up redirects',
      description: 'All old URLs',
      projectId,
      status: 'in_progress',
      priority: 'urgent',
      assignedTo: maria.employeeId,
      dueDate: '2026-03-20',
      startTime: '2026-03-03T08:00:00.000Z',
      endTime: '2026-03-03T12:30:00.000Z',
      estimatedHours: 4.5,
      actualHours: 0,
    });
    expect(core.tasks.getRow(task.id)).toMatchObject({
      description: 'All old URLs',
      projectId,
      status: 'in_progress',
      priority: 'urgent',
      assignedTo: maria.employeeId,
      dueDate: '2026-03-20',
      startTime: '2026-03-03T08:00:00.000Z',
      endTime: '2026-03-03T12:30:00.000Z',
      estimatedHours: 4.5,
      actualHours: 0,
      completedAt: null,
    });
  });

  it('stamps completed_at when a task is created done', () => {
    expect(core.tasks.create({ title: 'Already done', status: 'done' }).completedAt).toBe(T0);
  });

  it('refuses an unknown project or assignee with NOT_FOUND and writes nothing', () => {
    expectRefused(() => core.tasks.create({ title: 'x', projectId: newId() }), 'projectId', 'NOT_FOUND');
    expectRefused(() => core.tasks.create({ title: 'x', assignedTo: newId() }), 'assignedTo', 'NOT_FOUND');
  });

  it('refuses an end time before the start time', () => {
    expectRefused(() => core.tasks.create({ title: 'x', startTime: '2026-03-03T12:00:00Z', endTime: '2026-03-03T11:59:59Z' }), 'endTime');
  });

  it('compares start and end as instants, whatever their offsets', () => {
    // 10:00+02:00 is 08:00Z: the end (09:00Z) is after the start.
    const task = core.tasks.create({ title: 'x', startTime: '2026-03-03T10:00:00+02:00', endTime: '2026-03-03T09:00:00Z' });
    expect(task.endTime).toBe('2026-03-03T09:00:00Z');
  });

  it.each([
    ['an empty title', { title: '' }, 'title'],
    ['a blank title', { title: '  \t ' }, 'title'],
    ['an overlong title', { title: 'x'.repeat(501) }, 'title'],
    ['an unknown status', { title: 'x', status: 'nope' }, 'status'],
    ['an unknown priority', { title: 'x', priority: 'asap' }, 'priority'],
    ['an impossible due date', { title: 'x', dueDate: '2026-02-30' }, 'dueDate'],
    ['a due date in another format', { title: 'x', dueDate: '02/03/2026' }, 'dueDate'],
    ['a start time that is not a date-time', { title: 'x', startTime: 'tomorrow' }, 'startTime'],
    ['negative estimated hours', { title: 'x', estimatedHours: -1 }, 'estimatedHours'],
    ['negative actual hours', { title: 'x', actualHours: -0.5 }, 'actualHours'],
    ['hours as text', { title: 'x', estimatedHours: '3' }, 'estimatedHours'],
    ['a non-UUID project id', { title: 'x', projectId: '12' }, 'projectId'],
    ['a non-UUID assignee', { title: 'x', assignedTo: 'maria' }, 'assignedTo'],
    ['an unknown extra key', { title: 'x', colour: 'red' }, '(root)'],
    ['a creator chosen by the caller', { title: 'x', createdBy: newId() }, '(root)'],
  ])('refuses %s and changes nothing', (_label, input, path) => {
    expectRefused(() => core.tasks.create(input), path);
  });
});

describe('updating a task', () => {
  let task: Task;
  beforeEach(() => {
    task = core.tasks.create({ title: 'Original', projectId });
    clock.advance(60_000);
  });

  const otherProject = () => core.projects.create({ name: 'Other' }).id;

  it.each<[string, () => Record<string, unknown>, keyof Task]>([
    ['title', () => ({ title: 'Renamed' }), 'title'],
    ['description', () => ({ description: 'Details' }), 'description'],
    ['project', () => ({ projectId: otherProject() }), 'projectId'],
    ['status', () => ({ status: 'testing' }), 'status'],
    ['priority', () => ({ priority: 'low' }), 'priority'],
    ['assignee', () => ({ assignedTo: maria.employeeId }), 'assignedTo'],
    ['due date', () => ({ dueDate: '2026-12-31' }), 'dueDate'],
    ['start time', () => ({ startTime: '2026-03-02T08:00:00.000Z' }), 'startTime'],
    ['end time', () => ({ endTime: '2026-03-02T17:00:00.000Z' }), 'endTime'],
    ['estimated hours', () => ({ estimatedHours: 12.5 }), 'estimatedHours'],
    ['actual hours', () => ({ actualHours: 3 }), 'actualHours'],
  ])('changes the %s alone and bumps updated_at', (_label, makePatch, field) => {
    const patch = makePatch();
    const updated = core.tasks.update({ id: task.id, ...patch });
    const value = Object.values(patch)[0];
    expect(updated[field]).toBe(value);
    expect(updated.updatedAt).toBe('2026-03-02T09:01:00.000Z');
    expect(core.tasks.getRow(task.id)).toEqual(updated);
    // Nothing else moved.
    const { [field]: _changed, updatedAt: _u, ...rest } = updated;
    const { [field]: _was, updatedAt: _u0, ...restBefore } = task;
    expect(rest).toEqual(restBefore);
  });

  it('clears optional fields with null', () => {
    core.tasks.update({ id: task.id, description: 'd', assignedTo: maria.employeeId, dueDate: '2026-04-01', estimatedHours: 2, actualHours: 1 });
    const cleared = core.tasks.update({ id: task.id, description: null, assignedTo: null, dueDate: null, estimatedHours: null, actualHours: null, projectId: null });
    expect(cleared).toMatchObject({ description: null, assignedTo: null, dueDate: null, estimatedHours: null, actualHours: null, projectId: null });
  });

  it('records hours with decimals and accepts zero', () => {
    expect(core.tasks.update({ id: task.id, estimatedHours: 0.25, actualHours: 0 })).toMatchObject({ estimatedHours: 0.25, actualHours: 0 });
  });

  it('stamps completed_at when the task is done and clears it when it is reopened', () => {
    clock.set('2026-03-05T16:45:00.000Z');
    expect(core.tasks.update({ id: task.id, status: 'done' }).completedAt).toBe('2026-03-05T16:45:00.000Z');
    clock.set('2026-03-06T08:00:00.000Z');
    // Saying "done" again does not move the completion time.
    expect(core.tasks.update({ id: task.id, status: 'done', title: 'Done again' }).completedAt).toBe('2026-03-05T16:45:00.000Z');
    const reopened = core.tasks.update({ id: task.id, status: 'awaiting_feedback' });
    expect(reopened.completedAt).toBeNull();
    expect(core.tasks.getRow(task.id).completedAt).toBeNull();
  });

  it('leaves completed_at empty between open statuses', () => {
    for (const status of ['in_progress', 'testing', 'awaiting_feedback', 'todo'] as const) {
      expect(core.tasks.update({ id: task.id, status }).completedAt).toBeNull();
    }
  });

  it('assigns, reassigns and unassigns', () => {
    const kenji = core.employees.create({ name: 'Kenji Tanaka', email: 'kenji@example.com' });
    expect(core.tasks.update({ id: task.id, assignedTo: maria.employeeId }).assignedTo).toBe(maria.employeeId);
    expect(core.tasks.update({ id: task.id, assignedTo: kenji.id }).assignedTo).toBe(kenji.id);
    expect(core.tasks.update({ id: task.id, assignedTo: null }).assignedTo).toBeNull();
  });

  it('refuses to assign a deactivated employee', () => {
    const gone = core.employees.create({ name: 'Gone', email: 'gone@example.com' });
    core.employees.deactivate(gone.id);
    expectRefused(() => core.tasks.update({ id: task.id, assignedTo: gone.id }), 'assignedTo');
    expectRefused(() => core.tasks.create({ title: 'new', assignedTo: gone.id }), 'assignedTo');
  });

  it('checks the time order against the stored start and end times', () => {
    core.tasks.update({ id: task.id, startTime: '2026-03-03T09:00:00.000Z' });
    expectRefused(() => core.tasks.update({ id: task.id, endTime: '2026-03-03T08:00:00.000Z' }), 'endTime');
    core.tasks.update({ id: task.id, endTime: '2026-03-03T09:00:00.000Z' });
    expectRefused(() => core.tasks.update({ id: task.id, startTime: '2026-03-03T10:00:00.000Z' }), 'endTime');
    // Clearing the end lifts the constraint.
    expect(core.tasks.update({ id: task.id, endTime: null, startTime: '2026-03-03T10:00:00.000Z' }).startTime).toBe('2026-03-03T10:00:00.000Z');
  });

  it('returns the task unchanged, without touching updated_at, when nothing really changes', () => {
    expect(core.tasks.update({ id: task.id, title: 'Original', projectId })).toEqual(task);
  });

  it('refuses an unknown task, project or assignee with NOT_FOUND', () => {
    expectRefused(() => core.tasks.update({ id: newId(), title: 'x' }), 'id', 'NOT_FOUND');
    expectRefused(() => core.tasks.update({ id: task.id, projectId: newId() }), 'projectId', 'NOT_FOUND');
    expectRefused(() => core.tasks.update({ id: task.id, assignedTo: newId() }), 'assignedTo', 'NOT_FOUND');
  });

  it.each([
    ['a non-UUID id', { id: 'abc' }, 'id'],
    ['an empty title', { title: '' }, 'title'],
    ['an unknown status', { status: 'blocked' }, 'status'],
    ['an impossible date', { dueDate: '2026-04-31' }, 'dueDate'],
    ['negative hours', { actualHours: -2 }, 'actualHours'],
    ['an unknown extra key', { completedAt: T0 }, '(root)'],
  ])('refuses %s and changes nothing', (_label, input, path) => {
    expectRefused(() => core.tasks.update({ id: task.id, ...input }), path);
  });
});

describe('deleting a task', () => {
  it('removes the task and its comments, through the write path', () => {
    const task = core.tasks.create({ title: 'Doomed', projectId });
    const keep = core.tasks.create({ title: 'Kept' });
    core.comments.add({ taskId: task.id, content: 'one' });
    core.comments.add({ taskId: task.id, content: 'two' });
    core.comments.add({ taskId: keep.id, content: 'stays' });
    const heard: string[] = [];
    core.onChanges((changes) => heard.push(...changes.map((c) => `${c.table}:${c.op}`)));
    expect(core.tasks.delete(task.id)).toEqual({ id: task.id });
    expect(core.db.prepare('SELECT id FROM tasks').all()).toEqual([{ id: keep.id }]);
    expect(core.comments.list({ taskId: keep.id }).map((c) => c.content)).toEqual(['stays']);
    expect(core.db.prepare('SELECT count(*) AS n FROM comments WHERE task_id = ?').get(task.id)).toEqual({ n: 0 });
    // Every removed row was seen by the hooks, comments before their task.
    expect(heard).toEqual(['comments:delete', 'comments:delete', 'tasks:delete']);
    expect(core.tasks.history(task.id)[0]?.action).toBe('delete');
  });

  it('refuses an unknown task with NOT_FOUND and a bad id with VALIDATION', () => {
    expectRefused(() => core.tasks.delete(newId()), 'id', 'NOT_FOUND');
    expectRefused(() => core.tasks.delete('12'), '(root)');
  });
});

describe('reading one task', () => {
  it('gives its project and assignee names, comment count and comments in order', () => {
    const task = core.tasks.create({ title: 'Detail', projectId, assignedTo: maria.employeeId });
    core.comments.add({ taskId: task.id, content: 'first' });
    core.comments.add({ taskId: task.id, content: 'second', userId: maria.userId });
    const detail = core.tasks.get(task.id);
    expect(detail).toMatchObject({ id: task.id, projectName: 'Website Relaunch', assigneeName: 'Maria Garcia', commentCount: 2 });
    expect(detail.comments.map((c) => [c.commentOrder, c.content, c.authorName])).toEqual([
      [1, 'first', 'Alex Morgan'],
      [2, 'second', 'Maria Garcia'],
    ]);
  });

  it('refuses a bad id and reports an unknown one', () => {
    expectRefused(() => core.tasks.get('x'), '(root)');
    expect(caught(() => core.tasks.get(newId())).code).toBe('NOT_FOUND');
    expect(caught(() => core.tasks.getRow(newId())).code).toBe('NOT_FOUND');
  });
});

describe('listing tasks', () => {
  const titles = (filter?: unknown) => core.tasks.list(filter).map((t) => t.title);
  let other: string;

  beforeEach(() => {
    other = core.projects.create({ name: 'Office Move' }).id;
  });

  it('lists everything without a filter, with project, assignee and comment count', () => {
    const t = core.tasks.create({ title: 'A', projectId, assignedTo: me.employeeId });
    core.comments.add({ taskId: t.id, content: 'hi' });
    core.tasks.create({ title: 'B' });
    const list = core.tasks.list();
    expect(list.map((x) => x.title).sort()).toEqual(['A', 'B']);
    expect(list.find((x) => x.title === 'A')).toMatchObject({ projectName: 'Website Relaunch', assigneeName: 'Alex Morgan', commentCount: 1 });
    expect(list.find((x) => x.title === 'B')).toMatchObject({ projectName: null, assigneeName: null, commentCount: 0 });
    expect(core.tasks.list(undefined)).toHaveLength(2);
  });

  it('filters by project', () => {
    core.tasks.create({ title: 'site', projectId });
    core.tasks.create({ title: 'move', projectId: other });
    core.tasks.create({ title: 'loose' });
    expect(titles({ projectId })).toEqual(['site']);
    expect(titles({ projectId: other })).toEqual(['move']);
  });

  it('filters by one status or several', () => {
    for (const status of ['todo', 'in_progress', 'testing', 'done'] as const) core.tasks.create({ title: status, status });
    expect(titles({ status: 'testing' })).toEqual(['testing']);
    expect(titles({ status: ['todo', 'done'] }).sort()).toEqual(['done', 'todo']);
    expect(titles({ status: [] }).sort()).toEqual(['done', 'in_progress', 'testing', 'todo']);
  });

  it('filters by assignee, and by “mine” for the signed-in user’s employee', () => {
    core.tasks.create({ title: 'for me', assignedTo: me.employeeId });
    core.tasks.create({ title: 'for maria', assignedTo: maria.employeeId });
    core.tasks.create({ title: 'for nobody' });
    expect(titles({ assignedTo: maria.employeeId })).toEqual(['for maria']);
    expect(titles({ mine: true })).toEqual(['for me']);
    expect(titles({ mine: false }).sort()).toEqual(['for maria', 'for me', 'for nobody']);
    core.session.setCurrentUser(maria.userId);
    expect(titles({ mine: true })).toEqual(['for maria']);
  });

  it('shows nothing as “mine” to a user without an employee record', () => {
    core.tasks.create({ title: 'for me', assignedTo: me.employeeId });
    const visitor = core.users.create({ username: 'visitor', email: 'v@example.com', fullName: 'Visitor' });
    core.session.setCurrentUser(visitor.id);
    expect(titles({ mine: true })).toEqual([]);
  });

  it('filters by one priority or several', () => {
    for (const priority of ['low', 'medium', 'high', 'urgent'] as const) core.tasks.create({ title: priority, priority });
    expect(titles({ priority: 'high' })).toEqual(['high']);
    expect(titles({ priority: ['low', 'urgent'] })).toEqual(['urgent', 'low']);
  });

  it('filters by due date strictly before a day, leaving out tasks without one', () => {
    core.tasks.create({ title: 'early', dueDate: '2026-03-01' });
    core.tasks.create({ title: 'on the day', dueDate: '2026-03-10' });
    core.tasks.create({ title: 'late', dueDate: '2026-04-01' });
    core.tasks.create({ title: 'undated' });
    expect(titles({ dueBefore: '2026-03-10' })).toEqual(['early']);
    expect(titles({ dueBefore: '2026-03-11' })).toEqual(['early', 'on the day']);
  });

  it('searches title, description, project name and assignee name, ignoring case', () => {
    core.tasks.create({ title: 'Redirects', description: 'old URLs' });
    core.tasks.create({ title: 'Desks', projectId: other });
    core.tasks.create({ title: 'Hero image', assignedTo: maria.employeeId });
    core.tasks.create({ title: 'Unrelated' });
    expect(titles({ text: 'redirect' })).toEqual(['Redirects']);
    expect(titles({ text: 'URLS' })).toEqual(['Redirects']);
    expect(titles({ text: 'office' })).toEqual(['Desks']);
    expect(titles({ text: 'garcia' })).toEqual(['Hero image']);
    expect(titles({ text: '   ' })).toHaveLength(4);
  });

  it('treats % and _ in the search text literally, not as wildcards', () => {
    core.tasks.create({ title: 'Reach 100% coverage' });
    core.tasks.create({ title: 'Reach 100 percent uptime' });
    core.tasks.create({ title: 'Rename user_id column' });
    core.tasks.create({ title: 'Rename userXid column' });
    core.tasks.create({ title: 'Path C:\\temp cleanup' });
    expect(titles({ text: '%' })).toEqual(['Reach 100% coverage']);
    expect(titles({ text: '100%' })).toEqual(['Reach 100% coverage']);
    expect(titles({ text: 'user_id' })).toEqual(['Rename user_id column']);
    expect(titles({ text: '_' })).toEqual(['Rename user_id column']);
    expect(titles({ text: 'C:\\temp' })).toEqual(['Path C:\\temp cleanup']);
  });

  it('combines filters with AND', () => {
    core.tasks.create({ title: 'match', projectId, status: 'todo', priority: 'high', assignedTo: maria.employeeId });
    core.tasks.create({ title: 'wrong priority', projectId, status: 'todo', priority: 'low', assignedTo: maria.employeeId });
    core.tasks.create({ title: 'wrong project', projectId: other, status: 'todo', priority: 'high', assignedTo: maria.employeeId });
    core.tasks.create({ title: 'wrong status', projectId, status: 'done', priority: 'high', assignedTo: maria.employeeId });
    expect(titles({ projectId, status: ['todo', 'in_progress'], priority: 'high', assignedTo: maria.employeeId })).toEqual(['match']);
  });

  it('orders open before done, then by priority, then by due date (undated last), then newest first', () => {
    const create = (title: string, extra: Record<string, unknown>) => {
      clock.advance(1000);
      core.tasks.create({ title, ...extra });
    };
    create('done urgent', { status: 'done', priority: 'urgent', dueDate: '2026-03-01' });
    create('low', { priority: 'low' });
    create('high later', { priority: 'high', dueDate: '2026-04-01' });
    create('high sooner', { priority: 'high', dueDate: '2026-03-05' });
    create('high undated older', { priority: 'high' });
    create('high undated newer', { priority: 'high' });
    create('urgent', { priority: 'urgent', dueDate: '2026-12-01' });
    create('medium', { priority: 'medium', status: 'testing' });
    expect(titles()).toEqual(['urgent', 'high sooner', 'high later', 'high undated newer', 'high undated older', 'medium', 'low', 'done urgent']);
  });

  it('pages with limit and offset over the same order', () => {
    for (let i = 0; i < 7; i += 1) {
      clock.advance(1000);
      core.tasks.create({ title: `t${i}` });
    }
    const all = titles();
    expect(all).toEqual(['t6', 't5', 't4', 't3', 't2', 't1', 't0']);
    expect(titles({ limit: 3 })).toEqual(all.slice(0, 3));
    expect(titles({ limit: 3, offset: 3 })).toEqual(all.slice(3, 6));
    expect(titles({ limit: 3, offset: 6 })).toEqual(all.slice(6));
    expect(titles({ offset: 10 })).toEqual([]);
  });

  it.each([
    ['an unknown status', { status: 'nope' }, 'status'],
    ['an unknown status in a list', { status: ['todo', 'nope'] }, 'status'],
    ['a zero limit', { limit: 0 }, 'limit'],
    ['a negative offset', { offset: -1 }, 'offset'],
    ['an impossible date', { dueBefore: '2026-02-29' }, 'dueBefore'],
    ['a non-UUID project', { projectId: 'p' }, 'projectId'],
    ['an unknown key', { sort: 'title' }, '(root)'],
  ])('refuses %s', (_label, filter, path) => {
    const error = caught(() => core.tasks.list(filter));
    expect(error.code).toBe('VALIDATION');
    expect(error.issues?.map((i) => i.path)).toContain(path);
  });
});
