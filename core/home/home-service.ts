import { homeTaskSchema, type HomeTodayInput, type WorkloadInput, DEFAULT_CAPACITY_HOURS, type HomeActivity, type HomeTask, type HomeToday, type PaletteEntities, type Workload, type WorkloadChip } from '../../shared/home';
import type { StatementCache } from '../database/statements';
import { addDays, isoDate, localDate, type Clock } from '../common/time';
import { json, num, str, strOrNull } from '../common/rows';
import type { Row } from '../mutations/types';
import type { Session } from '../database/session';
import { toNotification } from '../notifications/notifications-service';
import { PRIORITY_RANK_SQL, readTask } from '../tasks/task-rows';

export interface HomeDeps {
  statements: StatementCache;
  clock: Clock;
  session: Session;
  currentEmployeeId: () => string | null;
  sync: () => HomeToday['sync'];
}

const LIST_CAP = 20;
const ACTIVITY_DAYS = 14;
const TASK_COLUMNS = `t.id, t.title, t.status, t.priority, t.due_date, t.project_id, p.name AS project_name, t.estimated_hours`;

const CHIP_FIELDS = ['id', 'title', 'status', 'priority', 'dueDate', 'estimatedHours'] as const satisfies readonly (keyof WorkloadChip)[];
const HOME_TASK_FIELDS = Object.keys(homeTaskSchema.shape) as (keyof HomeTask)[];
const toHomeTask = (r: Row): HomeTask => readTask(r, HOME_TASK_FIELDS);

/** Monday of the ISO week containing `day` (YYYY-MM-DD, read as UTC so no zone shifts the date). */
export function mondayOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const offset = (d.getUTCDay() + 6) % 7;
  return isoDate(addDays(d, -offset));
}

/**
 * Read models for the coordinator's day. Every figure comes from a handful of indexed SQL
 * statements so Home and the workload view stay fast at 10k tasks (no per-row round trips).
 */
export function createHomeService(deps: HomeDeps) {
  const { statements, clock, session } = deps;
  const todayOf = (given: string | undefined) => given ?? localDate(clock.now());

  const myTasks = (where: string, order: string, params: Record<string, string | number>): HomeTask[] =>
    (
      statements
        .get(
          `SELECT ${TASK_COLUMNS} FROM tasks t LEFT JOIN projects p ON p.id = t.project_id
           WHERE t.assigned_to = @e AND t.status <> 'done' AND ${where} ORDER BY ${order} LIMIT ${LIST_CAP}`,
        )
        .all(params) as Row[]
    ).map(toHomeTask);

  /** Changes to tasks and projects of "my projects": ones I created or have work assigned in. */
  const activity = (userId: string | null, employeeId: string | null): HomeActivity[] => {
    const since = addDays(clock.now(), -ACTIVITY_DAYS).toISOString();
    const rows = statements
      .get(
        `WITH mine(id) AS (
           SELECT project_id FROM tasks WHERE assigned_to = @e AND project_id IS NOT NULL
           UNION SELECT id FROM projects WHERE created_by = @u)
         SELECT a.id, a.entity_table, a.entity_id, a.action, a.changes, a.created_at, u.name AS actor_name,
                coalesce(t.title, p.name) AS subject, coalesce(tp.name, p.name) AS project_name
         FROM audit_log a
         LEFT JOIN tasks t ON a.entity_table = 'tasks' AND t.id = a.entity_id
         LEFT JOIN projects tp ON tp.id = t.project_id
         LEFT JOIN projects p ON a.entity_table = 'projects' AND p.id = a.entity_id
         LEFT JOIN users u ON u.id = a.actor_id
         WHERE a.created_at >= @since AND a.entity_table IN ('tasks', 'projects')
           AND (CASE a.entity_table WHEN 'tasks' THEN t.project_id ELSE a.entity_id END) IN (SELECT id FROM mine)
         ORDER BY a.created_at DESC, a.id DESC LIMIT 15`,
      )
      .all({ e: employeeId ?? '', u: userId ?? '', since }) as Row[];
    return rows.map((r) => ({
      id: str(r.id),
      entityTable: str(r.entity_table) === 'projects' ? 'projects' : 'tasks',
      entityId: str(r.entity_id),
      action: str(r.action) as HomeActivity['action'],
      subject: strOrNull(r.subject),
      projectName: strOrNull(r.project_name),
      fields: Object.keys(json<Record<string, unknown>>(r.changes, {})),
      actorName: strOrNull(r.actor_name),
      createdAt: str(r.created_at),
    }));
  };

  return {
    /** Capped so a huge replica cannot make the palette's payload unbounded; open work first. */
    paletteEntities(): PaletteEntities {
      const tasks = statements
        .get(
          `SELECT t.id, t.title, t.status, p.name AS project_name FROM tasks t LEFT JOIN projects p ON p.id = t.project_id
           ORDER BY t.status = 'done', t.updated_at DESC LIMIT 20000`,
        )
        .all() as Row[];
      const projects = statements.get('SELECT id, name FROM projects ORDER BY name').all() as Row[];
      const people = statements.get('SELECT id, name, position FROM employees WHERE is_active = 1 ORDER BY name').all() as Row[];
      return {
        tasks: tasks.map((r) => ({ id: str(r.id), title: str(r.title), status: str(r.status) as HomeTask['status'], projectName: strOrNull(r.project_name) })),
        projects: projects.map((r) => ({ id: str(r.id), name: str(r.name) })),
        people: people.map((r) => ({ id: str(r.id), name: str(r.name), position: strOrNull(r.position) })),
      };
    },

    /** Takes input validated at the boundary (the IPC contract `home.today`). */
    today(input: HomeTodayInput = {}): HomeToday {
      const today = todayOf(input.today);
      const dueSoonDays = input.dueSoonDays ?? 3;
      const soon = isoDate(addDays(new Date(`${today}T00:00:00Z`), dueSoonDays));
      const userId = session.currentUserId;
      const employeeId = deps.currentEmployeeId();
      const e = employeeId ?? '';
      const counts = statements
        .get(
          `SELECT count(*) AS open, coalesce(sum(due_date < @today), 0) AS overdue,
                  coalesce(sum(due_date >= @today AND due_date <= @soon), 0) AS soon
           FROM tasks WHERE assigned_to = @e AND status <> 'done'`,
        )
        .get({ e, today, soon }) as Row;
      const unreadItems = userId
        ? (statements.get('SELECT * FROM notifications WHERE user_id = ? AND read = 0 ORDER BY created_at DESC, id DESC LIMIT 5').all(userId) as Row[]).map(toNotification)
        : [];
      const unreadCount = userId ? num((statements.get('SELECT count(*) AS n FROM notifications WHERE user_id = ? AND read = 0').get(userId) as Row).n) : 0;
      const pending = statements.get(`SELECT id, action_type, prompt, target_type, target_id, created_at FROM ai_actions WHERE status = 'pending' ORDER BY created_at DESC, id DESC LIMIT 5`).all() as Row[];
      const pendingCount = num((statements.get(`SELECT count(*) AS n FROM ai_actions WHERE status = 'pending'`).get() as Row).n);
      return {
        today,
        dueSoonDays,
        employeeId,
        myOpen: myTasks('1 = 1', `t.due_date IS NULL, t.due_date, ${PRIORITY_RANK_SQL}, t.created_at`, { e }),
        myOpenCount: num(counts.open),
        overdue: myTasks('t.due_date < @today', `t.due_date, ${PRIORITY_RANK_SQL}`, { e, today }),
        overdueCount: num(counts.overdue),
        dueSoon: myTasks('t.due_date >= @today AND t.due_date <= @soon', `t.due_date, ${PRIORITY_RANK_SQL}`, { e, today, soon }),
        dueSoonCount: num(counts.soon),
        unread: { count: unreadCount, items: unreadItems },
        activity: activity(userId, employeeId),
        pendingActions: {
          count: pendingCount,
          items: pending.map((r) => ({
            id: str(r.id),
            actionType: str(r.action_type),
            prompt: str(r.prompt),
            targetType: strOrNull(r.target_type),
            targetId: strOrNull(r.target_id),
            createdAt: str(r.created_at),
          })),
        },
        sync: deps.sync(),
      };
    },

    /**
     * Per active employee: open tasks, overdue count, and estimated hours of open work in the week.
     * A task is in the week when its start–end span (or its due date) overlaps it, or when it is
     * overdue — late work still has to be done this week. Undated tasks count as open, not as hours.
     */
    /** Takes input validated at the boundary (the IPC contract `home.workload`). */
    workload(input: WorkloadInput = {}): Workload {
      const today = todayOf(input.today);
      const weekStart = input.weekStart ?? mondayOf(today);
      const weekEnd = isoDate(addDays(new Date(`${weekStart}T00:00:00Z`), 6));
      const capacityHours = input.capacityHours ?? DEFAULT_CAPACITY_HOURS;
      const chips = input.chipsPerPerson ?? 8;
      const inWeek = `((coalesce(substr(t.start_time, 1, 10), t.due_date) <= @weekEnd
                        AND coalesce(substr(t.end_time, 1, 10), t.due_date, substr(t.start_time, 1, 10)) >= @weekStart)
                       OR t.due_date < @weekStart)`;
      const people = statements
        .get(
          `SELECT e.id, e.name, e.manager_id, e.department, e.position,
                  count(t.id) AS open_count,
                  coalesce(sum(t.due_date < @today), 0) AS overdue_count,
                  coalesce(sum(CASE WHEN ${inWeek} THEN coalesce(t.estimated_hours, 0) ELSE 0 END), 0) AS week_hours,
                  coalesce(sum(${inWeek} AND t.estimated_hours IS NULL), 0) AS unestimated
           FROM employees e LEFT JOIN tasks t ON t.assigned_to = e.id AND t.status <> 'done'
           WHERE e.is_active = 1
           GROUP BY e.id ORDER BY e.name`,
        )
        .all({ today, weekStart, weekEnd }) as Row[];
      const chipRows =
        chips > 0
          ? (statements
              .get(
                `SELECT * FROM (
                   SELECT t.id, t.title, t.status, t.priority, t.due_date, t.estimated_hours, t.assigned_to,
                          row_number() OVER (PARTITION BY t.assigned_to ORDER BY t.due_date IS NULL, t.due_date, ${PRIORITY_RANK_SQL}, t.created_at) AS rn
                   FROM tasks t WHERE t.status <> 'done' AND t.assigned_to IS NOT NULL)
                 WHERE rn <= @chips ORDER BY assigned_to, rn`,
              )
              .all({ chips }) as Row[])
          : [];
      const byPerson = new Map<string, WorkloadChip[]>();
      for (const r of chipRows) {
        const list = byPerson.get(str(r.assigned_to)) ?? [];
        const dueDate = strOrNull(r.due_date);
        list.push({ ...readTask(r, CHIP_FIELDS), overdue: dueDate !== null && dueDate < today });
        byPerson.set(str(r.assigned_to), list);
      }
      return {
        weekStart,
        weekEnd,
        capacityHours,
        people: people.map((r) => ({
          employeeId: str(r.id),
          name: str(r.name),
          managerId: strOrNull(r.manager_id),
          department: strOrNull(r.department),
          position: strOrNull(r.position),
          openCount: num(r.open_count),
          overdueCount: num(r.overdue_count),
          weekHours: Math.round(num(r.week_hours) * 10) / 10,
          unestimatedCount: num(r.unestimated),
          tasks: byPerson.get(str(r.id)) ?? [],
        })),
      };
    },
  };
}

