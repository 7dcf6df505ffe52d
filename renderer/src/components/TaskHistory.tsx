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
  projectId: 'project',
  dueDate: 'due date',
  estimatedHours: 'estimate',
  actualHours: 'actual hours',
  startTime: 'start time',
  endTime: 'end time',
  completedAt: 'completion time',
};

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function decode(raw: string | null): string | null {
  if (raw === null) return null;
  if (/^["[{]|^(null|true|false)$/.test(raw)) {
    try {
      const v: unknown = JSON.parse(raw);
      if (v === null) return null;
      return typeof v === 'string' ? v : JSON.stringify(v);
    } catch {
      return raw;
    }
  }
  return raw;
}

type Lookups = {
  employees: Map<string, string>;
  projects: Map<string, string>;
  users: Map<string, string>;
};

function formatValue(field: string, raw: string | null, l: Lookups): string {
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

function describe(e: AuditEntry, l: Lookups): string {
  if (e.action === 'create') return 'created the task';
  if (e.action === 'delete') return 'deleted the task';
  if (!e.field) return 'updated the task';
  const field = camel(e.field);
  const label = FIELD_LABELS[field] ?? field;
  if (field === 'description') return 'updated the description';
  const from = formatValue(field, e.oldValue, l);
  const to = formatValue(field, e.newValue, l);
  if (from === 'none') return `set ${label} to ${to}`;
  if (to === 'none') return `cleared ${label} (was ${from})`;
  return `changed ${label} from ${from} to ${to}`;
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
      {entries.map((e) => (
        <li key={e.id} className="history-item" data-testid="history-item">
          <span className="history-dot" aria-hidden="true" />
          <span className="history-text">
            <strong>{e.actorId ? (lookups.users.get(e.actorId) ?? lookups.employees.get(e.actorId) ?? 'Someone') : 'System'}</strong>{' '}
            {describe(e, lookups)}
          </span>
          <time className="muted" dateTime={e.createdAt} title={formatDateTime(e.createdAt)}>
            {timeAgo(e.createdAt)}
          </time>
        </li>
      ))}
    </ol>
  );
}
