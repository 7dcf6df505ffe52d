import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { DEMO_PEOPLE, DEMO_PROJECTS } from '../../../core/demo/demo-data';
import { manualClock, tempCore } from '../../support/core';

/** The demo organisation: realistic, deterministic, loaded through the services, only into an empty replica. */

let clock: ReturnType<typeof manualClock>;
let core: ReturnType<typeof tempCore>;

beforeEach(() => {
  clock = manualClock('2026-03-02T09:00:00.000Z');
  core = tempCore({ clock });
});
afterEach(() => core.dispose());

const count = (table: string) => (core.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('seeding the demo organisation', () => {
  it('creates twelve people, five projects, about sixty tasks and some comments, and says so', () => {
    expect(core.isEmpty()).toBe(true);
    const result = core.demo.seed();
    const expectedTasks = DEMO_PROJECTS.reduce((n, p) => n + p.tasks.length, 0);
    expect(result).toEqual({ employees: 12, projects: 5, tasks: expectedTasks, comments: expect.any(Number) });
    expect(expectedTasks).toBeGreaterThanOrEqual(45);
    expect(expectedTasks).toBeLessThanOrEqual(75);
    expect(result.comments).toBeGreaterThan(10);
    expect({ users: count('users'), employees: count('employees'), projects: count('projects'), tasks: count('tasks'), comments: count('comments') }).toEqual({
      users: 12,
      employees: 12,
      projects: 5,
      tasks: expectedTasks,
      comments: result.comments,
    });
    expect(core.isEmpty()).toBe(false);
  });

  it('signs in as the first demo person, a coordinator with an employee record', () => {
    core.demo.seed();
    const me = core.users.current();
    expect(me).toMatchObject({ fullName: DEMO_PEOPLE[0]?.name, role: 'coordinator' });
    expect(core.currentEmployeeId()).toBe(core.employees.findByName(DEMO_PEOPLE[0]?.name ?? '')?.id);
    expect(core.tasks.list({ mine: true }).length).toBeGreaterThan(0);
  });

  it('links every employee to a user and builds the reporting hierarchy', () => {
    core.demo.seed();
    const employees = core.employees.list();
    expect(employees.every((e) => e.userId !== null && e.isActive)).toBe(true);
    const helen = core.employees.findByName('Helen Park');
    const kenji = core.employees.findByName('Kenji Tanaka');
    expect(helen?.managerId).toBeNull();
    expect(core.employees.chain(kenji?.id).map((e) => e.name)).toEqual(['Alex Morgan', 'Helen Park']);
    expect(core.employees.reports(helen?.id)).toHaveLength(11);
    expect(core.users.findByName('Helen Park')?.role).toBe('admin');
  });

  it('moves the projects along their workflow, stamping dates', () => {
    core.demo.seed();
    const byName = Object.fromEntries(core.projects.list().map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(DEMO_PROJECTS.map((p) => p.name).sort());
    expect(byName['Website Relaunch']?.status).toBe('in_progress');
    expect(byName['Office Move']?.status).toBe('todo');
    expect(byName['Q3 Marketing Campaign']).toMatchObject({ status: 'done', endDate: '2026-03-02' });
    for (const project of Object.values(byName)) {
      expect(project.totalTasks).toBe(DEMO_PROJECTS.find((p) => p.name === project.name)?.tasks.length);
      expect(project.deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('makes tasks that obey every rule: team assignees, completion stamps, valid hours, ordered comments', () => {
    core.demo.seed();
    const tasks = core.tasks.list({ limit: 10_000 });
    const statuses = new Set(tasks.map((t) => t.status));
    expect(statuses.size).toBeGreaterThanOrEqual(4);
    expect(tasks.some((t) => t.assignedTo === null)).toBe(true);
    for (const task of tasks) {
      expect(task.projectId).not.toBeNull();
      expect(task.completedAt !== null).toBe(task.status === 'done');
      expect(task.estimatedHours).toBeGreaterThan(0);
      if (task.status === 'todo') expect(task.actualHours).toBeNull();
      if (task.assignedTo) {
        const team = DEMO_PROJECTS.find((p) => p.name === task.projectName)?.team ?? [];
        expect(team).toContain(task.assigneeName);
      }
    }
    for (const task of tasks.filter((t) => t.commentCount > 0)) {
      expect(core.comments.list({ taskId: task.id }).map((c) => c.commentOrder)).toEqual(Array.from({ length: task.commentCount }, (_, i) => i + 1));
    }
    // Some work is overdue, so the overview has something to show.
    expect(core.projects.list().some((p) => p.overdueTasks > 0)).toBe(true);
  });

  it('goes through the write path: people sign up first, then everything else is done by the signed-in coordinator', () => {
    const batches: number[] = [];
    core.onChanges((changes) => batches.push(changes.length));
    const result = core.demo.seed();
    expect(batches).toHaveLength(2);
    expect(batches[0]).toBe(result.employees);
    expect(batches[1]).toBeGreaterThan(result.tasks + result.comments);
    const me = core.users.current();
    expect(me?.fullName).toBe('Alex Morgan');
    const taskAudits = core.db.prepare("SELECT actor_id FROM audit_log WHERE entity_table = 'tasks' AND action = 'create'").all() as { actor_id: string | null }[];
    expect(taskAudits).toHaveLength(result.tasks);
    expect(new Set(taskAudits.map((a) => a.actor_id))).toEqual(new Set([me?.id]));
  });

  it('is the same organisation every time', () => {
    const first = core.demo.seed();
    const snapshot = (c: typeof core) =>
      c.tasks.list({ limit: 10_000 }).map((t) => [t.projectName, t.title, t.status, t.priority, t.assigneeName, t.dueDate, t.estimatedHours, t.commentCount]);
    const other = tempCore({ clock });
    try {
      expect(other.demo.seed()).toEqual(first);
      expect(snapshot(other)).toEqual(snapshot(core));
    } finally {
      other.dispose();
    }
  });

  it('refuses a replica that already holds work, with CONFLICT, changing nothing', () => {
    core.projects.create({ name: 'Real work' });
    const before = { users: count('users'), employees: count('employees'), projects: count('projects'), tasks: count('tasks') };
    const error = caught(() => core.demo.seed());
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/already holds data/);
    expect({ users: count('users'), employees: count('employees'), projects: count('projects'), tasks: count('tasks') }).toEqual(before);
  });

  it('refuses to load twice', () => {
    core.demo.seed();
    expect(caught(() => core.demo.seed()).code).toBe('CONFLICT');
    expect(count('employees')).toBe(12);
  });
});
