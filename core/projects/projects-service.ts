import { PROJECT_STATUS_LABELS, PROJECT_STATUS_TRANSITIONS, TASK_STATUSES, type ProjectStatus, type TaskStatus } from '../../shared/enums';
import type { Project, ProjectSummary } from '../../shared/entities';
import { idSchema } from '../../shared/entities';
import { projectCreateInput, projectStatusInput, projectUpdateInput } from '../../shared/inputs';
import { AppError, notFound, parseInput } from '../common/errors';
import { newId } from '../common/ids';
import { localDate } from '../common/time';
import { num, numOrNull, patchFrom, str, strOrNull } from '../common/rows';
import type { ServiceContext } from '../mutations/context';
import type { Row } from '../mutations/types';
import type { SqliteDb } from '../database/open';

export function toProject(r: Row): Project {
  return {
    id: str(r.id),
    crmProjectId: numOrNull(r.crm_project_id),
    name: str(r.name),
    description: strOrNull(r.description),
    status: str(r.status) as Project['status'],
    startDate: strOrNull(r.start_date),
    endDate: strOrNull(r.end_date),
    deadline: strOrNull(r.deadline),
    createdBy: strOrNull(r.created_by),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

const SUMMARY_SQL = `SELECT p.*,
    coalesce(sum(t.status = 'todo'), 0) AS n_todo,
    coalesce(sum(t.status = 'in_progress'), 0) AS n_in_progress,
    coalesce(sum(t.status = 'testing'), 0) AS n_testing,
    coalesce(sum(t.status = 'awaiting_feedback'), 0) AS n_awaiting_feedback,
    coalesce(sum(t.status = 'done'), 0) AS n_done,
    count(t.id) AS n_total,
    coalesce(sum(t.status <> 'done' AND t.due_date < @today), 0) AS n_overdue
  FROM projects p LEFT JOIN tasks t ON t.project_id = p.id`;

function toSummary(r: Row): ProjectSummary {
  const taskCounts = Object.fromEntries(TASK_STATUSES.map((s) => [s, num(r[`n_${s}`])])) as Record<TaskStatus, number>;
  const total = num(r.n_total);
  return {
    ...toProject(r),
    taskCounts,
    totalTasks: total,
    progress: total === 0 ? 0 : Math.round((taskCounts.done / total) * 100),
    overdueTasks: num(r.n_overdue),
  };
}

export function createProjectsService(ctx: ServiceContext) {
  const { writer, statements, session, clock } = ctx;

  const getRow = (id: string): Project => {
    const row = writer.get('projects', id);
    if (!row) throw notFound('Project', id);
    return toProject(row);
  };

  /**
   * Among active projects (not finished or cancelled) names are unique, compared without regard to
   * case in any script: `--project NAME`, the agent and people pick projects by name. A finished
   * project's name may be reused.
   */
  const assertNameFree = (name: string, status: ProjectStatus, exceptId: string | null) => {
    if (!isActive(status)) return;
    const rows = statements.get(`SELECT id, name, status FROM projects WHERE status NOT IN ('done', 'cancelled') AND id IS NOT ?`).all(exceptId) as Row[];
    const taken = rows.find((r) => sameName(str(r.name), name));
    if (taken) {
      throw new AppError('CONFLICT', `There is already an active project named "${str(taken.name)}"; choose another name or finish or cancel that one first`, [
        { path: 'name', message: 'is already used by an active project' },
      ]);
    }
  };

  return {
    getRow,

    /** Names shared by more than one active project (possible only when they arrive by sync). */
    duplicateActiveNames: () => findDuplicateActiveProjectNames(ctx.db),

    get(rawId: unknown): ProjectSummary {
      const id = parseInput(idSchema, rawId, 'project id');
      const row = statements.get(`${SUMMARY_SQL} WHERE p.id = @id GROUP BY p.id`).get({ id, today: localDate(clock.now()) }) as Row | undefined;
      if (!row) throw notFound('Project', id);
      return toSummary(row);
    },

    list(): ProjectSummary[] {
      const rows = statements
        .get(
          `${SUMMARY_SQL} GROUP BY p.id
           ORDER BY CASE p.status WHEN 'in_progress' THEN 0 WHEN 'todo' THEN 1 WHEN 'on_hold' THEN 2 WHEN 'done' THEN 3 ELSE 4 END,
                    p.deadline IS NULL, p.deadline, p.name`,
        )
        .all({ today: localDate(clock.now()) }) as Row[];
      return rows.map(toSummary);
    },

    findByName(name: string): Project | null {
      const row = statements.get('SELECT * FROM projects WHERE lower(name) = lower(?) LIMIT 1').get(name) as Row | undefined;
      return row ? toProject(row) : null;
    },

    create(raw: unknown): Project {
      const input = parseInput(projectCreateInput, raw);
      const status = input.status ?? 'todo';
      // A project may be recorded in any state (an existing one, a finished one); the dates that
      // setStatus would have stamped are stamped here.
      const today = localDate(clock.now());
      // Stamped only where that keeps start ≤ end; dates given explicitly are checked below.
      const startDate = input.startDate ?? (status === 'in_progress' && !(input.endDate && input.endDate < today) ? today : null);
      const endDate = input.endDate ?? (status === 'done' && !(startDate && startDate > today) ? today : null);
      assertDateOrder(startDate, endDate);
      return writer.transaction(() => {
        assertNameFree(input.name, status, null);
        const now = writer.now;
        const row = writer.insert('projects', {
          id: newId(),
          crm_project_id: null,
          name: input.name,
          description: input.description ?? null,
          status,
          start_date: startDate,
          end_date: endDate,
          deadline: input.deadline ?? null,
          created_by: session.currentUserId,
          created_at: now,
          updated_at: now,
        });
        return toProject(row);
      });
    },

    update(raw: unknown): Project {
      const input = parseInput(projectUpdateInput, raw);
      return writer.transaction(() => {
        const current = getRow(input.id);
        if (input.name !== undefined) assertNameFree(input.name, current.status, input.id);
        assertDateOrder(input.startDate === undefined ? current.startDate : input.startDate, input.endDate === undefined ? current.endDate : input.endDate);
        writer.update(
          'projects',
          input.id,
          patchFrom(input, { name: 'name', description: 'description', startDate: 'start_date', endDate: 'end_date', deadline: 'deadline' }),
        );
        return getRow(input.id);
      });
    },

    /** Moves a project along its workflow; finishing records the end date like the CRM does. */
    setStatus(raw: unknown): Project {
      const input = parseInput(projectStatusInput, raw);
      return writer.transaction(() => {
        const current = getRow(input.id);
        if (current.status === input.status) return current;
        if (!PROJECT_STATUS_TRANSITIONS[current.status].includes(input.status)) {
          const allowed = PROJECT_STATUS_TRANSITIONS[current.status].map((s) => PROJECT_STATUS_LABELS[s]).join(', ');
          throw new AppError(
            'INVALID_TRANSITION',
            `A project that is ${PROJECT_STATUS_LABELS[current.status]} cannot become ${PROJECT_STATUS_LABELS[input.status]}; it can become: ${allowed}`,
          );
        }
        if (!isActive(current.status)) assertNameFree(current.name, input.status, input.id);
        const patch: Row = { status: input.status };
        if (input.status === 'done' && !current.endDate) patch.end_date = localDate(clock.now());
        if (input.status === 'in_progress' && !current.startDate) patch.start_date = localDate(clock.now());
        writer.update('projects', input.id, patch);
        return getRow(input.id);
      });
    },
  };
}

/**
 * Names shared by more than one active project, compared like assertNameFree does. The service
 * refuses them, but the central database may still send some; the sync report and doctor say so.
 */
export function findDuplicateActiveProjectNames(db: SqliteDb): { name: string; count: number }[] {
  const rows = db.prepare(`SELECT name FROM projects WHERE status NOT IN ('done', 'cancelled') ORDER BY created_at, id`).all() as { name: string }[];
  const groups: { name: string; count: number }[] = [];
  for (const { name } of rows) {
    const group = groups.find((g) => sameName(g.name, name));
    if (group) group.count += 1;
    else groups.push({ name: name.trim(), count: 1 });
  }
  return groups.filter((g) => g.count > 1);
}

const isActive = (status: ProjectStatus): boolean => status !== 'done' && status !== 'cancelled';

const sameName = (a: string, b: string): boolean => a.trim().localeCompare(b.trim(), undefined, { sensitivity: 'accent' }) === 0;

function assertDateOrder(start: string | null | undefined, end: string | null | undefined): void {
  if (start && end && end < start) {
    throw new AppError('VALIDATION', 'The end date is before the start date', [{ path: 'endDate', message: 'is before the start date' }]);
  }
}

export type ProjectsService = ReturnType<typeof createProjectsService>;
