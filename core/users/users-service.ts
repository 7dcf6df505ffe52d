import os from 'node:os';
import type { User } from '../../shared/entities';
import { userCreateInput, userUpdateInput } from '../../shared/inputs';
import { AppError, notFound, parseInput } from '../common/errors';
import { PROVISIONAL_USER_KEY } from '../database/session';
import { newId } from '../common/ids';
import { bool, boolToSql, json, num, numOrNull, patchFrom, str, strOrNull } from '../common/rows';
import type { ServiceContext } from '../mutations/context';
import type { Row } from '../mutations/types';

export function toUser(r: Row): User {
  return {
    id: str(r.id),
    crmUserId: numOrNull(r.crm_user_id),
    username: str(r.username),
    email: str(r.email),
    fullName: str(r.name),
    role: str(r.role) as User['role'],
    isActive: bool(r.is_active),
    preferences: json(r.preferences, {}),
    aiSettings: json(r.ai_settings, {}),
    lastLogin: strOrNull(r.last_login),
    lastActivity: strOrNull(r.last_activity),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

export function createUsersService(ctx: ServiceContext) {
  const { writer, statements, session } = ctx;

  const get = (id: string): User => {
    const row = writer.get('users', id);
    if (!row) throw notFound('User', id);
    return toUser(row);
  };

  const service = {
    get,

    list(): User[] {
      return (statements.get('SELECT * FROM users ORDER BY name').all() as Row[]).map(toUser);
    },

    findByName(name: string): User | null {
      const row = statements
        .get('SELECT * FROM users WHERE lower(name) = lower(?) OR lower(username) = lower(?) ORDER BY created_at LIMIT 1')
        .get(name, name) as Row | undefined;
      return row ? toUser(row) : null;
    },

    create(raw: unknown): User {
      const input = parseInput(userCreateInput, raw);
      const taken = statements.get('SELECT 1 FROM users WHERE lower(username) = lower(?)').get(input.username);
      if (taken) throw new AppError('CONFLICT', `The username "${input.username}" is already taken`);
      const now = writer.now;
      const row = writer.insert('users', {
        id: newId(),
        crm_user_id: null,
        username: input.username,
        email: input.email,
        name: input.fullName,
        role: input.role ?? 'member',
        is_active: 1,
        preferences: JSON.stringify(input.preferences ?? {}),
        ai_settings: JSON.stringify(input.aiSettings ?? {}),
        last_login: null,
        last_activity: null,
        created_at: now,
        updated_at: now,
      });
      return toUser(row);
    },

    update(raw: unknown): User {
      const input = parseInput(userUpdateInput, raw);
      const patch = patchFrom(input, { fullName: 'name', email: 'email', role: 'role' });
      if (input.preferences) patch.preferences = JSON.stringify(input.preferences);
      if (input.aiSettings) patch.ai_settings = JSON.stringify(input.aiSettings);
      if (input.isActive !== undefined) patch.is_active = boolToSql(input.isActive);
      writer.update('users', input.id, patch);
      return get(input.id);
    },

    /** Records a sign-in (last_login) and activity now. */
    touchLogin(id: string): void {
      const now = writer.now;
      writer.update('users', id, { last_login: now, last_activity: now });
    },

    /** Activity is bumped at most once a minute so it does not flood the audit trail. */
    touchActivity(id: string): void {
      const user = get(id);
      const now = writer.now;
      if (user.lastActivity && Date.parse(now) - Date.parse(user.lastActivity) < 60_000) return;
      writer.update('users', id, { last_activity: now });
    },

    current(): User | null {
      const id = session.currentUserId;
      if (!id) return null;
      const row = writer.get('users', id);
      return row ? toUser(row) : null;
    },

    /**
     * The signed-in user, creating a provisional local profile from the OS account the first time
     * a write needs an author on a replica no server has named its person for yet.
     */
    ensureCurrent(): User {
      const existing = service.current();
      if (existing) return existing;
      const osName = safeOsUsername();
      const username = uniqueUsername(osName, (u) => Boolean(statements.get('SELECT 1 FROM users WHERE lower(username) = lower(?)').get(u)));
      // Provisional and local only: written around the outbox, so it can never be pushed as a user
      // the team does not know; on the first sign-in its work passes to the person the server names.
      const input = parseInput(userCreateInput, { username, email: placeholderEmail(username), fullName: osName, role: 'coordinator' });
      const now = writer.now;
      const id = newId();
      writer.transaction(() => {
        statements
          .get(`INSERT INTO users (id, username, email, name, role, is_active, preferences, ai_settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, '{}', '{}', ?, ?)`)
          .run(id, input.username, input.email, input.fullName, input.role ?? 'coordinator', now, now);
        session.setCurrentUser(id);
        session.setSetting(PROVISIONAL_USER_KEY, id);
      });
      return get(id);
    },

    countAll(): number {
      return num((statements.get('SELECT count(*) AS n FROM users').get() as Row).n);
    },
  };
  return service;
}

function safeOsUsername(): string {
  try {
    return os.userInfo().username || 'coordinator';
  } catch {
    return 'coordinator';
  }
}

/**
 * A placeholder address for a profile made from the OS account: the user schema requires a valid
 * email, and `x@localhost` is not one. `.invalid` is reserved (RFC 2606), so it can never reach
 * anyone; OS names with spaces or backslashes are folded into a valid local part.
 */
function placeholderEmail(username: string): string {
  const local = username.toLowerCase().replace(/[^a-z0-9_+-]+/g, '.').replace(/^\.+|\.+$/g, '') || 'coordinator';
  return `${local}@localhost.invalid`;
}

function uniqueUsername(base: string, taken: (u: string) => boolean): string {
  let candidate = base;
  for (let i = 2; taken(candidate); i += 1) candidate = `${base}${i}`;
  return candidate;
}

export type UsersService = ReturnType<typeof createUsersService>;
