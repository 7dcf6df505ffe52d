import { useMemo, useState } from 'react';
import type { TaskListItem } from '../../../shared/entities';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../../shared/enums';
import { useApp } from '../lib/appContext';
import { formatDate, isOverdue } from '../lib/format';
import { Avatar } from './Avatar';
import { CommentIcon, PriorityChip, StatusChip } from './Chips';

type SortKey = 'title' | 'status' | 'priority' | 'assignee' | 'project' | 'due';
type Sort = { key: SortKey; dir: 1 | -1 } | null;

const statusRank = (s: TaskListItem['status']) => TASK_STATUSES.indexOf(s);
const priorityRank = (p: TaskListItem['priority']) => TASK_PRIORITIES.indexOf(p);
const cmpText = (a: string | null, b: string | null) => {
  if (a === b) return 0;
  if (a === null) return 1; // empty values last
  if (b === null) return -1;
  return a.localeCompare(b);
};

const comparators: Record<SortKey, (a: TaskListItem, b: TaskListItem) => number> = {
  title: (a, b) => a.title.localeCompare(b.title),
  status: (a, b) => statusRank(a.status) - statusRank(b.status),
  priority: (a, b) => priorityRank(b.priority) - priorityRank(a.priority),
  assignee: (a, b) => cmpText(a.assigneeName, b.assigneeName),
  project: (a, b) => cmpText(a.projectName, b.projectName),
  due: (a, b) => cmpText(a.dueDate, b.dueDate),
};

const COLUMNS: { key: SortKey; label: string; className: string }[] = [
  { key: 'title', label: 'Title', className: 'col-title' },
  { key: 'status', label: 'Status', className: 'col-status' },
  { key: 'priority', label: 'Priority', className: 'col-priority' },
  { key: 'assignee', label: 'Assignee', className: 'col-assignee' },
  { key: 'project', label: 'Project', className: 'col-project' },
  { key: 'due', label: 'Due', className: 'col-due' },
];

export function TaskTable({ tasks }: { tasks: TaskListItem[] }) {
  const { openTask, openTaskId } = useApp();
  const [sort, setSort] = useState<Sort>(null);

  const rows = useMemo(() => {
    if (!sort) return tasks;
    const cmp = comparators[sort.key];
    return [...tasks].sort((a, b) => cmp(a, b) * sort.dir);
  }, [tasks, sort]);

  const toggleSort = (key: SortKey) =>
    setSort((s) => (s?.key !== key ? { key, dir: 1 } : s.dir === 1 ? { key, dir: -1 } : null));

  return (
    <table className="task-table">
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th
              key={c.key}
              className={c.className}
              scope="col"
              aria-sort={sort?.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined}
            >
              <button type="button" className="th-sort" onClick={() => toggleSort(c.key)}>
                {c.label}
                <span className="sort-arrow" aria-hidden="true">
                  {sort?.key === c.key ? (sort.dir === 1 ? '↑' : '↓') : ''}
                </span>
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => {
          const overdue = isOverdue(t.dueDate, t.status);
          return (
            <tr
              key={t.id}
              data-testid="task-row"
              data-task-id={t.id}
              className={`task-row${openTaskId === t.id ? ' selected' : ''}${t.status === 'done' ? ' is-done' : ''}`}
              onClick={() => openTask(t.id)}
            >
              <td className="col-title">
                <button
                  type="button"
                  className="row-title"
                  onClick={(e) => {
                    e.stopPropagation();
                    openTask(t.id);
                  }}
                >
                  {t.title}
                </button>
                {t.commentCount > 0 ? (
                  <span className="comment-count" title={`${t.commentCount} comments`}>
                    <CommentIcon />
                    {t.commentCount}
                  </span>
                ) : null}
              </td>
              <td className="col-status">
                <StatusChip status={t.status} />
              </td>
              <td className="col-priority">
                <PriorityChip priority={t.priority} />
              </td>
              <td className="col-assignee">
                <span className="assignee">
                  <Avatar name={t.assigneeName} />
                  <span className={t.assigneeName ? '' : 'muted'}>{t.assigneeName ?? 'Unassigned'}</span>
                </span>
              </td>
              <td className="col-project">
                <span className={t.projectName ? 'project-name' : 'muted'}>{t.projectName ?? 'No project'}</span>
              </td>
              <td className={`col-due${overdue ? ' overdue' : ''}`} title={overdue ? 'Overdue' : undefined}>
                {t.dueDate ? formatDate(t.dueDate) : <span className="muted">—</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
