import type { Command } from 'commander';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../../shared/enums';
import type { TaskDetail } from '../../../shared/entities';
import type { Core } from '../../app/core';
import { AppError } from '../../common/errors';
import { withCore } from '../context';
import { hours, plural, shortId, taskDetail, taskStatusLabel, tasksTable } from '../output';
import { isNone, parseDateArg, parseHours, parseList, parseOptionalText } from '../parse';
import { resolveEmployee, resolveProject, resolveTaskId } from '../resolve';

const STATUS_HELP = `one of ${TASK_STATUSES.join(', ')}`;
const PRIORITY_HELP = `one of ${TASK_PRIORITIES.join(', ')}`;
const ID_HELP = 'task id: the whole UUID or an unambiguous part of ≥ 8 characters (as shown by `task list`)';

interface AddOptions {
  title: string;
  project?: string;
  priority?: string;
  status?: string;
  assignee?: string;
  description?: string;
  estimate?: string;
  due?: string;
}

interface UpdateOptions {
  title?: string;
  status?: string;
  priority?: string;
  assignee?: string;
  description?: string;
  estimate?: string;
  actual?: string;
  due?: string;
}

interface ListOptions {
  project?: string;
  status?: string;
  assignee?: string;
}

const assigneeArg = (core: Core, value: string | undefined): string | null | undefined =>
  value === undefined ? undefined : isNone(value) ? null : resolveEmployee(core, value, '--assignee');

/** "status To do → Done; assignee – → Maria Garcia" for the fields that changed. */
function describeChanges(before: TaskDetail, after: TaskDetail): string[] {
  const show = (v: string | number | null) => (v === null || v === '' ? '–' : String(v));
  const fields: [string, string, string][] = [
    ['title', before.title, after.title],
    ['status', taskStatusLabel(before.status), taskStatusLabel(after.status)],
    ['priority', before.priority, after.priority],
    ['assignee', show(before.assigneeName), show(after.assigneeName)],
    ['description', show(before.description), show(after.description)],
    ['estimate', hours(before.estimatedHours), hours(after.estimatedHours)],
    ['actual', hours(before.actualHours), hours(after.actualHours)],
    ['due', show(before.dueDate), show(after.dueDate)],
  ];
  return fields
    .filter(([, a, b]) => a !== b)
    .map(([name, a, b]) => (name === 'description' ? 'description changed' : `${name} ${a} → ${b}`));
}

/**
 * `--status todo,in_progress`. The filter schema's union only says "Invalid input" for a bad value,
 * so each value is checked here with a message that names the allowed ones.
 */
function statusFilter(value: string | undefined): string[] | undefined {
  const statuses = parseList(value);
  const unknown = statuses?.filter((s) => !(TASK_STATUSES as readonly string[]).includes(s)) ?? [];
  if (unknown.length > 0) {
    throw new AppError('VALIDATION', `Invalid task filter: status "${unknown.join('", "')}" is not one of ${TASK_STATUSES.join(', ')}`, [
      { path: 'status', message: `must be one of ${TASK_STATUSES.join(', ')}` },
    ]);
  }
  return statuses;
}

export function registerTaskCommands(program: Command): void {
  const task = program.command('task').description('add, change, list, show and delete tasks');

  task
    .command('add')
    .description('create a task')
    .requiredOption('--title <title>', 'what needs doing (required)')
    .option('--project <project>', 'project id or name')
    .option('--priority <priority>', `${PRIORITY_HELP} (default medium)`)
    .option('--status <status>', `${STATUS_HELP} (default todo)`)
    .option('--assignee <employee>', 'employee id, name or email')
    .option('--description <text>', 'details')
    .option('--estimate <hours>', 'estimated hours, e.g. 4 or 1.5')
    .option('--due <date>', 'due date, YYYY-MM-DD')
    .action((opts: AddOptions, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const created = core.tasks.create({
          title: opts.title,
          projectId: opts.project === undefined || isNone(opts.project) ? undefined : resolveProject(core, opts.project),
          priority: opts.priority,
          status: opts.status,
          assignedTo: assigneeArg(core, opts.assignee),
          description: parseOptionalText(opts.description),
          estimatedHours: opts.estimate === undefined ? undefined : parseHours(opts.estimate, '--estimate', 'estimatedHours', { allowNone: true }),
          dueDate: parseDateArg(opts.due),
        });
        if (out.json) return out.data(created);
        out.line(`Created task ${shortId(created.id)} "${created.title}" (${taskStatusLabel(created.status)}, ${created.priority})`);
      }),
    );

  task
    .command('update')
    .description('change a task; "none" clears --assignee, --due, --estimate and --actual')
    .argument('<id>', ID_HELP)
    .option('--title <title>', 'new title')
    .option('--status <status>', STATUS_HELP)
    .option('--priority <priority>', PRIORITY_HELP)
    .option('--assignee <employee>', 'employee id, name or email, or "none"')
    .option('--description <text>', 'new details ("" clears)')
    .option('--estimate <hours>', 'estimated hours, or "none"')
    .option('--actual <hours>', 'hours spent, or "none"')
    .option('--due <date>', 'due date YYYY-MM-DD, or "none"')
    .action((idArg: string, opts: UpdateOptions, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const given = Object.values(opts).some((v) => v !== undefined);
        if (!given) {
          throw new AppError(
            'VALIDATION',
            'Nothing to update: give at least one of --title, --status, --priority, --assignee, --description, --estimate, --actual, --due',
          );
        }
        const id = resolveTaskId(core, idArg);
        const before = core.tasks.get(id);
        const updated = core.tasks.update({
          id,
          title: opts.title,
          status: opts.status,
          priority: opts.priority,
          assignedTo: assigneeArg(core, opts.assignee),
          description: parseOptionalText(opts.description),
          estimatedHours: opts.estimate === undefined ? undefined : parseHours(opts.estimate, '--estimate', 'estimatedHours', { allowNone: true }),
          actualHours: opts.actual === undefined ? undefined : parseHours(opts.actual, '--actual', 'actualHours', { allowNone: true }),
          dueDate: parseDateArg(opts.due),
        });
        if (out.json) return out.data(updated);
        const changes = describeChanges(before, core.tasks.get(id));
        out.line(
          changes.length === 0
            ? `Task ${shortId(id)} "${updated.title}" already looked like that; nothing changed`
            : `Updated task ${shortId(id)} "${updated.title}": ${changes.join('; ')}`,
        );
      }),
    );

  task
    .command('list')
    .description('list tasks: open ones first, by priority and due date')
    .option('--project <project>', 'only this project (id or name)')
    .option('--status <status>', `only these statuses, comma-separated: ${TASK_STATUSES.join(', ')}`)
    .option('--assignee <employee>', 'only this employee (id, name or email), or "none" for unassigned tasks')
    .action((opts: ListOptions, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const unassigned = opts.assignee !== undefined && isNone(opts.assignee);
        let tasks = core.tasks.list({
          projectId: opts.project === undefined ? undefined : resolveProject(core, opts.project),
          status: statusFilter(opts.status),
          assignedTo: opts.assignee === undefined || unassigned ? undefined : resolveEmployee(core, opts.assignee, '--assignee'),
          limit: 10_000,
        });
        if (unassigned) tasks = tasks.filter((t) => t.assignedTo === null);
        if (out.json) return out.data(tasks);
        if (tasks.length === 0) return out.line('No tasks.');
        out.line(tasksTable(tasks));
        out.line(`\n${plural(tasks.length, 'task')}`);
      }),
    );

  task
    .command('show')
    .description('show a task with its comments')
    .argument('<id>', ID_HELP)
    .action((idArg: string, _opts: object, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const detail = core.tasks.get(resolveTaskId(core, idArg));
        if (out.json) return out.data(detail);
        out.line(taskDetail(detail));
      }),
    );

  task
    .command('delete')
    .description('delete a task and its comments')
    .argument('<id>', ID_HELP)
    .action((idArg: string, _opts: object, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const detail = core.tasks.get(resolveTaskId(core, idArg));
        core.tasks.delete(detail.id);
        if (out.json) return out.data({ id: detail.id, title: detail.title, deleted: true, commentsDeleted: detail.comments.length });
        const comments = detail.comments.length ? ` and ${plural(detail.comments.length, 'comment')}` : '';
        out.line(`Deleted task ${shortId(detail.id)} "${detail.title}"${comments}`);
      }),
    );
}
