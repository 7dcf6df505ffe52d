/**
 * Team administration on the central PostgreSQL (issue 14): an administrator's connection
 * (a superuser or a role with CREATEROLE) gives people a database login mapped to their
 * Coordinator user (sync_db_users) with one of the three group roles, and takes it away at once.
 *
 * Login roles are cluster-wide in PostgreSQL while Coordinator users live in one database, so a
 * login is only ever created here or adopted when it already belongs to the same user in this
 * database; any other existing role of that name is refused (it may be another database's user,
 * or a role with powers of its own). Passwords never travel in an error or a log line.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { AppError } from '../common/errors';
import { newId } from '../common/ids';
import { createLogger } from '../common/logger';

const log = createLogger('admin');

export const TEAM_ROLES = ['admin', 'coordinator', 'member'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];
const GROUP_ROLE: Record<TeamRole, string> = { admin: 'coordinator_admin', coordinator: 'coordinator_coordinator', member: 'coordinator_member' };

/** A login name that needs no quoting anywhere and cannot be mistaken for a built-in or group role. */
const LOGIN_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const RESERVED_LOGINS = new Set(['postgres', 'public', 'none', 'current_user', 'session_user', 'current_role', ...Object.values(GROUP_ROLE)]);

export function assertSafeLogin(name: string, what = 'login'): string {
  if (!LOGIN_NAME.test(name) || name.startsWith('pg_') || RESERVED_LOGINS.has(name)) {
    throw new AppError('VALIDATION', `The ${what} "${name.slice(0, 80)}" is not a safe database login name: use 1–63 lowercase letters, digits and underscores, starting with a letter or underscore, not pg_… nor a reserved name${what === 'username' ? '; give the login name with --login' : ''}`);
  }
  return name;
}

export function parseTeamRole(value: string): TeamRole {
  const parsed = z.enum(TEAM_ROLES).safeParse(value);
  if (!parsed.success) throw new AppError('VALIDATION', `The role must be one of ${TEAM_ROLES.join(', ')} (got "${value.slice(0, 40)}")`);
  return parsed.data;
}

/** 24 random bytes, URL-safe: typed into a connection string without escaping. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

export interface TeamMember {
  userId: string;
  username: string;
  fullName: string;
  email: string;
  role: TeamRole;
  isActive: boolean;
  /** The mapped database login, or null when the user has no access. */
  login: string | null;
  canLogin: boolean;
}

interface UserRow {
  id: string;
  username: string;
  full_name: string;
  email: string;
  role: TeamRole;
  is_active: boolean;
}

type Db = Pick<pg.ClientBase, 'query' | 'escapeIdentifier' | 'escapeLiteral'>;

async function inTransaction<T>(db: Db, work: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    const result = await work();
    await db.query('COMMIT');
    return result;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw describeRefusal(error);
  }
}

/** The server refusing the administrator's own login, or a race with another one: said in words, everything rolled back. */
function describeRefusal(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === '42710' && error instanceof Error) {
    // CREATE ROLE of a name another administrator created between our check and our statement.
    const raced = new AppError('CONFLICT', `Another administrator created that login at the same moment (${error.message}); nothing was changed: run the command again`);
    raced.cause = error;
    return raced;
  }
  if (code !== '42501' || !(error instanceof Error)) return error;
  const refused = new AppError('FORBIDDEN', `This PostgreSQL login may not administer Coordinator logins (it needs to be a superuser or have CREATEROLE): ${error.message}; nothing was changed`);
  refused.cause = error;
  return refused;
}

async function findUser(db: Db, username: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>('SELECT id::text, username, name AS full_name, email, role::text AS role, is_active FROM users WHERE lower(username) = lower($1)', [username]);
  if (rows.length > 1) throw new AppError('CONFLICT', `${rows.length} users are named "${username}" (ignoring case); rename one first`);
  return rows[0] ?? null;
}

async function requireUser(db: Db, username: string): Promise<UserRow> {
  const user = await findUser(db, username);
  if (!user) throw new AppError('NOT_FOUND', `There is no user "${username.slice(0, 80)}" in the central database`);
  return user;
}

async function loginOf(db: Db, userId: string): Promise<string | null> {
  const { rows } = await db.query<{ db_role: string }>('SELECT db_role FROM sync_db_users WHERE user_id = $1 ORDER BY db_role LIMIT 1', [userId]);
  return rows[0]?.db_role ?? null;
}

/** The group roles follow the user's role: exactly one of the three. */
async function setGroup(db: Db, login: string, role: TeamRole): Promise<void> {
  const ident = db.escapeIdentifier(login);
  for (const group of Object.values(GROUP_ROLE)) {
    if (group !== GROUP_ROLE[role]) await db.query(`REVOKE ${group} FROM ${ident}`);
  }
  await db.query(`GRANT ${GROUP_ROLE[role]} TO ${ident}`);
}

/** PostgreSQL cannot bind a parameter in ALTER ROLE: the literal is escaped by the driver, and the statement is never logged. */
async function setPassword(db: Db, login: string, password: string): Promise<void> {
  if (password.length < 8) throw new AppError('VALIDATION', 'The password must have at least 8 characters; nothing was changed');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(password)) throw new AppError('VALIDATION', 'The password must not contain control characters (a line break, a tab); nothing was changed');
  await db.query(`ALTER ROLE ${db.escapeIdentifier(login)} LOGIN PASSWORD ${db.escapeLiteral(password)}`);
}

export interface AddUserInput {
  username: string;
  role: TeamRole;
  /** Needed only when the user does not exist yet. */
  email?: string;
  fullName?: string;
  /** The database login; the username when not given. */
  login?: string;
  password: string;
}

/**
 * Creates or finds the user, creates their login (or re-enables the one already theirs), maps it
 * and sets the role — all in one transaction, so a refusal changes nothing.
 */
export async function addUser(db: Db, input: AddUserInput): Promise<TeamMember> {
  const login = assertSafeLogin(input.login ?? input.username.toLowerCase(), input.login ? 'login' : 'username');
  return inTransaction(db, async () => {
    let user = await findUser(db, input.username);
    if (!user) {
      const email = z.string().email().safeParse(input.email);
      if (!email.success) throw new AppError('VALIDATION', `There is no user "${input.username}" yet: give --email (and --name) to create one`);
      const id = newId();
      await db.query('INSERT INTO users (id, username, email, name, role) VALUES ($1, $2, $3, $4, $5)', [id, input.username, email.data, input.fullName?.trim() || input.username, input.role]);
      user = await requireUser(db, input.username);
    }
    // An inactive user (deactivated here, or gone from the CRM) gets no login by accident.
    if (!user.is_active) throw new AppError('CONFLICT', `${user.username} is inactive; reactivate them before giving access`);
    const mapped = await db.query<{ user_id: string }>('SELECT user_id::text FROM sync_db_users WHERE db_role = $1', [login]);
    const owner = mapped.rows[0]?.user_id;
    if (owner && owner !== user.id) throw new AppError('CONFLICT', `The login "${login}" belongs to another user; choose another with --login`);
    // Adding again is no way to reset a password or change a role behind the administrator's back.
    const existing = await loginOf(db, user.id);
    if (existing) throw new AppError('CONFLICT', `${user.username} already has access with the login "${existing}"; use \`admin user grant\` or \`admin user reset-password\``);
    // The role's comment (cluster-wide, like the role) names the database and user it was made
    // for: a login revoked here may be given back, any other role of that name is not ours.
    const marker = (await db.query<{ marker: string }>(`SELECT 'coordinator user ' || $1 || ' in database ' || current_database() AS marker`, [user.id])).rows[0]?.marker ?? '';
    const role = await db.query<{ comment: string | null }>(`SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1`, [login]);
    const existingRole = role.rows[0];
    if (existingRole && !owner && existingRole.comment !== marker) {
      throw new AppError('CONFLICT', `A database role "${login}" already exists on this PostgreSQL server and is not this user's (another database's user, perhaps); choose another with --login`);
    }
    if (!existingRole) {
      await db.query(`CREATE ROLE ${db.escapeIdentifier(login)} LOGIN`);
      await db.query(`COMMENT ON ROLE ${db.escapeIdentifier(login)} IS ${db.escapeLiteral(marker)}`);
    }
    await setPassword(db, login, input.password);
    await setGroup(db, login, input.role);
    // The sync service may act for this login (SET ROLE; docs/sync-service.md).
    await db.query(`GRANT ${db.escapeIdentifier(login)} TO coordinator_service`);
    await db.query('INSERT INTO sync_db_users (db_role, user_id) VALUES ($1, $2) ON CONFLICT (db_role) DO NOTHING', [login, user.id]);
    if (user.role !== input.role) await db.query('UPDATE users SET role = $2, updated_at = now() WHERE id = $1', [user.id, input.role]);
    log.info('login granted', { user: user.id, login, role: input.role });
    return member(db, user.id);
  });
}

/** Changes the user's role, and the login's group role with it (row-level security follows). */
export async function grantRole(db: Db, username: string, role: TeamRole): Promise<TeamMember> {
  return inTransaction(db, async () => {
    const user = await requireUser(db, username);
    const login = await loginOf(db, user.id);
    if (login) await setGroup(db, login, role);
    if (user.role !== role) await db.query('UPDATE users SET role = $2, updated_at = now() WHERE id = $1', [user.id, role]);
    log.info('role changed', { user: user.id, role });
    return member(db, user.id);
  });
}

/**
 * Takes access away at once: the login can no longer connect, its open sessions are cut and the
 * mapping is dropped. The user row stays (their history keeps its author); the laptop's unsynced
 * work stays on the laptop.
 */
export async function revokeUser(db: Db, username: string): Promise<{ user: TeamMember; logins: string[]; sessionsEnded: number }> {
  const { user, logins } = await inTransaction(db, async () => {
    const u = await requireUser(db, username);
    const { rows } = await db.query<{ db_role: string }>('SELECT db_role FROM sync_db_users WHERE user_id = $1 ORDER BY db_role', [u.id]);
    if (rows.length === 0) throw new AppError('NOT_FOUND', `${u.username} has no database login to revoke`);
    for (const { db_role } of rows) await db.query(`ALTER ROLE ${db.escapeIdentifier(db_role)} NOLOGIN`);
    await db.query('DELETE FROM sync_db_users WHERE user_id = $1', [u.id]);
    return { user: u, logins: rows.map((r) => r.db_role) };
  });
  // After the commit: a session cut earlier could reconnect before NOLOGIN is visible.
  const ended = await db.query<{ n: string }>('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE usename = ANY($1::text[])', [logins]);
  log.info('login revoked', { user: user.id, logins });
  return { user: await member(db, user.id), logins, sessionsEnded: Number(ended.rows[0]?.n ?? 0) };
}

export async function resetPassword(db: Db, username: string, password: string): Promise<TeamMember> {
  return inTransaction(db, async () => {
    const user = await requireUser(db, username);
    const login = await loginOf(db, user.id);
    if (!login) throw new AppError('NOT_FOUND', `${user.username} has no database login; give access with \`admin user add\``);
    await setPassword(db, login, password);
    log.info('password reset', { user: user.id, login });
    return member(db, user.id);
  });
}

const MEMBER_SQL = `
  SELECT u.id::text AS user_id, u.username, u.name AS full_name, u.email, u.role::text AS role, u.is_active,
         m.db_role AS login, coalesce(r.rolcanlogin, false) AS can_login
  FROM users u
  LEFT JOIN sync_db_users m ON m.user_id = u.id
  LEFT JOIN pg_roles r ON r.rolname = m.db_role`;

interface MemberRow {
  user_id: string;
  username: string;
  full_name: string;
  email: string;
  role: TeamRole;
  is_active: boolean;
  login: string | null;
  can_login: boolean;
}

const toMember = (r: MemberRow): TeamMember => ({ userId: r.user_id, username: r.username, fullName: r.full_name, email: r.email, role: r.role, isActive: r.is_active, login: r.login, canLogin: r.can_login });

async function member(db: Db, userId: string): Promise<TeamMember> {
  const { rows } = await db.query<MemberRow>(`${MEMBER_SQL} WHERE u.id = $1`, [userId]);
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', 'The user disappeared while being changed');
  return toMember(row);
}

export async function listUsers(db: Db): Promise<TeamMember[]> {
  const { rows } = await db.query<MemberRow>(`${MEMBER_SQL} ORDER BY lower(u.username), u.id`);
  return rows.map(toMember);
}

export interface WhoAmI {
  userId: string;
  username: string;
  fullName: string;
  email: string;
  role: TeamRole;
  login: string;
}

/** The server's answer to "who is this login" (coordinator_whoami). */
export async function whoami(db: Pick<pg.ClientBase, 'query'>): Promise<WhoAmI> {
  try {
    const { rows } = await db.query<{ user_id: string; username: string; full_name: string; email: string; role: TeamRole; db_login: string }>('SELECT user_id::text, username, full_name, email, role, db_login FROM coordinator_whoami()');
    const r = rows[0];
    if (!r) throw new AppError('FORBIDDEN', 'This login is not mapped to a Coordinator user');
    return { userId: r.user_id, username: r.username, fullName: r.full_name, email: r.email, role: r.role, login: r.db_login };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '28000' && error instanceof Error) throw new AppError('FORBIDDEN', error.message);
    if (code === '42883') throw new AppError('UNAVAILABLE', 'The central database has no coordinator_whoami(); run `coordinator migrate` on it first');
    throw error;
  }
}
