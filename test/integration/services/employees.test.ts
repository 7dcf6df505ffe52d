import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { newId } from '../../../core/common/ids';
import type { Employee } from '../../../shared/entities';
import { manualClock, tempCore } from '../../support/core';

/** Employees: the staff hierarchy, its integrity, and who can be given work. */

let clock: ReturnType<typeof manualClock>;
let core: ReturnType<typeof tempCore>;

const T0 = '2026-03-02T09:00:00.000Z';

beforeEach(() => {
  clock = manualClock(T0);
  core = tempCore({ clock });
});
afterEach(() => core.dispose());

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

const dump = () => ({
  employees: core.db.prepare('SELECT * FROM employees ORDER BY id').all(),
  tasks: core.db.prepare('SELECT * FROM tasks ORDER BY id').all(),
});

function expectRefused(fn: () => unknown, code: string, path?: string) {
  const before = dump();
  const error = caught(fn);
  expect(error.code).toBe(code);
  if (path) expect(error.issues?.map((i) => i.path)).toContain(path);
  expect(dump()).toEqual(before);
  return error;
}

const emp = (name: string, managerId?: string): Employee =>
  core.employees.create({ name, email: `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`, managerId });

/** Helen ← Daniel ← Maria ← Priya (a four-level chain), and Tom also under Daniel. */
function org() {
  const helen = emp('Helen Park');
  const daniel = emp('Daniel Okafor', helen.id);
  const maria = emp('Maria Garcia', daniel.id);
  const priya = emp('Priya Shah', maria.id);
  const tom = emp('Tom Becker', daniel.id);
  return { helen, daniel, maria, priya, tom };
}

describe('creating an employee', () => {
  it('stores every field, active, with the clock’s time', () => {
    const user = core.users.create({ username: 'maria', email: 'maria@example.com', fullName: 'Maria Garcia' });
    const manager = emp('Daniel Okafor');
    const employee = core.employees.create({
      name: 'Maria Garcia',
      email: 'maria@example.com',
      department: 'Engineering',
      position: 'Senior Frontend Developer',
      hireDate: '2019-06-03',
      managerId: manager.id,
      userId: user.id,
    });
    expect(employee).toEqual({
      id: expect.any(String),
      userId: user.id,
      crmEmployeeId: null,
      name: 'Maria Garcia',
      email: 'maria@example.com',
      department: 'Engineering',
      position: 'Senior Frontend Developer',
      managerId: manager.id,
      hireDate: '2019-06-03',
      isActive: true,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(core.employees.get(employee.id)).toEqual(employee);
  });

  it('refuses an unknown manager or user with NOT_FOUND', () => {
    expectRefused(() => core.employees.create({ name: 'X', email: 'x@example.com', managerId: newId() }), 'NOT_FOUND');
    expectRefused(() => core.employees.create({ name: 'X', email: 'x@example.com', userId: newId() }), 'NOT_FOUND');
  });

  it.each([
    ['an empty name', { name: '', email: 'x@example.com' }, 'name'],
    ['a missing email', { name: 'X' }, 'email'],
    ['a malformed email', { name: 'X', email: 'not-an-email' }, 'email'],
    ['an impossible hire date', { name: 'X', email: 'x@example.com', hireDate: '2023-02-29' }, 'hireDate'],
    ['a non-UUID manager', { name: 'X', email: 'x@example.com', managerId: 'boss' }, 'managerId'],
    ['an overlong department', { name: 'X', email: 'x@example.com', department: 'd'.repeat(101) }, 'department'],
    ['an unknown extra key', { name: 'X', email: 'x@example.com', salary: 1 }, '(root)'],
  ])('refuses %s and changes nothing', (_label, input, path) => {
    expectRefused(() => core.employees.create(input), 'VALIDATION', path);
  });
});

describe('updating an employee', () => {
  it('changes the given fields, keeps the rest and bumps updated_at', () => {
    const e = core.employees.create({ name: 'Tom', email: 'tom@example.com', department: 'QA', position: 'Tester' });
    clock.advance(60_000);
    const updated = core.employees.update({ id: e.id, position: 'QA Engineer', department: null, hireDate: '2020-11-09' });
    expect(updated).toEqual({ ...e, position: 'QA Engineer', department: null, hireDate: '2020-11-09', updatedAt: '2026-03-02T09:01:00.000Z' });
  });

  it('links and unlinks a user account', () => {
    const user = core.users.create({ username: 'tom', email: 'tom@example.com', fullName: 'Tom Becker' });
    const e = emp('Tom Becker');
    expect(core.employees.update({ id: e.id, userId: user.id }).userId).toBe(user.id);
    expect(core.employees.forUser(user.id)?.id).toBe(e.id);
    expect(core.employees.update({ id: e.id, userId: null }).userId).toBeNull();
    expect(core.employees.forUser(user.id)).toBeNull();
  });

  it('refuses to link an unknown user account with NOT_FOUND', () => {
    const e = emp('Tom Becker');
    expectRefused(() => core.employees.update({ id: e.id, userId: newId() }), 'NOT_FOUND');
  });

  it('moves an employee to another manager and clears the manager with null', () => {
    const { helen, maria, tom } = org();
    expect(core.employees.update({ id: tom.id, managerId: maria.id }).managerId).toBe(maria.id);
    expect(core.employees.update({ id: tom.id, managerId: null }).managerId).toBeNull();
    expect(core.employees.update({ id: maria.id, managerId: helen.id }).managerId).toBe(helen.id);
  });

  it('refuses a reporting cycle: to oneself, to a direct report, or to someone further down', () => {
    const { helen, daniel, maria, priya } = org();
    for (const managerId of [helen.id, daniel.id, maria.id, priya.id]) {
      const error = expectRefused(() => core.employees.update({ id: helen.id, managerId }), 'VALIDATION', 'managerId');
      expect(error.issues).toEqual([{ path: 'managerId', message: 'would create a reporting cycle' }]);
    }
    expectRefused(() => core.employees.update({ id: daniel.id, managerId: priya.id }), 'VALIDATION', 'managerId');
    // Moving sideways is fine.
    expect(core.employees.update({ id: priya.id, managerId: daniel.id }).managerId).toBe(daniel.id);
  });

  it('refuses an unknown employee or manager with NOT_FOUND', () => {
    const e = emp('Tom');
    expectRefused(() => core.employees.update({ id: newId(), name: 'x' }), 'NOT_FOUND');
    expectRefused(() => core.employees.update({ id: e.id, managerId: newId() }), 'NOT_FOUND');
  });

  it.each([
    ['a non-UUID id', { id: 'e1' }, 'id'],
    ['an empty name', { name: '' }, 'name'],
    ['a malformed email', { email: 'tom(at)example.com' }, 'email'],
    ['an unknown extra key', { isActive: false }, '(root)'],
  ])('refuses %s and changes nothing', (_label, input, path) => {
    const e = emp('Tom');
    expectRefused(() => core.employees.update({ id: e.id, ...input }), 'VALIDATION', path);
  });
});

describe('deactivating an employee', () => {
  it('keeps the person and their tasks, but marks them inactive', () => {
    const e = emp('Leaver');
    const task = core.tasks.create({ title: 'Handover', assignedTo: e.id });
    clock.advance(1000);
    const deactivated = core.employees.deactivate(e.id);
    expect(deactivated).toMatchObject({ id: e.id, isActive: false, updatedAt: '2026-03-02T09:00:01.000Z' });
    expect(core.tasks.getRow(task.id).assignedTo).toBe(e.id);
    // Deactivating twice changes nothing.
    expect(core.employees.deactivate(e.id)).toEqual(deactivated);
  });

  it('takes them out of the pool of assignees', () => {
    const e = emp('Leaver');
    const task = core.tasks.create({ title: 'Open work' });
    core.employees.deactivate(e.id);
    expectRefused(() => core.tasks.create({ title: 'New work', assignedTo: e.id }), 'VALIDATION', 'assignedTo');
    const error = expectRefused(() => core.tasks.update({ id: task.id, assignedTo: e.id }), 'VALIDATION', 'assignedTo');
    expect(error.message).toBe('Leaver is deactivated and cannot be assigned tasks');
  });

  it('refuses an unknown employee and a bad id', () => {
    expectRefused(() => core.employees.deactivate(newId()), 'NOT_FOUND');
    expectRefused(() => core.employees.deactivate('x'), 'VALIDATION', '(root)');
  });
});

describe('the reporting hierarchy', () => {
  it('walks the manager chain up, nearest manager first', () => {
    const { helen, daniel, maria, priya } = org();
    expect(core.employees.chain(priya.id).map((e) => e.name)).toEqual(['Maria Garcia', 'Daniel Okafor', 'Helen Park']);
    expect(core.employees.chain(maria.id).map((e) => e.id)).toEqual([daniel.id, helen.id]);
    expect(core.employees.chain(helen.id)).toEqual([]);
  });

  it('lists every report below someone, level by level and by name within a level', () => {
    const { helen, daniel, priya } = org();
    expect(core.employees.reports(helen.id).map((e) => e.name)).toEqual(['Daniel Okafor', 'Maria Garcia', 'Tom Becker', 'Priya Shah']);
    expect(core.employees.reports(daniel.id).map((e) => e.name)).toEqual(['Maria Garcia', 'Tom Becker', 'Priya Shah']);
    expect(core.employees.reports(priya.id)).toEqual([]);
  });

  it('refuses an unknown employee or a bad id in chain and reports', () => {
    expect(caught(() => core.employees.chain(newId())).code).toBe('NOT_FOUND');
    expect(caught(() => core.employees.reports(newId())).code).toBe('NOT_FOUND');
    expect(caught(() => core.employees.chain('x')).code).toBe('VALIDATION');
    expect(caught(() => core.employees.reports('x')).code).toBe('VALIDATION');
  });
});

describe('listing employees', () => {
  it('gives manager name, report count and open task count; active people first, then by name', () => {
    const { helen, daniel, maria } = org();
    const leaver = emp('Aaron Leaver', helen.id);
    core.employees.deactivate(leaver.id);
    core.tasks.create({ title: 'a', assignedTo: maria.id });
    core.tasks.create({ title: 'b', assignedTo: maria.id, status: 'testing' });
    core.tasks.create({ title: 'c', assignedTo: maria.id, status: 'done' });
    const list = core.employees.list();
    expect(list.map((e) => e.name)).toEqual(['Daniel Okafor', 'Helen Park', 'Maria Garcia', 'Priya Shah', 'Tom Becker', 'Aaron Leaver']);
    expect(list.find((e) => e.id === daniel.id)).toMatchObject({ managerName: 'Helen Park', reportCount: 2, openTaskCount: 0 });
    expect(list.find((e) => e.id === helen.id)).toMatchObject({ managerName: null, reportCount: 2 });
    expect(list.find((e) => e.id === maria.id)).toMatchObject({ managerName: 'Daniel Okafor', reportCount: 1, openTaskCount: 2 });
    expect(list.at(-1)).toMatchObject({ isActive: false });
  });

  it('finds someone by name ignoring case, and the employee record of a user (active first)', () => {
    const user = core.users.create({ username: 'sam', email: 'sam@example.com', fullName: 'Sam' });
    const old = core.employees.create({ name: 'Sam Old', email: 'sam@example.com', userId: user.id });
    core.employees.deactivate(old.id);
    const current = core.employees.create({ name: 'Sam New', email: 'sam@example.com', userId: user.id });
    expect(core.employees.findByName('sam new')?.id).toBe(current.id);
    expect(core.employees.findByName('Nobody')).toBeNull();
    expect(core.employees.forUser(user.id)?.id).toBe(current.id);
    expect(core.employees.forUser(newId())).toBeNull();
    expect(caught(() => core.employees.get(newId())).code).toBe('NOT_FOUND');
  });
});

describe('unique employee emails (issue 12 §6)', () => {
  it('refuses an email another active employee has, whatever its case, on create and on update', () => {
    const maria = core.employees.create({ name: 'Maria Garcia', email: 'maria@example.com' });
    for (const email of ['maria@example.com', 'Maria@Example.com', 'MARIA@EXAMPLE.COM']) {
      const error = (() => {
        try {
          core.employees.create({ name: 'Someone', email });
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('CONFLICT');
      expect((error as AppError).issues).toEqual([{ path: 'email', message: 'is already used by another employee' }]);
    }
    expect(core.employees.list()).toHaveLength(1);
    const ana = core.employees.create({ name: 'Ana', email: 'ana@example.com' });
    expect(() => core.employees.update({ id: ana.id, email: 'MARIA@example.com' })).toThrow(/already belongs to Maria Garcia/);
    expect(core.employees.update({ id: maria.id, email: 'Maria@example.com' }).email).toBe('Maria@example.com'); // one's own address, re-cased
    // A deactivated record does not block its email: the same person may be hired again.
    core.employees.deactivate(maria.id);
    expect(core.employees.create({ name: 'Maria Garcia', email: 'maria@example.com' }).isActive).toBe(true);
    expect(core.employees.duplicateEmails()).toEqual([]);
  });

  it('finds duplicates that arrived without the service (a sync)', () => {
    core.employees.create({ name: 'Ana Silva', email: 'ana@example.com' });
    const other = core.employees.create({ name: 'Ana S.', email: 'other@example.com' });
    core.db.prepare('UPDATE employees SET email = ? WHERE id = ?').run('ANA@example.com', other.id);
    expect(core.employees.duplicateEmails()).toEqual([{ email: 'ana@example.com', names: expect.arrayContaining(['Ana Silva', 'Ana S.']) }]);
  });
});
