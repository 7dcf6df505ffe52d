import type { TaskPriority, TaskStatus } from '../../shared/enums';
import { AppError } from '../common/errors';
import { addDays, isoDate } from '../common/time';
import type { EmployeesService } from '../employees/employees-service';
import type { Writer } from '../mutations/writer';
import type { ProjectsService } from '../projects/projects-service';
import type { TasksService } from '../tasks/tasks-service';
import type { CommentsService } from '../comments/comments-service';
import type { UsersService } from '../users/users-service';
import { DEMO_KEY, type Session } from '../database/session';
import type { Clock } from '../common/time';
import { DEMO_PEOPLE, DEMO_PROJECTS, DEMO_COMMENTS } from './demo-data';

interface SeedDeps {
  writer: Writer;
  session: Session;
  clock: Clock;
  users: UsersService;
  employees: EmployeesService;
  projects: ProjectsService;
  tasks: TasksService;
  comments: CommentsService;
  isEmpty(): boolean;
}

/** A small deterministic generator so every demo organisation looks the same. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Loads a realistic demo organisation through the domain services (so it is audited and would
 * sync like hand-made data). Refuses to run on a replica that already holds work.
 */
export function createDemoSeeder(deps: SeedDeps) {
  return {
    seed(): { employees: number; projects: number; tasks: number; comments: number } {
      if (!deps.isEmpty()) throw new AppError('CONFLICT', 'The database already holds data; the demo organisation only loads into an empty one');
      const random = prng(20261124);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const today = deps.clock.now();
      let commentCount = 0;
      let taskCount = 0;
      // The people sign up first, in their own transaction, so that the signed-in coordinator is
      // the recorded actor of everything the demo does after (audit trail, notifications).
      const userIds = new Map<string, string>();
      deps.writer.transaction(() => {
        for (const person of DEMO_PEOPLE) {
          const username = person.email.split('@')[0] ?? person.email;
          const user = deps.users.findByName(username) ?? deps.users.create({ username, email: person.email, fullName: person.name, role: person.role });
          userIds.set(person.name, user.id);
          if (person.name === DEMO_PEOPLE[0]?.name) deps.session.setCurrentUser(user.id);
        }
        // Demo data reaches a team only when the person asks for it (the first-connect choice).
        deps.session.setSetting(DEMO_KEY, deps.clock.now().toISOString());
      });
      deps.writer.transaction(() => {
        const employeeIds = new Map<string, string>();
        for (const person of DEMO_PEOPLE) {
          const employee = deps.employees.create({
            name: person.name,
            email: person.email,
            department: person.department,
            position: person.position,
            hireDate: person.hireDate,
            userId: userIds.get(person.name),
          });
          employeeIds.set(person.name, employee.id);
        }
        // Managers are linked once everyone exists, whatever order the list has.
        for (const person of DEMO_PEOPLE) {
          if (person.manager) deps.employees.update({ id: employeeIds.get(person.name), managerId: employeeIds.get(person.manager) });
        }
        const staff = [...employeeIds.entries()];
        for (const spec of DEMO_PROJECTS) {
          const project = deps.projects.create({
            name: spec.name,
            description: spec.description,
            startDate: isoDate(addDays(today, spec.startOffsetDays)),
            deadline: isoDate(addDays(today, spec.deadlineOffsetDays)),
          });
          for (const step of spec.statusPath) deps.projects.setStatus({ id: project.id, status: step });
          const team = staff.filter(([name]) => spec.team.includes(name));
          spec.tasks.forEach((title, i) => {
            const status: TaskStatus = pick(spec.statusMix);
            const priority: TaskPriority = pick(['low', 'medium', 'medium', 'high', 'high', 'urgent'] as const);
            const assignee = i % 7 === 6 ? null : (team[i % team.length]?.[1] ?? null);
            const due = Math.round(random() * 40) - 10;
            const estimate = Math.round((2 + random() * 30) * 2) / 2;
            const task = deps.tasks.create({
              title,
              projectId: project.id,
              priority,
              status,
              assignedTo: assignee,
              dueDate: status === 'done' && due > 0 ? isoDate(addDays(today, -due)) : isoDate(addDays(today, due)),
              estimatedHours: estimate,
              actualHours: status === 'done' ? Math.round(estimate * (0.7 + random() * 0.8) * 2) / 2 : status === 'todo' ? null : Math.round(estimate * random() * 2) / 2,
              description: `${title}. Part of ${spec.name}.`,
            });
            taskCount += 1;
            const threadLength = Math.floor(random() * 3);
            for (let c = 0; c < threadLength; c += 1) {
              const [authorName] = pick(team.length ? team : staff);
              deps.comments.add({ taskId: task.id, content: pick(DEMO_COMMENTS), userId: userIds.get(authorName) });
              commentCount += 1;
            }
          });
        }
      });
      return { employees: DEMO_PEOPLE.length, projects: DEMO_PROJECTS.length, tasks: taskCount, comments: commentCount };
    },
  };
}
