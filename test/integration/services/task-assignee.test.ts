import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCore } from '../../support/core';

/** The seed's tasks.assignee: the assigned employee's display name, in step with assigned_to on every local write. */

let core: ReturnType<typeof tempCore>;
let maria: string;
let ben: string;

beforeEach(() => {
  core = tempCore();
  const me = core.users.create({ username: 'alex', email: 'alex@example.com', fullName: 'Alex Morgan' });
  core.session.setCurrentUser(me.id);
  maria = core.employees.create({ name: 'Maria Garcia', email: 'maria@example.com' }).id;
  ben = core.employees.create({ name: 'Ben Okafor', email: 'ben@example.com' }).id;
});
afterEach(() => core.dispose());

const assigneeOf = (id: string) => (core.db.prepare('SELECT assignee FROM tasks WHERE id = ?').get(id) as { assignee: string | null }).assignee;
const pendingAssignee = (id: string) =>
  (core.db.prepare(`SELECT fields FROM sync_outbox WHERE table_name = 'tasks' AND row_id = ? ORDER BY seq`).all(id) as { fields: string }[]).map(
    (r) => (JSON.parse(r.fields) as { assignee?: string | null }).assignee,
  );

describe('tasks.assignee', () => {
  it('is set on create, follows a reassignment, and clears on unassign; every change is queued for sync', () => {
    const task = core.tasks.create({ title: 'Fix invoice layout', assignedTo: maria });
    expect(assigneeOf(task.id)).toBe('Maria Garcia');
    core.tasks.update({ id: task.id, assignedTo: ben });
    expect(assigneeOf(task.id)).toBe('Ben Okafor');
    core.tasks.update({ id: task.id, assignedTo: null });
    expect(assigneeOf(task.id)).toBeNull();
    expect(pendingAssignee(task.id)).toEqual(['Maria Garcia', 'Ben Okafor', null]);
  });

  it('is left alone by edits that do not touch the assignment', () => {
    const task = core.tasks.create({ title: 'Fix invoice layout', assignedTo: maria });
    core.tasks.update({ id: task.id, title: 'Fix the invoice layout' });
    expect(assigneeOf(task.id)).toBe('Maria Garcia');
  });

  it('follows a renamed employee on all their tasks, and no one else’s', () => {
    const mine = [core.tasks.create({ title: 'One', assignedTo: maria }), core.tasks.create({ title: 'Two', assignedTo: maria })];
    const other = core.tasks.create({ title: 'Three', assignedTo: ben });
    core.employees.update({ id: maria, name: 'María García' });
    expect(mine.map((t) => assigneeOf(t.id))).toEqual(['María García', 'María García']);
    expect(assigneeOf(other.id)).toBe('Ben Okafor');
  });
});
