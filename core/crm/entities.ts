import type { EntityTable } from '../mutations/types';
import { normalizeText } from './html';
import type { CentralRow } from './central-side';
import type { CrmWriter } from './crm-writer';
import { exportValue, FIELDS, type FieldSpec, type MapContext } from './fields';
import type { RecordOf } from './records';
import { isoToLocalDate, isoToNaive, naiveToIso } from './timezone';

export type SharedEntity = 'projects' | 'tasks' | 'comments';

/** Extra lookups the entity rules need beyond id mapping. */
export interface EntityContext extends MapContext {
  userName(userId: string): string | null;
  nextCommentOrder(taskId: string): number;
}

/** What differs per shared entity: its central table, references, and how rows are created on either side. */
export interface EntityRules<E extends SharedEntity> {
  table: EntityTable;
  crmColumn: string;
  fields: FieldSpec<RecordOf[E]>[];
  /** Why a CRM row cannot be imported (a missing parent), or null. */
  importBlocker(record: RecordOf[E], ctx: EntityContext): string | null;
  /** Central columns of a new row beyond the shared fields. */
  insertExtras(record: RecordOf[E], ctx: EntityContext): Record<string, unknown>;
  /** A central row as a new CRM record, or a reason it stays Coordinator-only (`report`: tell the person reconciling). */
  toNewRecord(row: CentralRow, ctx: EntityContext): RecordOf[E] | { skip: string; report?: boolean };
  update(writer: CrmWriter, crmId: number, patch: Partial<RecordOf[E]>, label: string): Promise<void>;
  insert(writer: CrmWriter, record: RecordOf[E], row: CentralRow, ctx: EntityContext, label: string): Promise<number>;
  remove(writer: CrmWriter, crmId: number): Promise<void>;
  label(row: CentralRow | null, record: RecordOf[E] | null): string;
}

/** A CRM record built from a central row through the fields' own conversions. */
function recordFrom<R extends object>(fields: FieldSpec<R>[], row: CentralRow, defaults: R, ctx: MapContext): R {
  const out: R = { ...defaults };
  for (const f of fields) {
    if (f.direction === 'both') Object.assign(out, { [f.key]: exportValue(f, row[f.column], defaults[f.key], ctx) });
  }
  return out;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

export const RULES: { [E in SharedEntity]: EntityRules<E> } = {
  projects: {
    table: 'projects',
    crmColumn: 'crm_project_id',
    fields: FIELDS.projects,
    importBlocker: () => null,
    insertExtras: (r, ctx) => ({
      ...(r.createdOn ? { created_at: naiveToIso(`${r.createdOn} 00:00:00`, ctx.timeZone) } : {}),
      ...(r.addedFrom ? { created_by: ctx.userForStaff(r.addedFrom) } : {}),
    }),
    toNewRecord: (row, ctx) =>
      recordFrom(FIELDS.projects, row, { name: '', description: '', status: 1, startDate: null, deadline: null, dateFinished: null, createdOn: null, addedFrom: 0 }, ctx),
    update: (w, id, patch, label) => w.updateProject(id, patch, label),
    insert: (w, r, row, ctx, label) =>
      w.insertProject(r, isoToLocalDate(str(row.created_at), ctx.timeZone) ?? new Date().toISOString().slice(0, 10), str(row.created_by) ? ctx.staffForUser(String(row.created_by)) : null, label),
    remove: (w, id) => w.deleteProject(id),
    label: (row, r) => `project "${String(row?.name ?? r?.name ?? '')}"`,
  },
  tasks: {
    table: 'tasks',
    crmColumn: 'crm_task_id',
    fields: FIELDS.tasks,
    importBlocker: (r, ctx) =>
      r.projectCrmId == null || ctx.projectForCrm(r.projectCrmId) == null ? `its project ${r.projectCrmId ?? '(none)'} does not exist in the CRM (deleted?)` : null,
    insertExtras: (r, ctx) => ({
      created_by: ctx.userForStaff(r.addedFrom),
      ...(r.dateAdded ? { created_at: naiveToIso(r.dateAdded, ctx.timeZone) } : {}),
    }),
    toNewRecord: (row, ctx) => {
      const projectId = str(row.project_id);
      if (!projectId || ctx.crmForProject(projectId) == null) return { skip: 'its project is not in the CRM' };
      const record = recordFrom(FIELDS.tasks, row, {
        name: '', description: '', priority: 2, status: 1, startDate: null, dueDate: null, dateFinished: null, projectCrmId: null,
        assignees: [], seconds: 0, dateAdded: isoToNaive(str(row.created_at), ctx.timeZone), addedFrom: 0,
      }, ctx);
      const creator = str(row.created_by);
      return { ...record, addedFrom: creator ? (ctx.staffForUser(creator) ?? 0) : 0 };
    },
    update: (w, id, patch, label) => w.updateTask(id, patch, label),
    insert: (w, r, _row, _ctx, label) => w.insertTask(r, label),
    remove: (w, id) => w.deleteTask(id),
    label: (row, r) => `task "${String(row?.title ?? r?.name ?? '')}"`,
  },
  comments: {
    table: 'comments',
    crmColumn: 'crm_comment_id',
    fields: FIELDS.comments,
    importBlocker: (r, ctx) => (ctx.taskForCrm(r.taskCrmId) == null ? `its task ${r.taskCrmId} is not a project task in the CRM` : null),
    insertExtras: (r, ctx) => {
      const taskId = ctx.taskForCrm(r.taskCrmId) ?? '';
      const userId = r.staffId > 0 ? ctx.userForStaff(r.staffId) : null;
      return {
        task_id: taskId,
        user_id: userId,
        author: (userId ? ctx.userName(userId) : null) ?? (r.staffId > 0 ? `CRM staff #${r.staffId}` : `Customer contact${r.contactId ? ` #${r.contactId}` : ''}`),
        comment_order: ctx.nextCommentOrder(taskId),
        ...(r.dateAdded ? { created_at: naiveToIso(r.dateAdded, ctx.timeZone) } : {}),
      };
    },
    toNewRecord: (row, ctx) => {
      const taskCrmId = ctx.crmForTask(String(row.task_id));
      if (taskCrmId == null) return { skip: 'its task is not in the CRM' };
      const userId = str(row.user_id);
      const staffId = userId ? ctx.staffForUser(userId) : null;
      // Perfex shows a comment's staff member as its author: never put someone else's name on it.
      if (staffId == null) return { skip: `its author ${String(row.author ?? 'unknown')} has no CRM login, and the CRM would show someone else as the author`, report: true };
      return {
        content: normalizeText(str(row.content)), taskCrmId, staffId, contactId: 0,
        dateAdded: isoToNaive(str(row.created_at), ctx.timeZone),
      };
    },
    update: (w, id, patch, label) => (patch.content !== undefined ? w.updateComment(id, patch.content, label) : Promise.resolve()),
    insert: (w, r, _row, _ctx, label) => w.insertComment(r, label),
    remove: (w, id) => w.deleteComment(id),
    label: (row, r) => `comment ${String(row?.id ?? '').slice(-8) || (r ? `on task ${r.taskCrmId}` : '')}`,
  },
};
