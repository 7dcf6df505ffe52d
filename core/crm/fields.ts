import { PROJECT_STATUSES, TASK_PRIORITIES, TASK_STATUSES } from '../../shared/enums';
import { normalizeText } from './html';
import { priorityCode, priorityOf, projectStatusCode, projectStatusOf, taskStatusCode, taskStatusOf } from './codes';
import type { CommentRecord, ProjectRecord, RecordOf, TaskRecord } from './records';
import type { CrmEntity } from './tables';
import { isoToLocalDate, isoToNaive, naiveToIso } from './timezone';

/** Lookups between CRM ids and central ids, and the CRM's timezone. */
export interface MapContext {
  timeZone: string;
  employeeForStaff(staffId: number): string | null;
  staffForEmployee(employeeId: string): number | null;
  userForStaff(staffId: number): string | null;
  staffForUser(userId: string): number | null;
  projectForCrm(crmId: number): string | null;
  crmForProject(projectId: string): number | null;
  taskForCrm(crmId: number): string | null;
  crmForTask(taskId: string): number | null;
  /** Plain text as a CRM table can store it (4-byte characters replaced in utf8mb3 tables). */
  fitPlain(table: 'projects' | 'tasks', value: string): string;
}

/**
 * One shared field: its CRM-space key, its central column, and the conversions both ways.
 * `toCrm` receives the CRM's previous value so that what the CRM holds beyond what Coordinator can
 * express (an unknown status code, extra assignees, a time of day) is kept.
 */
export interface FieldSpec<R> {
  key: keyof R & string;
  column: string;
  direction: 'both' | 'import';
  /** Long text follows the text-copy conflict policy; the rest are scalars. */
  kind: 'scalar' | 'text' | 'instant';
  toCentral(value: unknown, ctx: MapContext): unknown;
  toCrm(value: unknown, previous: unknown, ctx: MapContext): unknown;
}

const text = <R>(key: keyof R & string, column: string): FieldSpec<R> => ({
  key, column, direction: 'both', kind: 'text',
  toCentral: (v) => normalizeText(typeof v === 'string' ? v : ''),
  toCrm: (v) => normalizeText(typeof v === 'string' ? v : ''),
});

/** Plain text in a CRM column: compared as that column can hold it, so a replaced emoji is not an edit. */
const plainText = <R>(key: keyof R & string, column: string, table: 'projects' | 'tasks'): FieldSpec<R> => ({
  ...text<R>(key, column),
  toCrm: (v, _prev, ctx) => ctx.fitPlain(table, normalizeText(typeof v === 'string' ? v : '')),
});

const nullableText = <R>(key: keyof R & string, column: string): FieldSpec<R> => ({
  ...text<R>(key, column),
  toCentral: (v) => (typeof v === 'string' && normalizeText(v) !== '' ? normalizeText(v) : null),
});

const date = <R>(key: keyof R & string, column: string): FieldSpec<R> => ({
  key, column, direction: 'both', kind: 'scalar',
  toCentral: (v) => (typeof v === 'string' ? v : null),
  toCrm: (v) => (typeof v === 'string' ? v.slice(0, 10) : null),
});

const inEnum = <T extends readonly string[]>(values: T, v: unknown): v is T[number] => typeof v === 'string' && values.includes(v);

export const PROJECT_FIELDS: FieldSpec<ProjectRecord>[] = [
  plainText<ProjectRecord>('name', 'name', 'projects'),
  nullableText<ProjectRecord>('description', 'description'),
  {
    key: 'status', column: 'status', direction: 'both', kind: 'scalar',
    toCentral: (v) => projectStatusOf(Number(v)),
    toCrm: (v, prev) => (inEnum(PROJECT_STATUSES, v) ? projectStatusCode(v) : prev),
  },
  { ...date<ProjectRecord>('startDate', 'start_date'), toCrm: (v, prev) => (typeof v === 'string' ? v.slice(0, 10) : prev) },
  date<ProjectRecord>('deadline', 'deadline'),
  {
    // Perfex stamps date_finished itself when a project is finished; Coordinator's end date follows it.
    key: 'dateFinished', column: 'end_date', direction: 'import', kind: 'scalar',
    toCentral: (v) => (typeof v === 'string' ? v.slice(0, 10) : null),
    toCrm: (_v, prev) => prev,
  },
];

export const TASK_FIELDS: FieldSpec<TaskRecord>[] = [
  plainText<TaskRecord>('name', 'title', 'tasks'),
  nullableText<TaskRecord>('description', 'description'),
  {
    key: 'status', column: 'status', direction: 'both', kind: 'scalar',
    toCentral: (v) => taskStatusOf(Number(v)),
    toCrm: (v, prev) => (inEnum(TASK_STATUSES, v) ? taskStatusCode(v) : prev),
  },
  {
    key: 'priority', column: 'priority', direction: 'both', kind: 'scalar',
    toCentral: (v) => priorityOf(v == null ? null : Number(v)),
    toCrm: (v, prev) => (inEnum(TASK_PRIORITIES, v) ? priorityCode(v) : prev),
  },
  {
    // A CRM start date is a calendar day: midnight in the CRM's zone. `startdate` is NOT NULL there.
    key: 'startDate', column: 'start_time', direction: 'both', kind: 'instant',
    toCentral: (v, ctx) => (typeof v === 'string' ? naiveToIso(`${v} 00:00:00`, ctx.timeZone) : null),
    toCrm: (v, prev, ctx) => (typeof v === 'string' ? isoToLocalDate(v, ctx.timeZone) : prev),
  },
  date<TaskRecord>('dueDate', 'due_date'),
  {
    key: 'dateFinished', column: 'completed_at', direction: 'both', kind: 'instant',
    toCentral: (v, ctx) => (typeof v === 'string' ? naiveToIso(v, ctx.timeZone) : null),
    toCrm: (v, _prev, ctx) => (typeof v === 'string' ? isoToNaive(v, ctx.timeZone) : null),
  },
  {
    key: 'projectCrmId', column: 'project_id', direction: 'both', kind: 'scalar',
    toCentral: (v, ctx) => (typeof v === 'number' ? ctx.projectForCrm(v) : null),
    toCrm: (v, prev, ctx) => (typeof v === 'string' ? (ctx.crmForProject(v) ?? prev) : prev),
  },
  {
    key: 'assignees', column: 'assigned_to', direction: 'both', kind: 'scalar',
    toCentral: (v, ctx) => {
      const first = Array.isArray(v) ? v[0] : undefined;
      return typeof first === 'number' ? ctx.employeeForStaff(first) : null;
    },
    // The primary assignee is replaced; other CRM assignees stay. Unassigning removes the primary.
    toCrm: (v, prev, ctx) => {
      const list = Array.isArray(prev) ? prev.filter((x): x is number => typeof x === 'number') : [];
      if (v == null) return list.slice(1);
      const staff = typeof v === 'string' ? ctx.staffForEmployee(v) : null;
      if (staff == null) return list;
      return [staff, ...list.slice(1).filter((s) => s !== staff)];
    },
  },
  {
    key: 'seconds', column: 'actual_hours', direction: 'import', kind: 'scalar',
    toCentral: (v) => (typeof v === 'number' && v > 0 ? Math.round((v / 3600) * 100) / 100 : null),
    toCrm: (_v, prev) => prev,
  },
];

export const COMMENT_FIELDS: FieldSpec<CommentRecord>[] = [text<CommentRecord>('content', 'content')];

export const FIELDS: { [E in Exclude<CrmEntity, 'staff'>]: FieldSpec<RecordOf[E]>[] } = {
  projects: PROJECT_FIELDS,
  tasks: TASK_FIELDS,
  comments: COMMENT_FIELDS,
};

/** Equality in CRM space (records are JSON-shaped). */
export const sameCrm = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Equality in central space: instants by time, text after normalisation, numbers by value. */
export function sameCentral(kind: FieldSpec<unknown>['kind'], a: unknown, b: unknown): boolean {
  if (a == null || b == null) return (a ?? null) === (b ?? null) || (kind === 'text' && normalizeText(String(a ?? '')) === normalizeText(String(b ?? '')));
  if (kind === 'instant') return Date.parse(String(a)) === Date.parse(String(b));
  if (kind === 'text') return normalizeText(String(a)) === normalizeText(String(b));
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return a === b;
}

/** The CRM value for a central value: the CRM's own value when it already means the same thing. */
export function exportValue<R>(field: FieldSpec<R>, centralValue: unknown, previous: unknown, ctx: MapContext): unknown {
  if (field.direction === 'import') return previous;
  if (sameCentral(field.kind, field.toCentral(previous, ctx), centralValue)) return previous;
  return field.toCrm(centralValue, previous, ctx);
}
