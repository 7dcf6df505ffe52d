import type mysql from 'mysql2/promise';
import { PROJECT_FINISHED_CODE, TASK_DONE_CODE } from './codes';
import type { CrmConnection } from './connect';
import { textToHtml } from './html';
import type { CommentRecord, ProjectRecord, TaskRecord } from './records';

const q = (name: string) => `\`${name}\``;
const ASTRAL = /[\u{10000}-\u{10FFFF}]/gu;

/**
 * Every write the bridge makes into Perfex. Inserts set the NOT NULL columns that have no default
 * (a strict-mode session would refuse them otherwise); completion dates follow Perfex's rules; text
 * going into a utf8mb3 table has its 4-byte characters replaced (HTML gets numeric entities, which
 * render the same; plain text gets U+FFFD) and a warning is recorded.
 */
export function createCrmWriter(
  crm: CrmConnection,
  options: {
    warn: (message: string) => void;
    nowNaive: () => string;
    fallbackStaffId: number;
    /** Throws to refuse the commit: the run no longer holds the reconciler lease (the caller rolls back). */
    beforeCommit: () => Promise<void>;
  },
) {
  const { db, tables: t } = crm;

  function fit(table: string, value: string, html: boolean, what: string): string {
    if (!crm.narrowCharsetTables.has(table) || !ASTRAL.test(value)) return value;
    ASTRAL.lastIndex = 0;
    options.warn(`${what}: ${table} stores utf8mb3, so 4-byte characters (emoji) were written as ${html ? 'HTML entities' : 'U+FFFD'}`);
    return value.replace(ASTRAL, (ch) => (html ? `&#${ch.codePointAt(0)};` : '\uFFFD'));
  }

  /**
   * Perfex needs a creator for every task and project. One made in Coordinator by someone with no CRM
   * login is recorded as the fallback staff member's, and the run says so (never silently).
   */
  function creator(staffId: number | null | undefined): number {
    if (staffId) return staffId;
    options.warn(`Rows created in Coordinator by someone with no CRM login are recorded in the CRM as created by staff #${options.fallbackStaffId}`);
    return options.fallbackStaffId;
  }

  const exec = (sql: string, params: unknown[]) => db.execute<mysql.ResultSetHeader>(sql, params as (string | number | null)[]);

  async function setAssignees(taskId: number, staffIds: number[], assignedFrom: number): Promise<void> {
    const [existing] = await db.query<mysql.RowDataPacket[]>(`SELECT staffid, assigned_from FROM ${q(t.taskAssigned)} WHERE taskid = ? ORDER BY id`, [taskId]);
    const current = [...new Set(existing.map((r) => Number(r.staffid)))];
    if (JSON.stringify(current) === JSON.stringify(staffIds) && existing.length === staffIds.length) return;
    const from = new Map(existing.map((r) => [Number(r.staffid), Number(r.assigned_from)]));
    await exec(`DELETE FROM ${q(t.taskAssigned)} WHERE taskid = ?`, [taskId]);
    for (const staff of staffIds) {
      await exec(`INSERT INTO ${q(t.taskAssigned)} (staffid, taskid, assigned_from, is_assigned_from_contact) VALUES (?, ?, ?, 0)`, [staff, taskId, from.get(staff) ?? assignedFrom]);
    }
  }

  async function deleteTasksWhere(where: string, params: unknown[]): Promise<void> {
    const [rows] = await db.query<mysql.RowDataPacket[]>(`SELECT id FROM ${q(t.tasks)} WHERE ${where}`, params);
    const ids = rows.map((r) => Number(r.id));
    if (ids.length === 0) return;
    // Perfex deletes a task's comments, assignees, followers and timers with it.
    await db.query(`DELETE FROM ${q(t.taskComments)} WHERE taskid IN (?)`, [ids]);
    await db.query(`DELETE FROM ${q(t.taskAssigned)} WHERE taskid IN (?)`, [ids]);
    await db.query(`DELETE FROM ${q(t.taskFollowers)} WHERE taskid IN (?)`, [ids]).catch(() => undefined);
    await db.query(`DELETE FROM ${q(t.taskTimers)} WHERE task_id IN (?)`, [ids]);
    await db.query(`DELETE FROM ${q(t.tasks)} WHERE id IN (?)`, [ids]);
  }

  return {
    begin: () => db.query('START TRANSACTION'),
    async commit() {
      await options.beforeCommit();
      await db.query('COMMIT');
    },
    rollback: () => db.query('ROLLBACK').catch(() => undefined),

    async updateProject(id: number, patch: Partial<ProjectRecord>, label: string): Promise<void> {
      const sets: string[] = [];
      const params: unknown[] = [];
      const set = (col: string, v: unknown) => {
        sets.push(`${col} = ?`);
        params.push(v);
      };
      if (patch.name !== undefined) set('name', fit(t.projects, patch.name, false, label));
      if (patch.description !== undefined) set('description', fit(t.projects, textToHtml(patch.description), true, label));
      if (patch.startDate !== undefined && patch.startDate !== null) set('start_date', patch.startDate);
      if (patch.deadline !== undefined) set('deadline', patch.deadline);
      if (patch.status !== undefined) {
        set('status', patch.status);
        // Finishing a project stamps date_finished; leaving "finished" clears it.
        sets.push(`date_finished = CASE WHEN ? = ${PROJECT_FINISHED_CODE} THEN COALESCE(date_finished, ?) ELSE NULL END`);
        params.push(patch.status, options.nowNaive());
      }
      if (sets.length) await exec(`UPDATE ${q(t.projects)} SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
    },

    async insertProject(r: ProjectRecord, createdOn: string, addedFrom: number | null, label: string): Promise<number> {
      const [res] = await exec(
        `INSERT INTO ${q(t.projects)} (name, description, status, clientid, billing_type, start_date, deadline, project_created, date_finished, progress, addedfrom)
         VALUES (?, ?, ?, 0, 1, ?, ?, ?, ?, 0, ?)`,
        [fit(t.projects, r.name, false, label), fit(t.projects, textToHtml(r.description), true, label), r.status, r.startDate ?? createdOn, r.deadline, createdOn,
          r.status === PROJECT_FINISHED_CODE ? options.nowNaive() : null, creator(addedFrom)],
      );
      return res.insertId;
    },

    async deleteProject(id: number): Promise<void> {
      await deleteTasksWhere(`rel_type = 'project' AND rel_id = ?`, [id]);
      await exec(`DELETE FROM ${q(t.projectMembers)} WHERE project_id = ?`, [id]).catch(() => undefined);
      await exec(`DELETE FROM ${q(t.projects)} WHERE id = ?`, [id]);
    },

    async updateTask(id: number, patch: Partial<TaskRecord>, label: string): Promise<void> {
      const sets: string[] = [];
      const params: unknown[] = [];
      const set = (col: string, v: unknown) => {
        sets.push(`${col} = ?`);
        params.push(v);
      };
      if (patch.name !== undefined) set('name', fit(t.tasks, patch.name, false, label));
      if (patch.description !== undefined) set('description', fit(t.tasks, textToHtml(patch.description), true, label));
      if (patch.priority !== undefined) set('priority', patch.priority);
      if (patch.startDate !== undefined && patch.startDate !== null) set('startdate', patch.startDate);
      if (patch.dueDate !== undefined) set('duedate', patch.dueDate);
      if (patch.projectCrmId !== undefined && patch.projectCrmId !== null) set('rel_id', patch.projectCrmId);
      if (patch.status !== undefined) set('status', patch.status);
      if (patch.status !== undefined || patch.dateFinished !== undefined) {
        // Completing stamps datefinished, reopening clears it (as Perfex does).
        sets.push(`datefinished = CASE WHEN status = ${TASK_DONE_CODE} THEN COALESCE(?, datefinished, ?) ELSE NULL END`);
        params.push(patch.dateFinished ?? null, options.nowNaive());
      }
      if (sets.length) await exec(`UPDATE ${q(t.tasks)} SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
      if (patch.assignees !== undefined) await setAssignees(id, patch.assignees, options.fallbackStaffId);
    },

    async insertTask(r: TaskRecord, label: string): Promise<number> {
      const added = r.dateAdded ?? options.nowNaive();
      const addedFrom = creator(r.addedFrom);
      const [res] = await exec(
        `INSERT INTO ${q(t.tasks)} (name, description, priority, dateadded, startdate, duedate, datefinished, addedfrom, is_added_from_contact,
           status, rel_id, rel_type, is_public, billable, hourly_rate, milestone, kanban_order, visible_to_client)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 'project', 0, 0, 0, 0, 1, 0)`,
        [fit(t.tasks, r.name, false, label), fit(t.tasks, textToHtml(r.description), true, label), r.priority, added, r.startDate ?? added.slice(0, 10), r.dueDate,
          r.status === TASK_DONE_CODE ? (r.dateFinished ?? options.nowNaive()) : null, addedFrom, r.status, r.projectCrmId],
      );
      if (r.assignees.length) await setAssignees(res.insertId, r.assignees, addedFrom);
      return res.insertId;
    },

    deleteTask: (id: number) => deleteTasksWhere('id = ?', [id]),

    async updateComment(id: number, content: string, label: string): Promise<void> {
      await exec(`UPDATE ${q(t.taskComments)} SET content = ? WHERE id = ?`, [fit(t.taskComments, textToHtml(content), true, label), id]);
    },

    async insertComment(r: CommentRecord, label: string): Promise<number> {
      const [res] = await exec(
        `INSERT INTO ${q(t.taskComments)} (content, taskid, staffid, contact_id, file_id, dateadded) VALUES (?, ?, ?, 0, 0, ?)`,
        [fit(t.taskComments, textToHtml(r.content), true, label), r.taskCrmId, r.staffId, r.dateAdded ?? options.nowNaive()],
      );
      return res.insertId;
    },

    deleteComment: (id: number) => exec(`DELETE FROM ${q(t.taskComments)} WHERE id = ?`, [id]).then(() => undefined),
  };
}
export type CrmWriter = ReturnType<typeof createCrmWriter>;
