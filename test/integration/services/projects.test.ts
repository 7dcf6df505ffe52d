import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { newId } from '../../../core/common/ids';
import { PROJECT_STATUSES, PROJECT_STATUS_TRANSITIONS, type ProjectStatus } from '../../../shared/enums';
import { manualClock, tempCore } from '../../support/core';

/** Projects: creation, editing, the status workflow and the summaries the overview shows. */

let clock: ReturnType<typeof manualClock>;
let core: ReturnType<typeof tempCore>;

beforeEach(() => {
  clock = manualClock('2026-03-02T09:00:00.000Z');
  core = tempCore({ clock });
});
afterEach(() => core.dispose());

function signIn() {
  const user = core.users.create({ username: 'alex', email: 'alex@example.com', fullName: 'Alex Morgan', role: 'coordinator' });
  core.session.setCurrentUser(user.id);
  return user;
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

/** The call fails with VALIDATION naming `path`, and the database is exactly as before. */
function expectRefused(fn: () => unknown, path: string) {
  const before = dump();
  const error = caught(fn);
  expect(error.code).toBe('VALIDATION');
  expect(error.issues?.map((i) => i.path)).toContain(path);
  expect(dump()).toEqual(before);
}

describe('creating a project', () => {
  it('stores it with defaults, its creator and the clock’s time', () => {
    const user = signIn();
    const project = core.projects.create({ name: '  Website Relaunch  ', description: 'New site', deadline: '2026-04-30' });
    expect(project).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/),
      crmProjectId: null,
      name: 'Website Relaunch',
      description: 'New site',
      status: 'todo',
      startDate: null,
      endDate: null,
      deadline: '2026-04-30',
      createdBy: user.id,
      createdAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-02T09:00:00.000Z',
    });
    expect(core.projects.getRow(project.id)).toEqual(project);
  });

  it('accepts an initial status and all dates', () => {
    const project = core.projects.create({ name: 'P', status: 'on_hold', startDate: '2026-01-01', endDate: '2026-02-01', deadline: '2026-02-01' });
    expect(project).toMatchObject({ status: 'on_hold', startDate: '2026-01-01', endDate: '2026-02-01', createdBy: null });
  });

  it('refuses an end date before the start date', () => {
    expectRefused(() => core.projects.create({ name: 'P', startDate: '2026-03-10', endDate: '2026-03-01' }), 'endDate');
  });

  it.each([
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['an overlong name', { name: 'x'.repeat(201) }, 'name'],
    ['an unknown status', { name: 'P', status: 'archived' }, 'status'],
    ['an impossible date', { name: 'P', deadline: '2026-02-30' }, 'deadline'],
    ['a date-time where a date belongs', { name: 'P', startDate: '2026-03-01T10:00:00Z' }, 'startDate'],
    ['an unknown extra key', { name: 'P', budget: 100 }, '(root)'],
  ])('refuses %s and changes nothing', (_label, input, path) => {
    expectRefused(() => core.projects.create(input), path);
  });
});

describe('updating a project', () => {
  it('changes the given fields, keeps the others, clears with null and bumps updated_at', () => {
    const project = core.projects.create({ name: 'P', description: 'd', startDate: '2026-03-01', deadline: '2026-05-01' });
    clock.advance(3_600_000);
    const updated = core.projects.update({ id: project.id, name: 'P2', description: null, endDate: '2026-04-01' });
    expect(updated).toMatchObject({
      name: 'P2',
      description: null,
      startDate: '2026-03-01',
      endDate: '2026-04-01',
      deadline: '2026-05-01',
      createdAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-02T10:00:00.000Z',
    });
  });

  it('checks the date order against the stored start date', () => {
    const project = core.projects.create({ name: 'P', startDate: '2026-03-10' });
    expectRefused(() => core.projects.update({ id: project.id, endDate: '2026-03-09' }), 'endDate');
    expect(core.projects.update({ id: project.id, endDate: '2026-03-10' }).endDate).toBe('2026-03-10');
  });

  it('leaves updated_at alone when nothing really changes', () => {
    const project = core.projects.create({ name: 'P' });
    clock.advance(60_000);
    expect(core.projects.update({ id: project.id, name: 'P' }).updatedAt).toBe(project.updatedAt);
  });

  it('refuses an unknown project with NOT_FOUND', () => {
    expect(caught(() => core.projects.update({ id: newId(), name: 'x' })).code).toBe('NOT_FOUND');
  });

  it.each([
    ['a non-UUID id', { id: '42', name: 'x' }, 'id'],
    ['an empty name', { name: '' }, 'name'],
    ['an impossible date', { endDate: '2026-13-01' }, 'endDate'],
    ['a status (which has its own workflow)', { status: 'done' }, '(root)'],
  ])('refuses %s and changes nothing', (_label, input, path) => {
    const project = core.projects.create({ name: 'P' });
    expectRefused(() => core.projects.update({ id: project.id, ...input }), path);
  });
});

describe('the project status workflow', () => {
  const pairs = PROJECT_STATUSES.flatMap((from) => PROJECT_STATUSES.filter((to) => to !== from).map((to) => [from, to] as [ProjectStatus, ProjectStatus]));
  const allowed = pairs.filter(([from, to]) => PROJECT_STATUS_TRANSITIONS[from].includes(to));
  const refused = pairs.filter(([from, to]) => !PROJECT_STATUS_TRANSITIONS[from].includes(to));

  it('allows the moves a coordinator makes and refuses the rest', () => {
    expect(allowed.map(([a, b]) => `${a}→${b}`)).toEqual([
      'todo→in_progress',
      'todo→on_hold',
      'todo→cancelled',
      'in_progress→on_hold',
      'in_progress→done',
      'in_progress→cancelled',
      'on_hold→in_progress',
      'on_hold→cancelled',
      'done→in_progress',
      'cancelled→todo',
    ]);
  });

  it.each(allowed)('moves a project from %s to %s', (from, to) => {
    const project = core.projects.create({ name: 'P', status: from });
    expect(core.projects.setStatus({ id: project.id, status: to }).status).toBe(to);
    expect(core.projects.getRow(project.id).status).toBe(to);
  });

  it.each(refused)('refuses to move a project from %s to %s with INVALID_TRANSITION', (from, to) => {
    const project = core.projects.create({ name: 'P', status: from });
    const before = dump();
    const error = caught(() => core.projects.setStatus({ id: project.id, status: to }));
    expect(error.code).toBe('INVALID_TRANSITION');
    expect(error.message).toMatch(/cannot become/);
    expect(error.message).toMatch(/it can become: /);
    expect(dump()).toEqual(before);
  });

  it('explains the refusal in the words of the UI', () => {
    const project = core.projects.create({ name: 'P' });
    expect(caught(() => core.projects.setStatus({ id: project.id, status: 'done' })).message).toBe(
      'A project that is Not started cannot become Finished; it can become: In progress, On hold, Cancelled',
    );
  });

  it('treats setting the current status as a no-op', () => {
    const project = core.projects.create({ name: 'P', status: 'in_progress', startDate: '2026-01-01' });
    clock.advance(60_000);
    const auditBefore = core.audit.history('projects', project.id).length;
    expect(core.projects.setStatus({ id: project.id, status: 'in_progress' })).toEqual(project);
    expect(core.audit.history('projects', project.id)).toHaveLength(auditBefore);
  });

  it('stamps today as end date when a project is finished', () => {
    const project = core.projects.create({ name: 'P', status: 'in_progress', startDate: '2026-01-01' });
    clock.set('2026-03-20T23:30:00.000Z');
    expect(core.projects.setStatus({ id: project.id, status: 'done' })).toMatchObject({ status: 'done', endDate: '2026-03-20', startDate: '2026-01-01' });
  });

  it('keeps an end date that was already set when finishing', () => {
    const project = core.projects.create({ name: 'P', status: 'in_progress', endDate: '2026-02-15' });
    expect(core.projects.setStatus({ id: project.id, status: 'done' }).endDate).toBe('2026-02-15');
  });

  it('stamps today as start date when work starts without one', () => {
    const project = core.projects.create({ name: 'P' });
    expect(core.projects.setStatus({ id: project.id, status: 'in_progress' }).startDate).toBe('2026-03-02');
  });

  it('refuses an unknown status, a bad id and an unknown project', () => {
    const project = core.projects.create({ name: 'P' });
    expectRefused(() => core.projects.setStatus({ id: project.id, status: 'archived' }), 'status');
    expectRefused(() => core.projects.setStatus({ id: 'nope', status: 'done' }), 'id');
    expect(caught(() => core.projects.setStatus({ id: newId(), status: 'done' })).code).toBe('NOT_FOUND');
  });
});

describe('project summaries', () => {
  function task(projectId: string, status: string, dueDate: string | null = null) {
    return core.tasks.create({ title: `${status} task`, projectId, status, dueDate });
  }

  it('count tasks by status, total, progress and overdue (open and due before today)', () => {
    const project = core.projects.create({ name: 'P' });
    task(project.id, 'todo', '2026-03-01'); // overdue
    task(project.id, 'todo', '2026-03-02'); // due today: not overdue
    task(project.id, 'in_progress', '2026-02-01'); // overdue
    task(project.id, 'testing');
    task(project.id, 'awaiting_feedback', '2026-04-01');
    task(project.id, 'done', '2026-01-01'); // done: never overdue
    const summary = core.projects.get(project.id);
    expect(summary.taskCounts).toEqual({ todo: 2, in_progress: 1, testing: 1, awaiting_feedback: 1, done: 1 });
    expect(summary.totalTasks).toBe(6);
    expect(summary.progress).toBe(17);
    expect(summary.overdueTasks).toBe(2);
  });

  it('use the clock for overdue', () => {
    const project = core.projects.create({ name: 'P' });
    task(project.id, 'todo', '2026-03-05');
    expect(core.projects.get(project.id).overdueTasks).toBe(0);
    clock.set('2026-03-06T00:00:00.000Z');
    expect(core.projects.get(project.id).overdueTasks).toBe(1);
  });

  it('round progress to whole percent and show 0 for an empty project', () => {
    const empty = core.projects.create({ name: 'Empty' });
    const thirds = core.projects.create({ name: 'Thirds' });
    task(thirds.id, 'done');
    task(thirds.id, 'done');
    task(thirds.id, 'todo');
    expect(core.projects.get(empty.id)).toMatchObject({ totalTasks: 0, progress: 0, overdueTasks: 0, taskCounts: { todo: 0, in_progress: 0, testing: 0, awaiting_feedback: 0, done: 0 } });
    expect(core.projects.get(thirds.id).progress).toBe(67);
  });

  it('do not count tasks of other projects or without a project', () => {
    const a = core.projects.create({ name: 'A' });
    const b = core.projects.create({ name: 'B' });
    task(a.id, 'todo');
    task(b.id, 'done');
    core.tasks.create({ title: 'loose' });
    expect(core.projects.get(a.id)).toMatchObject({ totalTasks: 1, progress: 0 });
    expect(core.projects.get(b.id)).toMatchObject({ totalTasks: 1, progress: 100 });
  });

  it('list every project: active ones first, then by deadline (none last), then by name', () => {
    core.projects.create({ name: 'Finished', status: 'done' });
    core.projects.create({ name: 'Zeta', status: 'in_progress', deadline: '2026-06-01' });
    core.projects.create({ name: 'Alpha', status: 'in_progress' });
    core.projects.create({ name: 'Beta', status: 'in_progress', deadline: '2026-04-01' });
    core.projects.create({ name: 'Planned', status: 'todo' });
    core.projects.create({ name: 'Paused', status: 'on_hold' });
    core.projects.create({ name: 'Dropped', status: 'cancelled' });
    expect(core.projects.list().map((p) => p.name)).toEqual(['Beta', 'Zeta', 'Alpha', 'Planned', 'Paused', 'Finished', 'Dropped']);
  });

  it('list with the same numbers as get', () => {
    const project = core.projects.create({ name: 'P' });
    task(project.id, 'done');
    task(project.id, 'todo', '2026-01-01');
    expect(core.projects.list()).toEqual([core.projects.get(project.id)]);
  });

  it('refuse a bad id and report an unknown one', () => {
    expectRefused(() => core.projects.get('not-a-uuid'), '(root)');
    expect(caught(() => core.projects.get(newId())).code).toBe('NOT_FOUND');
    expect(caught(() => core.projects.getRow(newId())).code).toBe('NOT_FOUND');
  });
});

describe('finding a project by name', () => {
  it('ignores case and returns null when there is none', () => {
    const project = core.projects.create({ name: 'Office Move' });
    expect(core.projects.findByName('office move')?.id).toBe(project.id);
    expect(core.projects.findByName('Office')).toBeNull();
  });
});

describe('unique names among active projects (issue 12 §6)', () => {
  it('refuses a name an active project has, in any case or spacing, and leaves the database as it was', () => {
    core.projects.create({ name: 'Website Relaunch' });
    for (const name of ['Website Relaunch', 'website relaunch', '  WEBSITE RELAUNCH ']) {
      const before = dump();
      const error = caught(() => core.projects.create({ name }));
      expect(error.code).toBe('CONFLICT');
      expect(error.issues).toEqual([{ path: 'name', message: 'is already used by an active project' }]);
      expect(dump()).toEqual(before);
    }
  });

  it('lets a finished or cancelled project keep its name while a new one takes it, and refuses to reopen the old one', () => {
    const old = core.projects.create({ name: 'Audit', status: 'done' });
    expect(old).toMatchObject({ status: 'done', endDate: '2026-03-02' });
    const current = core.projects.create({ name: 'audit' });
    expect(caught(() => core.projects.setStatus({ id: old.id, status: 'in_progress' })).code).toBe('CONFLICT');
    const other = core.projects.create({ name: 'Other' });
    expect(caught(() => core.projects.update({ id: other.id, name: 'AUDIT' })).code).toBe('CONFLICT');
    expect(core.projects.update({ id: current.id, name: 'Audit' }).name).toBe('Audit'); // renaming itself is fine
    expect(core.projects.duplicateActiveNames()).toEqual([]);
  });

  it('finds duplicates that arrived without the service (a sync) instead of failing on them', () => {
    core.projects.create({ name: 'Intranet' });
    const second = core.projects.create({ name: 'Intranet 2' });
    core.db.prepare('UPDATE projects SET name = ? WHERE id = ?').run('INTRANET', second.id);
    expect(core.projects.duplicateActiveNames()).toEqual([{ name: 'Intranet', count: 2 }]);
  });
});
