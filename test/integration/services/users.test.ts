import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { newId } from '../../../core/common/ids';
import { userSchema } from '../../../shared/entities';
import { manualClock, tempCore } from '../../support/core';

/** Users: accounts, roles, preferences and AI settings, sign-in and activity, the local profile. */

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
  users: core.db.prepare('SELECT * FROM users ORDER BY id').all(),
  audit: core.db.prepare('SELECT * FROM audit_log ORDER BY id').all(),
});

function expectRefused(fn: () => unknown, code: string, path?: string) {
  const before = dump();
  const error = caught(fn);
  expect(error.code).toBe(code);
  if (path) expect(error.issues?.map((i) => i.path)).toContain(path);
  expect(dump()).toEqual(before);
  return error;
}

const alexInput = { username: 'alex', email: 'alex@example.com', fullName: 'Alex Morgan' };
const auditCount = (id: string) => core.audit.history('users', id).length;

describe('creating a user', () => {
  it('stores the account as a member with empty preferences and AI settings', () => {
    const user = core.users.create(alexInput);
    expect(user).toEqual({
      id: expect.any(String),
      crmUserId: null,
      username: 'alex',
      email: 'alex@example.com',
      fullName: 'Alex Morgan',
      role: 'member',
      isActive: true,
      preferences: {},
      aiSettings: {},
      lastLogin: null,
      lastActivity: null,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(userSchema.parse(user)).toEqual(user);
    expect(core.users.get(user.id)).toEqual(user);
  });

  it('keeps a role, preferences and AI settings given at creation', () => {
    const user = core.users.create({ ...alexInput, role: 'admin', preferences: { theme: 'dark', pageSize: 50 }, aiSettings: { model: 'gpt-4o-mini', temperature: 0.2 } });
    expect(core.users.get(user.id)).toMatchObject({ role: 'admin', preferences: { theme: 'dark', pageSize: 50 }, aiSettings: { model: 'gpt-4o-mini', temperature: 0.2 } });
  });

  it('refuses a username that is taken, whatever its case, with CONFLICT', () => {
    core.users.create(alexInput);
    const error = expectRefused(() => core.users.create({ ...alexInput, username: 'ALEX', email: 'other@example.com' }), 'CONFLICT');
    expect(error.message).toBe('The username "ALEX" is already taken');
  });

  it.each([
    ['an empty username', { username: '' }, 'username'],
    ['a malformed email', { email: 'alex' }, 'email'],
    ['an empty full name', { fullName: ' ' }, 'fullName'],
    ['an unknown role', { role: 'owner' }, 'role'],
    ['preferences that are not an object', { preferences: ['dark'] }, 'preferences'],
    ['AI settings that are not an object', { aiSettings: 'fast' }, 'aiSettings'],
    ['an unknown extra key', { password: 'hunter2' }, '(root)'],
  ])('refuses %s and changes nothing', (_label, patch, path) => {
    expectRefused(() => core.users.create({ ...alexInput, ...patch }), 'VALIDATION', path);
  });
});

describe('updating a user', () => {
  it('changes the role', () => {
    const user = core.users.create(alexInput);
    expect(core.users.update({ id: user.id, role: 'coordinator' }).role).toBe('coordinator');
    expect(core.users.update({ id: user.id, role: 'admin' }).role).toBe('admin');
  });

  it('replaces preferences and AI settings as whole objects', () => {
    const user = core.users.create({ ...alexInput, preferences: { theme: 'dark', density: 'compact' } });
    clock.advance(1000);
    const updated = core.users.update({ id: user.id, preferences: { theme: 'light' }, aiSettings: { provider: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' } });
    expect(updated.preferences).toEqual({ theme: 'light' });
    expect(updated.aiSettings).toEqual({ provider: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' });
    expect(updated.updatedAt).toBe('2026-03-02T09:00:01.000Z');
    expect(core.db.prepare('SELECT preferences FROM users WHERE id = ?').get(user.id)).toEqual({ preferences: '{"theme":"light"}' });
  });

  it('changes name and email and deactivates the account', () => {
    const user = core.users.create(alexInput);
    expect(core.users.update({ id: user.id, fullName: 'Alexandra Morgan', email: 'alexandra@example.com', isActive: false })).toMatchObject({
      fullName: 'Alexandra Morgan',
      email: 'alexandra@example.com',
      isActive: false,
      username: 'alex',
    });
    expect(core.users.update({ id: user.id, isActive: true }).isActive).toBe(true);
  });

  it('writes nothing when the values are the same', () => {
    const user = core.users.create({ ...alexInput, preferences: { a: 1 } });
    clock.advance(1000);
    const before = auditCount(user.id);
    expect(core.users.update({ id: user.id, role: 'member', preferences: { a: 1 } })).toEqual(user);
    expect(auditCount(user.id)).toBe(before);
  });

  it('refuses an unknown user with NOT_FOUND', () => {
    expectRefused(() => core.users.update({ id: newId(), role: 'admin' }), 'NOT_FOUND');
  });

  it.each([
    ['a non-UUID id', { id: 'alex' }, 'id'],
    ['an unknown role', { role: 'root' }, 'role'],
    ['a renamed username (not editable)', { username: 'alexm' }, '(root)'],
    ['last_login set by hand', { lastLogin: T0 }, '(root)'],
  ])('refuses %s and changes nothing', (_label, patch, path) => {
    const user = core.users.create(alexInput);
    expectRefused(() => core.users.update({ id: user.id, ...patch }), 'VALIDATION', path);
  });
});

describe('sign-in and activity', () => {
  it('records a sign-in as last_login and last_activity', () => {
    const user = core.users.create(alexInput);
    clock.set('2026-03-02T10:00:00.000Z');
    core.users.touchLogin(user.id);
    expect(core.users.get(user.id)).toMatchObject({ lastLogin: '2026-03-02T10:00:00.000Z', lastActivity: '2026-03-02T10:00:00.000Z' });
  });

  it('bumps last_activity at most once a minute', () => {
    const user = core.users.create(alexInput);
    core.users.touchActivity(user.id);
    expect(core.users.get(user.id).lastActivity).toBe(T0);
    const audited = auditCount(user.id);
    clock.advance(59_999);
    core.users.touchActivity(user.id);
    expect(core.users.get(user.id).lastActivity).toBe(T0);
    expect(auditCount(user.id)).toBe(audited);
    clock.advance(1);
    core.users.touchActivity(user.id);
    expect(core.users.get(user.id).lastActivity).toBe('2026-03-02T09:01:00.000Z');
    expect(auditCount(user.id)).toBe(audited + 1);
  });

  it('refuses activity for an unknown user', () => {
    expect(caught(() => core.users.touchActivity(newId())).code).toBe('NOT_FOUND');
    expect(caught(() => core.users.touchLogin(newId())).code).toBe('NOT_FOUND');
  });
});

describe('the signed-in user', () => {
  it('is nobody on a fresh replica, then whoever the session names', () => {
    expect(core.users.current()).toBeNull();
    const user = core.users.create(alexInput);
    core.session.setCurrentUser(user.id);
    expect(core.users.current()).toEqual(user);
    expect(core.session.getSetting('current_user_id')).toBe(user.id);
  });

  it('is nobody when the session names a user that does not exist', () => {
    core.session.setCurrentUser(newId());
    expect(core.users.current()).toBeNull();
  });

  it('is created as a local coordinator profile from the OS account when a write first needs one', () => {
    const osName = os.userInfo().username;
    const user = core.users.ensureCurrent();
    expect(user).toMatchObject({ username: osName, fullName: osName, role: 'coordinator', isActive: true });
    expect(userSchema.shape.email.safeParse(user.email).success).toBe(true);
    expect(core.session.currentUserId).toBe(user.id);
    expect(core.users.current()).toEqual(user);
    // The next call returns the same profile.
    expect(core.users.ensureCurrent()).toEqual(user);
    expect(core.users.countAll()).toBe(1);
  });

  it('gets a free username when the OS name is taken, whatever its case', () => {
    const osName = os.userInfo().username;
    core.users.create({ username: osName.toUpperCase(), email: 'taken@example.com', fullName: 'Someone Else' });
    const user = core.users.ensureCurrent();
    expect(user.username).toBe(`${osName}2`);
    expect(core.users.countAll()).toBe(2);
  });

  it('keeps an existing signed-in user', () => {
    const user = core.users.create(alexInput);
    core.session.setCurrentUser(user.id);
    expect(core.users.ensureCurrent()).toEqual(user);
    expect(core.users.countAll()).toBe(1);
  });
});

describe('reading users', () => {
  it('lists by full name, finds by name or username ignoring case, and counts', () => {
    const b = core.users.create({ username: 'bob', email: 'b@example.com', fullName: 'Bob Stone' });
    const a = core.users.create({ username: 'zed', email: 'a@example.com', fullName: 'Anna Zed' });
    expect(core.users.list().map((u) => u.id)).toEqual([a.id, b.id]);
    expect(core.users.findByName('bob stone')?.id).toBe(b.id);
    expect(core.users.findByName('ZED')?.id).toBe(a.id);
    expect(core.users.findByName('nobody')).toBeNull();
    expect(core.users.countAll()).toBe(2);
    expect(caught(() => core.users.get(newId())).code).toBe('NOT_FOUND');
  });
});
