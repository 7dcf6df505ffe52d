import type { Employee, EmployeeListItem } from '../../shared/entities';
import { employeeCreateInput, employeeUpdateInput } from '../../shared/inputs';
import { idSchema } from '../../shared/entities';
import { AppError, notFound, parseInput } from '../common/errors';
import { newId } from '../common/ids';
import { bool, num, numOrNull, patchFrom, str, strOrNull } from '../common/rows';
import type { ServiceContext } from '../mutations/context';
import type { Row } from '../mutations/types';
import type { SqliteDb } from '../database/open';

export function toEmployee(r: Row): Employee {
  return {
    id: str(r.id),
    userId: strOrNull(r.user_id),
    crmEmployeeId: numOrNull(r.crm_employee_id),
    name: str(r.name),
    email: str(r.email),
    department: strOrNull(r.department),
    position: strOrNull(r.position),
    managerId: strOrNull(r.manager_id),
    hireDate: strOrNull(r.hire_date),
    isActive: bool(r.is_active),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

/**
 * Emails shared by more than one active employee, case-insensitively. The service refuses them, but the
 * central database may still send some (another replica, the CRM); the sync report and doctor say so.
 */
export function findDuplicateEmails(db: SqliteDb): { email: string; names: string[] }[] {
  const rows = db
    .prepare(
      `SELECT lower(trim(email)) AS email, json_group_array(name) AS names FROM employees WHERE is_active = 1
       GROUP BY lower(trim(email)) HAVING count(*) > 1 ORDER BY 1`,
    )
    .all() as { email: string; names: string }[];
  return rows.map((r) => ({ email: r.email, names: JSON.parse(r.names) as string[] }));
}

const CHAIN_UP = `WITH RECURSIVE chain(id, depth) AS (
    SELECT manager_id, 1 FROM employees WHERE id = ?
    UNION ALL
    SELECT e.manager_id, c.depth + 1 FROM employees e JOIN chain c ON e.id = c.id WHERE c.depth < 64
  )
  SELECT e.* FROM chain c JOIN employees e ON e.id = c.id ORDER BY c.depth`;

const REPORTS_DOWN = `WITH RECURSIVE reports(id, depth) AS (
    SELECT id, 1 FROM employees WHERE manager_id = ?
    UNION ALL
    SELECT e.id, r.depth + 1 FROM employees e JOIN reports r ON e.manager_id = r.id WHERE r.depth < 64
  )
  SELECT e.* FROM reports r JOIN employees e ON e.id = r.id ORDER BY r.depth, e.name`;

export function createEmployeesService(ctx: ServiceContext) {
  const { writer, statements } = ctx;

  const get = (id: string): Employee => {
    const row = writer.get('employees', id);
    if (!row) throw notFound('Employee', id);
    return toEmployee(row);
  };

  const chain = (rawId: unknown): Employee[] => {
    const id = parseInput(idSchema, rawId, 'employee id');
    get(id);
    return (statements.get(CHAIN_UP).all(id) as Row[]).map(toEmployee);
  };

  const assertManagerAllowed = (employeeId: string | null, managerId: string | null | undefined) => {
    if (!managerId) return;
    get(managerId);
    if (employeeId && (managerId === employeeId || chain(managerId).some((m) => m.id === employeeId))) {
      throw new AppError('VALIDATION', 'An employee cannot report to themselves or to someone who reports to them', [
        { path: 'managerId', message: 'would create a reporting cycle' },
      ]);
    }
  };

  /**
   * Emails identify a person (lookups, `--assignee EMAIL`, CRM staff matching), so two active
   * employees may not share one, compared without regard to case. A deactivated record keeps its
   * email and does not block it: the same person may be hired again as a new record.
   */
  const assertEmailFree = (email: string, exceptId: string | null) => {
    const taken = statements
      .get('SELECT id, name FROM employees WHERE lower(trim(email)) = lower(trim(?)) AND is_active = 1 AND id IS NOT ? LIMIT 1')
      .get(email, exceptId) as { id: string; name: string } | undefined;
    if (taken) {
      throw new AppError('CONFLICT', `The email ${email} already belongs to ${taken.name}; two employees cannot share an email`, [
        { path: 'email', message: 'is already used by another employee' },
      ]);
    }
  };

  return {
    get,
    chain,

    /** Emails shared by more than one employee (possible only when they arrive by sync). */
    duplicateEmails: () => findDuplicateEmails(ctx.db),

    reports(rawId: unknown): Employee[] {
      const id = parseInput(idSchema, rawId, 'employee id');
      get(id);
      return (statements.get(REPORTS_DOWN).all(id) as Row[]).map(toEmployee);
    },

    list(): EmployeeListItem[] {
      const rows = statements
        .get(
          `SELECT e.*, m.name AS manager_name,
             (SELECT count(*) FROM employees r WHERE r.manager_id = e.id) AS report_count,
             (SELECT count(*) FROM tasks t WHERE t.assigned_to = e.id AND t.status <> 'done') AS open_task_count
           FROM employees e LEFT JOIN employees m ON m.id = e.manager_id
           ORDER BY e.is_active DESC, e.name`,
        )
        .all() as Row[];
      return rows.map((r) => ({
        ...toEmployee(r),
        managerName: strOrNull(r.manager_name),
        reportCount: num(r.report_count),
        openTaskCount: num(r.open_task_count),
      }));
    },

    findByName(name: string): Employee | null {
      const row = statements.get('SELECT * FROM employees WHERE lower(name) = lower(?) LIMIT 1').get(name) as Row | undefined;
      return row ? toEmployee(row) : null;
    },

    forUser(userId: string): Employee | null {
      const row = statements.get('SELECT * FROM employees WHERE user_id = ? ORDER BY is_active DESC LIMIT 1').get(userId) as Row | undefined;
      return row ? toEmployee(row) : null;
    },

    create(raw: unknown): Employee {
      const input = parseInput(employeeCreateInput, raw);
      return writer.transaction(() => {
        assertManagerAllowed(null, input.managerId);
        assertEmailFree(input.email, null);
        if (input.userId && !writer.get('users', input.userId)) throw notFound('User', input.userId);
        const now = writer.now;
        const row = writer.insert('employees', {
          id: newId(),
          user_id: input.userId ?? null,
          crm_employee_id: null,
          name: input.name,
          email: input.email,
          department: input.department ?? null,
          position: input.position ?? null,
          manager_id: input.managerId ?? null,
          hire_date: input.hireDate ?? null,
          is_active: 1,
          created_at: now,
          updated_at: now,
        });
        return toEmployee(row);
      });
    },

    update(raw: unknown): Employee {
      const input = parseInput(employeeUpdateInput, raw);
      return writer.transaction(() => {
        get(input.id);
        assertManagerAllowed(input.id, input.managerId);
        if (input.email !== undefined) assertEmailFree(input.email, input.id);
        if (input.userId && !writer.get('users', input.userId)) throw notFound('User', input.userId);
        writer.update(
          'employees',
          input.id,
          patchFrom(input, {
            name: 'name',
            email: 'email',
            managerId: 'manager_id',
            department: 'department',
            position: 'position',
            hireDate: 'hire_date',
            userId: 'user_id',
          }),
        );
        // The seed's tasks.assignee carries the display name: a rename reaches the person's tasks.
        if (input.name !== undefined) {
          const assignee = input.name.slice(0, 100);
          for (const { id } of statements.get('SELECT id FROM tasks WHERE assigned_to = ? AND assignee IS NOT ?').all(input.id, assignee) as { id: string }[]) {
            writer.update('tasks', id, { assignee });
          }
        }
        return get(input.id);
      });
    },

    /** Deactivated people keep their history and tasks but are no longer offered as assignees. */
    deactivate(rawId: unknown): Employee {
      const id = parseInput(idSchema, rawId, 'employee id');
      writer.update('employees', id, { is_active: 0 });
      return get(id);
    },
  };
}

export type EmployeesService = ReturnType<typeof createEmployeesService>;
