import type { Core } from '../app/core';
import { AppError } from '../common/errors';
import { shortId } from './output';

/**
 * Read-only lookups that turn what a person types (a UUID, a fragment of one, a name) into ids.
 * The services then validate and act on the id; a string that is neither a UUID nor a usable
 * fragment is passed through unchanged so the service's own VALIDATION message explains it.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** At least 8 hex digits (hyphens allowed), shorter than a whole UUID. */
const FRAGMENT = /^(?=(?:[^0-9a-f]*[0-9a-f]){8})[0-9a-f-]{8,35}$/i;

export const isUuid = (value: string): boolean => UUID.test(value.trim());
export const isIdFragment = (value: string): boolean => FRAGMENT.test(value.trim());

interface Candidate {
  id: string;
  label: string;
}

type IdTable = 'tasks' | 'projects' | 'employees' | 'users' | 'notifications';

const LABEL_COLUMN: Record<IdTable, string> = {
  tasks: 'title',
  projects: 'name',
  employees: 'name',
  users: 'name',
  notifications: 'title',
};

const NOUN: Record<IdTable, string> = {
  tasks: 'task',
  projects: 'project',
  employees: 'employee',
  users: 'user',
  notifications: 'notification',
};

/**
 * Rows whose id starts or ends with the fragment. Tables show the last 8 characters of an id
 * (the random part: UUIDv7s made in the same minute share their first 8), and a prefix copied from
 * a full id works too.
 */
function byFragment(core: Core, table: IdTable, fragment: string, scope?: { column: string; value: string }): Candidate[] {
  const f = fragment.trim().toLowerCase();
  const where = scope ? `AND ${scope.column} = ?` : '';
  const params: string[] = [`${f}%`, `%${f}`];
  if (scope) params.push(scope.value);
  return core.db
    .prepare(`SELECT id, ${LABEL_COLUMN[table]} AS label FROM ${table} WHERE (id LIKE ? OR id LIKE ?) ${where} ORDER BY id LIMIT 6`)
    .all(...params) as Candidate[];
}

function ambiguous(what: string, typed: string, matches: Candidate[]): AppError {
  const shown = matches
    .slice(0, 5)
    .map((m) => `${shortId(m.id)} ${m.label}`)
    .join(', ');
  return new AppError('VALIDATION', `"${typed}" matches more than one ${what} (${shown}${matches.length > 5 ? ', …' : ''}); give more of the id`);
}

function pickOne(what: string, typed: string, matches: Candidate[]): string | null {
  if (matches.length === 1) return (matches[0] as Candidate).id;
  if (matches.length > 1) throw ambiguous(what, typed, matches);
  return null;
}

/** An id argument: whole UUID, or an unambiguous fragment of ≥ 8 characters. */
function resolveId(core: Core, table: IdTable, typed: string, scope?: { column: string; value: string }): string {
  const value = typed.trim();
  if (isUuid(value)) return value.toLowerCase();
  if (!isIdFragment(value)) return typed; // let the service explain why it is not an id
  const id = pickOne(NOUN[table], value, byFragment(core, table, value, scope));
  if (id) return id;
  throw new AppError('NOT_FOUND', `No ${NOUN[table]} has an id matching "${value}"`);
}

export const resolveTaskId = (core: Core, typed: string): string => resolveId(core, 'tasks', typed);

/** Only the current user's notifications are candidates for a fragment. */
export function resolveNotificationId(core: Core, typed: string): string {
  const me = core.session.currentUserId;
  return resolveId(core, 'notifications', typed, me ? { column: 'user_id', value: me } : undefined);
}

const sameName = (a: string | null, b: string): boolean =>
  a !== null && a.trim().localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/**
 * A reference that may also be a name: projects, employees, users. Names compare without regard
 * to case (in any script, hence in JS rather than SQLite's ASCII-only lower()) and must be unique.
 */
function resolveNamed(core: Core, table: 'projects' | 'employees' | 'users', typed: string, flag: string, altColumn: string | null): string {
  const value = typed.trim();
  if (value === '') throw new AppError('VALIDATION', `Invalid input: ${flag} needs a value`, [{ path: flag.replace(/^--/, ''), message: 'is required' }]);
  if (isUuid(value)) return value.toLowerCase();
  const rows = core.db
    .prepare(`SELECT id, ${LABEL_COLUMN[table]} AS label, ${altColumn ?? 'NULL'} AS alt FROM ${table} ORDER BY created_at, id`)
    .all() as (Candidate & { alt: string | null })[];
  const named = rows.filter((r) => sameName(r.label, value) || sameName(r.alt, value));
  const byName = pickOne(`${NOUN[table]} named that`, value, named);
  if (byName) return byName;
  if (isIdFragment(value)) {
    const byId = pickOne(NOUN[table], value, byFragment(core, table, value));
    if (byId) return byId;
  }
  throw new AppError('NOT_FOUND', `No ${NOUN[table]} with the id or name "${value}" (${flag})`);
}

export const resolveProject = (core: Core, typed: string, flag = '--project'): string => resolveNamed(core, 'projects', typed, flag, null);

/** Employees by id, name or email. */
export const resolveEmployee = (core: Core, typed: string, flag: string): string => resolveNamed(core, 'employees', typed, flag, 'email');

/** Users by id, full name or username. */
export const resolveUser = (core: Core, typed: string, flag: string): string => resolveNamed(core, 'users', typed, flag, 'username');
