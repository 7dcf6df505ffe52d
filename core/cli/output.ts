import { PROJECT_STATUS_LABELS, TASK_STATUS_LABELS, type ProjectStatus, type TaskStatus } from '../../shared/enums';
import type { Comment, EmployeeListItem, Notification, ProjectSummary, TaskDetail, TaskListItem } from '../../shared/entities';

/**
 * Everything the CLI prints goes through here: JSON for --json, compact aligned tables and short
 * sentences otherwise.
 */
export interface Output {
  json: boolean;
  /** Writes text followed by a newline. */
  line(text?: string): void;
  /** Pretty-printed JSON (the machine-readable form of every command). */
  data(value: unknown): void;
}

export function createOutput(json: boolean, write: (text: string) => void = (t) => process.stdout.write(t)): Output {
  return {
    json,
    line: (text = '') => write(`${text}\n`),
    data: (value) => write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/**
 * The short id shown in tables: the last 8 characters of the UUID. They are the random part of a
 * UUIDv7, whereas the first 8 encode the creation time and are shared by rows made together.
 */
export const shortId = (id: string): string => id.slice(-8);

const width = (s: string): number => [...s].length;

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

export interface Column {
  header: string;
  /** Longer cells are cut with an ellipsis. */
  max?: number;
  align?: 'left' | 'right';
}

/** An aligned, borderless table; the last column is not padded. */
export function table(columns: Column[], rows: string[][]): string {
  const cells = rows.map((row) => row.map((cell, i) => truncate(cell, columns[i]?.max ?? 60)));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i] ?? ''))));
  const render = (row: string[]) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(cell)));
        if (columns[i]?.align === 'right') return pad + cell;
        return i === row.length - 1 ? cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [render(columns.map((c) => c.header)), ...cells.map(render)].join('\n');
}

const dash = '–';
const orDash = (value: string | number | null | undefined): string => (value === null || value === undefined || value === '' ? dash : String(value));
const pad2 = (n: number) => String(n).padStart(2, '0');

/** A stored ISO timestamp in local time, minute precision. */
export function localDateTime(iso: string | null): string {
  if (!iso) return dash;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

export const taskStatusLabel = (s: string): string => TASK_STATUS_LABELS[s as TaskStatus] ?? s;
export const projectStatusLabel = (s: string): string => PROJECT_STATUS_LABELS[s as ProjectStatus] ?? s;
export const hours = (h: number | null): string => (h === null ? dash : `${h} h`);
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function tasksTable(tasks: TaskListItem[]): string {
  return table(
    [
      { header: 'ID' },
      { header: 'TITLE', max: 44 },
      { header: 'STATUS' },
      { header: 'PRIORITY' },
      { header: 'ASSIGNEE', max: 20 },
      { header: 'DUE' },
      { header: 'PROJECT', max: 24 },
    ],
    tasks.map((t) => [shortId(t.id), t.title, t.status, t.priority, orDash(t.assigneeName), orDash(t.dueDate), orDash(t.projectName)]),
  );
}

export function projectsTable(projects: ProjectSummary[]): string {
  return table(
    [
      { header: 'ID' },
      { header: 'NAME', max: 36 },
      { header: 'STATUS' },
      { header: 'PROGRESS', align: 'right' },
      { header: 'DONE', align: 'right' },
      { header: 'OPEN', align: 'right' },
      { header: 'OVERDUE', align: 'right' },
      { header: 'DEADLINE' },
    ],
    projects.map((p) => [
      shortId(p.id),
      p.name,
      p.status,
      `${p.progress}%`,
      `${p.taskCounts.done ?? 0}/${p.totalTasks}`,
      String(p.totalTasks - (p.taskCounts.done ?? 0)),
      String(p.overdueTasks),
      orDash(p.deadline),
    ]),
  );
}

export function employeesTable(employees: EmployeeListItem[]): string {
  return table(
    [
      { header: 'ID' },
      { header: 'NAME', max: 28 },
      { header: 'EMAIL', max: 32 },
      { header: 'DEPARTMENT', max: 20 },
      { header: 'POSITION', max: 28 },
      { header: 'MANAGER', max: 24 },
      { header: 'OPEN TASKS', align: 'right' },
    ],
    employees.map((e) => [
      shortId(e.id),
      e.isActive ? e.name : `${e.name} (inactive)`,
      e.email,
      orDash(e.department),
      orDash(e.position),
      orDash(e.managerName),
      String(e.openTaskCount),
    ]),
  );
}

export function notificationsTable(notifications: Notification[]): string {
  return table(
    [{ header: 'ID' }, { header: ' ' }, { header: 'WHEN' }, { header: 'TYPE' }, { header: 'TITLE', max: 48 }, { header: 'MESSAGE', max: 48 }],
    notifications.map((n) => [shortId(n.id), n.read ? ' ' : '•', localDateTime(n.createdAt), n.type, n.title, n.message]),
  );
}

function indent(text: string, prefix: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => (l.trim() === '' ? '' : `${prefix}${l}`))
    .join('\n');
}

export function commentBlock(c: Comment): string {
  const edited = c.isEdited ? ' (edited)' : '';
  return `  #${c.commentOrder} ${c.authorName} · ${localDateTime(c.createdAt)}${edited}\n${indent(c.content, '     ')}`;
}

/** The readable form of `task show`. */
export function taskDetail(t: TaskDetail): string {
  const fields: [string, string][] = [
    ['id', t.id],
    ['status', taskStatusLabel(t.status)],
    ['priority', t.priority],
    ['project', orDash(t.projectName)],
    ['assignee', orDash(t.assigneeName)],
    ['due', orDash(t.dueDate)],
    ['estimate', hours(t.estimatedHours)],
    ['actual', hours(t.actualHours)],
  ];
  if (t.startTime || t.endTime) fields.push(['scheduled', `${localDateTime(t.startTime)} → ${localDateTime(t.endTime)}`]);
  if (t.completedAt) fields.push(['completed', localDateTime(t.completedAt)]);
  fields.push(['created', localDateTime(t.createdAt)], ['updated', localDateTime(t.updatedAt)]);
  const label = Math.max(...fields.map(([k]) => k.length));
  const lines = [t.title, '', ...fields.map(([k, v]) => `  ${k.padEnd(label)}  ${v}`)];
  if (t.description && t.description.trim() !== '') lines.push('', 'Description:', indent(t.description, '  '));
  lines.push('', t.comments.length === 0 ? 'No comments.' : `Comments (${t.comments.length}):`);
  for (const c of t.comments) lines.push(commentBlock(c));
  return lines.join('\n');
}
