import { useMemo } from 'react';
import type { AuditEntry, EmployeeListItem, ProjectSummary, User } from '../../../shared/entities';
import { TASK_STATUS_LABELS, type TaskPriority, type TaskStatus } from '../../../shared/enums';
import { formatDate, formatDateTime, formatHours, timeAgo } from '../lib/format';
import { useQuery } from '../lib/useQuery';
import { PRIORITY_LABELS } from './Chips';
import { Loading } from './EmptyState';
import { ErrorBanner } from './ErrorBanner';

const FIELD_LABELS: Record<string, string> = {
  title: 'title',
  description: 'description',
  status: 'status',
  priority: 'priority',
  assignedTo: 'assignee',
  assignee: 'assignee name',
  projectId: 'project',
  dueDate: 'due date',
  estimatedHours: 'estimate',
  actualHours: 'actual hours',
  startTime: 'start time',
  endTime: 'end time',
  completedAt: 'completion time',
};

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Audit values are raw column values; a JSON-encoded string is unwrapped. */
function decode(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') {
    if (/^"/.test(raw)) {
      try {
        const v: unknown = JSON.parse(raw);
        if (typeof v === 'string') return v;
      } catch {
        /* not JSON: keep as is */
      }
    }
    return raw;
  }
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return JSON.stringify(raw);
}

type Lookups = {
  employees: Map<string, string>;
  projects: Map<string, string>;
  users: Map<string, string>;
};

function formatValue(field: string, raw: unknown, l: Lookups): string {
  const v = decode(raw);
  if (v === null || v === '') return 'none';
  switch (field) {
    case 'status':
      return TASK_STATUS_LABELS[v as TaskStatus] ?? v;
    case 'priority':
      return PRIORITY_LABELS[v as TaskPriority] ?? v;
    case 'assignedTo':
      return l.employees.get(v) ?? 'a removed employee';
    case 'projectId':
      return l.projects.get(v) ?? 'a removed project';
    case 'createdBy':
      return l.users.get(v) ?? 'someone';
    case 'dueDate':
      return formatDate(v);
    case 'estimatedHours':
    case 'actualHours':
      return Number.isFinite(Number(v)) ? formatHours(Number(v)) : v;
    case 'startTime':
    case 'endTime':
    case 'completedAt':
      return formatDateTime(v);
    default:
      return v.length > 80 ? `${v.slice(0, 77)}…` : v;
  }
}

/** Fields not worth a line in the history (bookkeeping columns). */
const HIDDEN_FIELDS = new Set(['id', 'createdAt', 'updatedAt', 'crmTaskId', 'createdBy', 'completedAt', 'version', 'deletedAt']);

type Line = { key: string; text: string };

function describe(e: AuditEntry, l: Lookups): Line[] {
  if (e.action === 'create') return [{ key: 'create', text: 'created the task' }];
  if (e.action === 'delete') return [{ key: 'delete', text: 'deleted the task' }];
  const lines: Line[] = [];
  for (const [column, change] of Object.entries(e.changes ?? {})) {
    const field = camel(column);
    if (HIDDEN_FIELDS.has(field)) continue;
    // The seed's `assignee` is the assignee's display name, kept in step with `assigned_to`: when
    // both changed, the assigned_to line already names the person. Alone it is a free-text name.
    if (field === 'assignee' && e.changes && 'assigned_to' in e.changes) continue;
    const label = FIELD_LABELS[field] ?? field;
    if (field === 'description') {
      lines.push({ key: column, text: 'updated the description' });
      continue;
    }
    const from = formatValue(field, change.old, l);
    const to = formatValue(field, change.new, l);
    const text =
      from === 'none' ? `set ${label} to ${to}` : to === 'none' ? `cleared ${label} (was ${from})` : `changed ${label} from ${from} to ${to}`;
    lines.push({ key: column, text });
  }
  return lines.length > 0 ? lines : [{ key: 'update', text: 'updated the task' }];
}

export function TaskHistory({
  taskId,
  employees,
  projects,
  users,
}: {
  taskId: string;
  employees: EmployeeListItem[];
  projects: ProjectSummary[];
  users: User[];
}) {
  const history = useQuery('tasks.history', { id: taskId }, { tables: ['tasks', 'audit'] });
  const lookups = useMemo<Lookups>(
    () => ({
      employees: new Map(employees.map((e) => [e.id, e.name])),
      projects: new Map(projects.map((p) => [p.id, p.name])),
      users: new Map(users.map((u) => [u.id, u.fullName])),
    }),
    [employees, projects, users],
  );
  const entries = useMemo(
    () => [...(history.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    [history.data],
  );

  if (history.error) return <ErrorBanner error={history.error} title="Could not load history" onRetry={history.reload} />;
  if (!history.data) return <Loading label="Loading history…" />;
  if (entries.length === 0) return <p className="muted comments-empty">No changes recorded yet.</p>;
  return (
    <ol className="history" data-testid="task-history">
      {entries.map((e) => {
        const actor = e.actorName ?? (e.actorId ? (lookups.users.get(e.actorId) ?? 'Someone') : 'System');
        return (
          <li key={e.id} className="history-item" data-testid="history-item">
            <span className="history-dot" aria-hidden="true" />
            <span className="history-text">
              <strong>{actor}</strong>{' '}
              {describe(e, lookups).map((line, i) => (
                <span key={line.key} className="history-line">
                  {i > 0 ? ', ' : ''}
                  {line.text}
                </span>
              ))}
            </span>
            <time className="muted" dateTime={e.createdAt} title={formatDateTime(e.createdAt)}>
              {timeAgo(e.createdAt)}
            </time>
          </li>
        );
      })}
    </ol>
  );
}
