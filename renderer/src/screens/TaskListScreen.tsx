import { useMemo, useState } from 'react';
import type { TaskPageInput, TaskSort } from '../../../shared/task-page';
import { TASK_STATUSES, TASK_STATUS_LABELS, type TaskStatus } from '../../../shared/enums';
import { EmptyState, Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { PagedTaskTable } from '../components/TaskTable';
import { FilterInput, ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { plural } from '../lib/format';
import { useQuery } from '../lib/useQuery';
import { usePagedTasks } from '../lib/useVirtualPages';
import { ProjectOptions } from '../components/ProjectOptions';

const OPEN_STATUSES: TaskStatus[] = TASK_STATUSES.filter((s) => s !== 'done');

type StatusFilter = '' | 'open' | TaskStatus;

export function TaskListScreen({ mode }: { mode: 'mine' | 'all' }) {
  const { info, newTask } = useApp();
  const [text, setText] = useState('');
  const [status, setStatus] = useState<StatusFilter>(mode === 'mine' ? 'open' : '');
  const [projectId, setProjectId] = useState('');
  const [sort, setSort] = useState<TaskSort | null>(null);
  // No debounce: the filter queries one page (a few ms in SQLite), so every keystroke shows its
  // result at once; superseded answers are dropped by usePagedTasks.
  const trimmed = text.trim();

  const query = useMemo(() => {
    const q: Omit<TaskPageInput, 'limit' | 'offset'> = {};
    if (mode === 'mine') q.mine = true;
    if (trimmed) q.text = trimmed;
    if (status === 'open') q.status = OPEN_STATUSES;
    else if (status) q.status = status;
    if (projectId) q.projectId = projectId;
    if (sort) q.sort = sort;
    return q;
  }, [mode, trimmed, status, projectId, sort]);

  const tasks = usePagedTasks(query);
  const projects = useQuery('projects.list', undefined, { tables: ['projects'] });

  const filtered = Boolean(trimmed || projectId || (status && !(mode === 'mine' && status === 'open')));
  const total = tasks.total;
  const title = mode === 'mine' ? 'My tasks' : 'All tasks';

  // The count comes from the database, not from the rows loaded so far.
  const subtitle = total !== undefined ? plural(total, 'task') : undefined;

  return (
    <section className="view" aria-labelledby="view-title">
      <ViewHeader title={title} subtitle={subtitle}>
        <FilterInput value={text} onChange={setText} placeholder="Filter tasks…" label="Filter tasks" />
        <select
          className="select-compact"
          aria-label="Status filter"
          value={status}
          onChange={(e) => setStatus(e.target.value as StatusFilter)}
        >
          <option value="">Any status</option>
          <option value="open">Open (not done)</option>
          {TASK_STATUSES.map((s) => (
            <option key={s} value={s}>
              {TASK_STATUS_LABELS[s]}
            </option>
          ))}
        </select>
        <select
          className="select-compact"
          aria-label="Project filter"
          value={projectId}
          onChange={(e) => setProjectId(e.target.value)}
        >
          <option value="">All projects</option>
          <ProjectOptions projects={projects.data} />
        </select>
      </ViewHeader>

      <div className="view-body is-virtual">
        {tasks.error ? <ErrorBanner error={tasks.error} title="Could not load tasks" onRetry={() => void tasks.reload()} /> : null}
        {mode === 'mine' && !info.currentEmployeeId ? (
          <div className="banner banner-info">
            Your user is not linked to an employee record, so nothing can be assigned to you yet. Link one on the People
            screen.
          </div>
        ) : null}

        {total === undefined && tasks.loading ? (
          <Loading label="Loading tasks…" />
        ) : total === 0 ? (
          filtered ? (
            <EmptyState
              title="No tasks match"
              action={
                <button
                  type="button"
                  className="btn"
                  onClick={() => {
                    setText('');
                    setProjectId('');
                    setStatus(mode === 'mine' ? 'open' : '');
                  }}
                >
                  Clear filters
                </button>
              }
            >
              Try a different search or status.
            </EmptyState>
          ) : mode === 'mine' ? (
            <EmptyState
              title="Nothing assigned to you"
              action={
                <button type="button" className="btn btn-primary" onClick={() => newTask({ assignedTo: info.currentEmployeeId })}>
                  Create a task
                </button>
              }
            >
              Open tasks assigned to you will show up here.
            </EmptyState>
          ) : (
            <EmptyState
              title="No tasks yet"
              action={
                <button type="button" className="btn btn-primary" onClick={() => newTask()}>
                  Create a task
                </button>
              }
            >
              Press <kbd>N</kbd> anywhere to create one.
            </EmptyState>
          )
        ) : total !== undefined ? (
          <PagedTaskTable source={tasks} sort={sort} onSortChange={setSort} />
        ) : null}
      </div>
    </section>
  );
}
