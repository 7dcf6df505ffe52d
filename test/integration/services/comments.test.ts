import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { newId } from '../../../core/common/ids';
import type { User } from '../../../shared/entities';
import { manualClock, tempCore } from '../../support/core';

/** Comments: a task's discussion, ordered, editable by their author, removable by author or admin. */

let clock: ReturnType<typeof manualClock>;
let core: ReturnType<typeof tempCore>;
let alex: User;
let maria: User;
let helen: User;
let taskId: string;

const T0 = '2026-03-02T09:00:00.000Z';

beforeEach(() => {
  clock = manualClock(T0);
  core = tempCore({ clock });
  alex = core.users.create({ username: 'alex', email: 'alex@example.com', fullName: 'Alex Morgan', role: 'coordinator' });
  maria = core.users.create({ username: 'maria', email: 'maria@example.com', fullName: 'Maria Garcia', role: 'member' });
  helen = core.users.create({ username: 'helen', email: 'helen@example.com', fullName: 'Helen Park', role: 'admin' });
  core.session.setCurrentUser(alex.id);
  taskId = core.tasks.create({ title: 'Migrate blog posts' }).id;
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
  comments: core.db.prepare('SELECT * FROM comments ORDER BY id').all(),
  notifications: core.db.prepare('SELECT * FROM notifications ORDER BY id').all(),
  users: core.db.prepare('SELECT * FROM users ORDER BY id').all(),
});

function expectRefused(fn: () => unknown, code: string, path?: string) {
  const before = dump();
  const error = caught(fn);
  expect(error.code).toBe(code);
  if (path) expect(error.issues?.map((i) => i.path)).toContain(path);
  expect(dump()).toEqual(before);
  return error;
}

const as = (user: User) => core.session.setCurrentUser(user.id);

describe('adding a comment', () => {
  it('stores it under the signed-in user with the next order number', () => {
    const comment = core.comments.add({ taskId, content: '  First thoughts  ' });
    expect(comment).toEqual({
      id: expect.any(String),
      crmCommentId: null,
      taskId,
      userId: alex.id,
      authorName: 'Alex Morgan',
      content: 'First thoughts',
      commentOrder: 1,
      isEdited: false,
      createdAt: T0,
      updatedAt: T0,
    });
  });

  it('numbers comments 1, 2, 3 … per task', () => {
    const other = core.tasks.create({ title: 'Other' }).id;
    expect(core.comments.add({ taskId, content: 'a' }).commentOrder).toBe(1);
    expect(core.comments.add({ taskId, content: 'b' }).commentOrder).toBe(2);
    expect(core.comments.add({ taskId: other, content: 'x' }).commentOrder).toBe(1);
    expect(core.comments.add({ taskId, content: 'c' }).commentOrder).toBe(3);
  });

  it('never reuses the number of a deleted comment in the middle', () => {
    core.comments.add({ taskId, content: 'a' });
    const b = core.comments.add({ taskId, content: 'b' });
    core.comments.add({ taskId, content: 'c' });
    core.comments.delete(b.id);
    expect(core.comments.add({ taskId, content: 'd' }).commentOrder).toBe(4);
  });

  it('may name another author by user id', () => {
    const comment = core.comments.add({ taskId, content: 'from Maria', userId: maria.id });
    expect(comment).toMatchObject({ userId: maria.id, authorName: 'Maria Garcia' });
  });

  it('creates a local profile for the author on a replica nobody signed in to yet', () => {
    const fresh = tempCore({ clock });
    try {
      const task = fresh.tasks.create({ title: 'first' });
      expect(fresh.users.countAll()).toBe(0);
      const comment = fresh.comments.add({ taskId: task.id, content: 'hello' });
      const author = fresh.users.current();
      expect(author).not.toBeNull();
      expect(comment.userId).toBe(author?.id);
      expect(comment.authorName).toBe(author?.fullName);
      expect(fresh.users.countAll()).toBe(1);
    } finally {
      fresh.dispose();
    }
  });

  it('refuses an unknown task or author with NOT_FOUND', () => {
    expectRefused(() => core.comments.add({ taskId: newId(), content: 'x' }), 'NOT_FOUND');
    expectRefused(() => core.comments.add({ taskId, content: 'x', userId: newId() }), 'NOT_FOUND');
  });

  it.each([
    ['empty content', { content: '' }, 'content'],
    ['blank content', { content: '   ' }, 'content'],
    ['overlong content', { content: 'x'.repeat(50_001) }, 'content'],
    ['a non-UUID task id', { taskId: 'task-1', content: 'x' }, 'taskId'],
    ['a non-UUID author', { content: 'x', userId: 'maria' }, 'userId'],
    ['an unknown extra key', { content: 'x', pinned: true }, '(root)'],
  ])('refuses %s and changes nothing', (_label, input, path) => {
    expectRefused(() => core.comments.add({ taskId, ...input }), 'VALIDATION', path);
  });
});

describe('editing a comment', () => {
  it('lets the author change the text, marking it edited and bumping updated_at', () => {
    const comment = core.comments.add({ taskId, content: 'tpyo' });
    clock.advance(90_000);
    const edited = core.comments.edit({ id: comment.id, content: 'typo' });
    expect(edited).toEqual({ ...comment, content: 'typo', isEdited: true, updatedAt: '2026-03-02T09:01:30.000Z' });
    expect(core.comments.getRow(comment.id)).toEqual(edited);
  });

  it('refuses anyone else with FORBIDDEN, even an admin', () => {
    const comment = core.comments.add({ taskId, content: 'mine' });
    as(maria);
    expect(expectRefused(() => core.comments.edit({ id: comment.id, content: 'hijacked' }), 'FORBIDDEN').message).toBe(
      'Only the author can edit a comment',
    );
    as(helen);
    expectRefused(() => core.comments.edit({ id: comment.id, content: 'moderated' }), 'FORBIDDEN');
    expect(core.comments.getRow(comment.id)).toMatchObject({ content: 'mine', isEdited: false });
  });

  it('refuses when nobody is signed in', () => {
    const comment = core.comments.add({ taskId, content: 'mine' });
    core.session.setSetting('current_user_id', newId());
    expectRefused(() => core.comments.edit({ id: comment.id, content: 'ghost' }), 'FORBIDDEN');
  });

  it('refuses an unknown comment, empty text and a bad id', () => {
    const comment = core.comments.add({ taskId, content: 'mine' });
    expectRefused(() => core.comments.edit({ id: newId(), content: 'x' }), 'NOT_FOUND');
    expectRefused(() => core.comments.edit({ id: comment.id, content: '' }), 'VALIDATION', 'content');
    expectRefused(() => core.comments.edit({ id: 'c1', content: 'x' }), 'VALIDATION', 'id');
    expectRefused(() => core.comments.edit({ id: comment.id, content: 'x', userId: alex.id }), 'VALIDATION', '(root)');
  });
});

describe('deleting a comment', () => {
  it('lets the author delete it', () => {
    const comment = core.comments.add({ taskId, content: 'oops' });
    expect(core.comments.delete(comment.id)).toEqual({ id: comment.id });
    expect(core.comments.list({ taskId })).toEqual([]);
  });

  it('lets an admin delete someone else’s comment', () => {
    const comment = core.comments.add({ taskId, content: 'spam', userId: maria.id });
    as(helen);
    core.comments.delete(comment.id);
    expect(core.comments.list({ taskId })).toEqual([]);
  });

  it('refuses another member or coordinator with FORBIDDEN', () => {
    const comment = core.comments.add({ taskId, content: 'Maria’s', userId: maria.id });
    as(alex);
    expect(expectRefused(() => core.comments.delete(comment.id), 'FORBIDDEN').message).toBe('Only the author or an admin can delete a comment');
    expect(core.comments.list({ taskId })).toHaveLength(1);
  });

  it('refuses an unknown comment and a bad id', () => {
    expectRefused(() => core.comments.delete(newId()), 'NOT_FOUND');
    expectRefused(() => core.comments.delete(42), 'VALIDATION', '(root)');
  });
});

describe('listing comments', () => {
  it('gives a task’s comments in their order, and none of other tasks', () => {
    const other = core.tasks.create({ title: 'Other' }).id;
    core.comments.add({ taskId, content: 'one' });
    clock.advance(1000);
    core.comments.add({ taskId: other, content: 'elsewhere' });
    core.comments.add({ taskId, content: 'two', userId: maria.id });
    clock.advance(1000);
    core.comments.add({ taskId, content: 'three' });
    expect(core.comments.list({ taskId }).map((c) => [c.commentOrder, c.content, c.authorName])).toEqual([
      [1, 'one', 'Alex Morgan'],
      [2, 'two', 'Maria Garcia'],
      [3, 'three', 'Alex Morgan'],
    ]);
  });

  it('gives an empty list for a task without comments or an unknown task', () => {
    expect(core.comments.list({ taskId })).toEqual([]);
    expect(core.comments.list({ taskId: newId() })).toEqual([]);
  });

  it('refuses a bad filter', () => {
    expect(caught(() => core.comments.list({ taskId: 'x' })).issues?.[0]?.path).toBe('taskId');
    expect(caught(() => core.comments.list({ taskId, limit: 5 })).code).toBe('VALIDATION');
    expect(caught(() => core.comments.getRow(newId())).code).toBe('NOT_FOUND');
  });
});
