import type { Core } from '../app/core';
import { AppError } from '../common/errors';
import { shortId } from './output';

/**
 * The one place that turns what a person types for a record (a UUID, a part of one, or — where the
 * option allows it — a name) into an id. Every command that takes an id goes through
 * `resolveRef`, so "too short", "ambiguous" and "not found" read the same everywhere, and the
 * services only ever see whole ids.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** At least 8 hex digits (hyphens allowed), shorter than a whole UUID. */
const FRAGMENT = /^(?=(?:[^0-9a-f]*[0-9a-f]){8})[0-9a-f-]{8,35}$/i;
/** Hex and hyphens only, but fewer than 8 digits: clearly meant as an id, just too short. */
const SHORT_FRAGMENT = /^[0-9a-f-]{1,}$/i;
/** A change the server refused is listed (and dismissed) as `outbox:<sequence>`. */
const OUTBOX_REF = /^outbox:\d+$/i;

export const MIN_ID_CHARS = 8;
export const isUuid = (value: string): boolean => UUID.test(value.trim());
export const isIdFragment = (value: string): boolean => FRAGMENT.test(value.trim());

export type RefKind = 'task' | 'project' | 'employee' | 'user' | 'notification' | 'conflict' | 'action' | 'memory';

interface RefSpec {
  table: string;
  /** Shown beside each candidate when a fragment is ambiguous. */
  label: string;
  /** Columns a name may match (case-insensitive), for kinds whose options accept a name. */
  names?: string[];
  /** When a name matches several rows, the one row matching this condition wins (an active project). */
  prefer?: string;
  /** The command whose table shows these ids, for the hint. */
  listedBy?: string;
}

const SPECS: Record<RefKind, RefSpec> = {
  task: { table: 'tasks', label: 'title', listedBy: 'task list' },
  project: { table: 'projects', label: 'name', names: ['name'], prefer: "status NOT IN ('done', 'cancelled')", listedBy: 'project list' },
  employee: { table: 'employees', label: 'name', names: ['name', 'email'], prefer: 'is_active = 1', listedBy: 'employee list' },
  user: { table: 'users', label: 'name', names: ['name', 'username'] },
  notification: { table: 'notifications', label: 'title', listedBy: 'notifications' },
  conflict: { table: 'sync_conflicts', label: "table_name || '.' || coalesce(field, '*')", listedBy: 'conflicts list' },
  action: { table: 'ai_actions', label: 'action_type', listedBy: 'actions list' },
  memory: { table: 'memory_embeddings', label: 'content_type', listedBy: 'search' },
};

interface Candidate {
  id: string;
  label: string;
}

export interface ResolveOptions {
  /** The option or argument being resolved, for messages: `--project`, `<id>`. */
  flag?: string;
  /** Only rows with this column value are candidates (the current user's notifications). */
  scope?: { column: string; value: string };
}

/**
 * Rows whose id starts or ends with the fragment. Tables show the last 8 characters of an id
 * (the random part: UUIDv7s made in the same minute share their first 8), and a prefix copied from
 * a full id works too.
 */
function byFragment(core: Core, spec: RefSpec, fragment: string, scope?: ResolveOptions['scope']): Candidate[] {
  const f = fragment.trim().toLowerCase();
  const where = scope ? `AND ${scope.column} = ?` : '';
  const params: string[] = [`${f}%`, `%${f}`];
  if (scope) params.push(scope.value);
  return core.db
    .prepare(`SELECT id, ${spec.label} AS label FROM ${spec.table} WHERE (id LIKE ? OR id LIKE ?) ${where} ORDER BY id LIMIT 6`)
    .all(...params) as Candidate[];
}

const sameName = (a: unknown, b: string): boolean =>
  typeof a === 'string' && a.trim().localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** Names compare without regard to case in any script, hence in JS rather than SQLite's ASCII-only lower(). */
function byName(core: Core, spec: RefSpec, name: string): Candidate[] {
  const columns = spec.names ?? [];
  const rows = core.db
    .prepare(`SELECT id, ${spec.label} AS label, ${spec.prefer ?? '0'} AS preferred, ${columns.map((c, i) => `${c} AS n${i}`).join(', ')} FROM ${spec.table} ORDER BY created_at, id`)
    .all() as (Candidate & Record<string, unknown>)[];
  const matches = rows.filter((r) => columns.some((_, i) => sameName(r[`n${i}`], name)));
  const preferred = matches.filter((r) => r.preferred === 1);
  return matches.length > 1 && preferred.length === 1 ? preferred : matches;
}

function pickOne(what: string, typed: string, matches: Candidate[]): string | null {
  if (matches.length === 1) return (matches[0] as Candidate).id;
  if (matches.length === 0) return null;
  const shown = matches
    .slice(0, 5)
    .map((m) => `${shortId(m.id)} ${m.label}`)
    .join(', ');
  throw new AppError('VALIDATION', `"${typed}" matches more than one ${what} (${shown}${matches.length > 5 ? ', …' : ''}); give more of the id`);
}

const article = (noun: string): string => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);
const forFlag = (options: ResolveOptions) => (options.flag ? ` (${options.flag})` : '');
const listed = (spec: RefSpec) => (spec.listedBy ? ` as shown by \`coordinator ${spec.listedBy}\`` : '');

/**
 * Resolves a typed reference to one id: a whole UUID (returned as is, the service checks it
 * exists), a unique part of ≥ 8 characters from the start or end of an id, or a name where the
 * kind has names. Throws VALIDATION for empty / too short / ambiguous input and NOT_FOUND when
 * nothing matches.
 */
export function resolveRef(core: Core, kind: RefKind, typed: string, options: ResolveOptions = {}): string {
  const spec = SPECS[kind];
  const value = typed.trim();
  if (value === '') {
    throw new AppError('VALIDATION', `Invalid input: give ${article(kind)} id${spec.names ? ' or name' : ''}${forFlag(options)}`, [
      { path: options.flag?.replace(/^--/, '') ?? 'id', message: 'is required' },
    ]);
  }
  if (isUuid(value)) return value.toLowerCase();
  if (kind === 'conflict' && OUTBOX_REF.test(value)) {
    const seq = Number(value.slice('outbox:'.length));
    if (core.sync.outbox.rejected().some((entry) => entry.seq === seq)) return `outbox:${seq}`;
    throw new AppError('NOT_FOUND', `No refused change ${value}; see \`coordinator conflicts list\``);
  }
  if (spec.names) {
    const named = pickOne(`${kind} named that`, value, byName(core, spec, value));
    if (named) return named;
  }
  if (isIdFragment(value)) {
    const id = pickOne(kind, value, byFragment(core, spec, value, options.scope));
    if (id) return id;
    throw new AppError('NOT_FOUND', `No ${kind} has an id matching "${value}"${forFlag(options)}`);
  }
  if (spec.names) throw new AppError('NOT_FOUND', `No ${kind} with the id or name "${value}"${forFlag(options)}`);
  if (SHORT_FRAGMENT.test(value)) {
    throw new AppError(
      'VALIDATION',
      `"${value}" is too short to identify ${article(kind)}${forFlag(options)}: give at least ${MIN_ID_CHARS} characters of its id${listed(spec)}, or the whole id`,
      [{ path: options.flag?.replace(/^--/, '') ?? 'id', message: `needs at least ${MIN_ID_CHARS} characters` }],
    );
  }
  throw new AppError('VALIDATION', `"${value.slice(0, 60)}" is not ${article(kind)} id${forFlag(options)}: give the whole id or at least ${MIN_ID_CHARS} of its characters${listed(spec)}`, [
    { path: options.flag?.replace(/^--/, '') ?? 'id', message: 'is not an id' },
  ]);
}

export const resolveTaskId = (core: Core, typed: string, flag?: string): string => resolveRef(core, 'task', typed, { flag });

/** Only the current user's notifications are candidates for a fragment. */
export function resolveNotificationId(core: Core, typed: string): string {
  const me = core.session.currentUserId;
  return resolveRef(core, 'notification', typed, me ? { scope: { column: 'user_id', value: me } } : {});
}

export const resolveProject = (core: Core, typed: string, flag = '--project'): string => resolveRef(core, 'project', typed, { flag });

/** Employees by id, name or email. */
export const resolveEmployee = (core: Core, typed: string, flag: string): string => resolveRef(core, 'employee', typed, { flag });

/** Users by id, full name or username. */
export const resolveUser = (core: Core, typed: string, flag: string): string => resolveRef(core, 'user', typed, { flag });
