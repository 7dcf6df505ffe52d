import { z } from 'zod';
import { htmlToText, normalizeText } from './html';
import { crmDate, crmDateTime } from './timezone';
import type { CrmEntity } from './tables';

/**
 * CRM rows as the bridge sees them: validated raw rows turned into "CRM-space" records, the
 * form kept in the merge base. Text is plain (HTML converted), dates are normalised, zero dates null.
 */

const int = z.coerce.number().int();
const intOrNull = z.union([z.null(), z.coerce.number().int()]);
const str = z.string();
const strOrNull = z.string().nullable();
const hash = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);

const staffRow = z.object({ id: int.positive(), email: str, firstname: str, lastname: str, admin: int, active: int, h: hash });
const projectRow = z.object({
  id: int.positive(), name: str, description: strOrNull, status: int, start_date: strOrNull, deadline: strOrNull, date_finished: strOrNull,
  project_created: strOrNull, addedfrom: intOrNull, h: hash,
});
const taskRow = z.object({
  id: int.positive(), name: strOrNull, description: strOrNull, priority: intOrNull, status: int, startdate: strOrNull, duedate: strOrNull,
  datefinished: strOrNull, rel_id: intOrNull, dateadded: strOrNull, addedfrom: intOrNull, assignees: strOrNull, seconds: z.union([z.null(), z.coerce.number()]), h: hash,
});
const commentRow = z.object({ id: int.positive(), content: strOrNull, taskid: int, staffid: int, contact_id: intOrNull, dateadded: strOrNull, h: hash });

export interface StaffRecord {
  email: string;
  name: string;
  admin: boolean;
  active: boolean;
}
export interface ProjectRecord {
  name: string;
  description: string;
  status: number;
  startDate: string | null;
  deadline: string | null;
  dateFinished: string | null;
  /** Creation day and creator: read on import only (absent from bases stored before they were read). */
  createdOn?: string | null;
  addedFrom?: number;
}
export interface TaskRecord {
  name: string;
  description: string;
  priority: number | null;
  status: number;
  startDate: string | null;
  dueDate: string | null;
  dateFinished: string | null;
  projectCrmId: number | null;
  /** Distinct assignees in the CRM's order; the first is the task's `assigned_to`, the rest are kept. */
  assignees: number[];
  /** Seconds logged by finished timers. */
  seconds: number;
  dateAdded: string | null;
  addedFrom: number;
}
export interface CommentRecord {
  content: string;
  taskCrmId: number;
  staffId: number;
  contactId: number;
  dateAdded: string | null;
}
export interface RecordOf {
  staff: StaffRecord;
  projects: ProjectRecord;
  tasks: TaskRecord;
  comments: CommentRecord;
}

export interface CrmRow<E extends CrmEntity> {
  crmId: number;
  hash: string;
  record: RecordOf[E];
}

function distinctIds(list: string | null): number[] {
  const out: number[] = [];
  for (const part of (list ?? '').split(',')) {
    const id = Number(part);
    if (Number.isInteger(id) && id > 0 && !out.includes(id)) out.push(id);
  }
  return out;
}

const PARSERS: { [E in CrmEntity]: (raw: unknown) => CrmRow<E> } = {
  staff: (raw) => {
    const r = staffRow.parse(raw);
    return { crmId: r.id, hash: r.h, record: { email: r.email.trim().toLowerCase(), name: `${r.firstname} ${r.lastname}`.trim(), admin: r.admin === 1, active: r.active === 1 } };
  },
  projects: (raw) => {
    const r = projectRow.parse(raw);
    return {
      crmId: r.id, hash: r.h,
      record: {
        name: normalizeText(r.name), description: htmlToText(r.description), status: r.status, startDate: crmDate(r.start_date), deadline: crmDate(r.deadline),
        dateFinished: crmDateTime(r.date_finished), createdOn: crmDate(r.project_created), addedFrom: r.addedfrom ?? 0,
      },
    };
  },
  tasks: (raw) => {
    const r = taskRow.parse(raw);
    return {
      crmId: r.id, hash: r.h,
      record: {
        name: normalizeText(r.name ?? ''), description: htmlToText(r.description), priority: r.priority, status: r.status,
        startDate: crmDate(r.startdate), dueDate: crmDate(r.duedate), dateFinished: crmDateTime(r.datefinished),
        projectCrmId: r.rel_id, assignees: distinctIds(r.assignees), seconds: Math.max(0, Math.round(r.seconds ?? 0)),
        dateAdded: crmDateTime(r.dateadded), addedFrom: r.addedfrom ?? 0,
      },
    };
  },
  comments: (raw) => {
    const r = commentRow.parse(raw);
    return { crmId: r.id, hash: r.h, record: { content: htmlToText(r.content), taskCrmId: r.taskid, staffId: r.staffid, contactId: r.contact_id ?? 0, dateAdded: crmDateTime(r.dateadded) } };
  },
};

/** Validates a raw CRM row; a row that does not fit throws a ZodError, which the caller reports and skips. */
export function parseCrmRow<E extends CrmEntity>(entity: E, raw: unknown): CrmRow<E> {
  return PARSERS[entity](raw) as CrmRow<E>;
}
