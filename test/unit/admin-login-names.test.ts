/**
 * Login names reach CREATE/ALTER ROLE, which cannot bind parameters: only names that need no
 * quoting at all, and are no built-in or group role, are accepted (issue 14).
 */
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { assertSafeLogin, generatePassword, parseTeamRole } from '../../core/admin';
import { AppError } from '../../core/common/errors';
import { describeSyncError } from '../../core/sync/errors';

const accepts = (name: string) => {
  try {
    return assertSafeLogin(name) === name;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION');
    return false;
  }
};

describe('login names', () => {
  it('an accepted name is its own quoted identifier, at most 63 bytes, and never a pg_ or group role', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z_][a-z0-9_]{0,70}$/), fc.constantFrom('pg_read_all_data', 'coordinator_admin', 'postgres', 'Mia', 'mia-1', 'ana')), (name) => {
        if (!accepts(name)) return;
        expect(pg.escapeIdentifier(name)).toBe(`"${name}"`);
        expect(name.toLowerCase()).toBe(name);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
        expect(name.startsWith('pg_')).toBe(false);
        expect(['coordinator_admin', 'coordinator_coordinator', 'coordinator_member', 'postgres', 'public']).not.toContain(name);
      }),
    );
  });

  it('refuses quotes, spaces, capitals, over-long names and reserved names, in one line', () => {
    for (const bad of ['x"; DROP ROLE postgres; --', 'Mia', 'mia garcia', 'a'.repeat(64), 'pg_monitor', 'coordinator_member', '', '1abc']) {
      expect(() => assertSafeLogin(bad)).toThrow(/not a safe database login name/);
    }
    expect(assertSafeLogin('maria_garcia2')).toBe('maria_garcia2');
  });
});

describe('roles and passwords', () => {
  it('knows the three roles only', () => {
    expect(parseTeamRole('member')).toBe('member');
    expect(() => parseTeamRole('superuser')).toThrow(/one of admin, coordinator, member/);
  });

  it('generates distinct URL-safe passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generatePassword()).not.toBe(a);
  });
});

describe('a refused login, in the words a sync shows', () => {
  it('says access was revoked for a role that may not log in, and that the work is kept', () => {
    const message = describeSyncError(Object.assign(new Error('role "mia" is not permitted to log in'), { code: '28000' }));
    expect(message).toMatch(/access was revoked/);
    expect(message).toMatch(/kept on this computer/);
  });

  it('says the password was refused for an authentication failure', () => {
    expect(describeSyncError(Object.assign(new Error('password authentication failed for user "mia"'), { code: '28P01' }))).toMatch(/refused the password/);
  });
});
