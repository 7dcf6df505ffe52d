import { useMemo, useState } from 'react';
import type { TaskListFilter } from '../../../shared/inputs';
import { TASK_STATUSES, TASK_STATUS_LABELS, type TaskStatus } from '../../../shared/enums';
import { EmptyState, Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { TaskTable } from '../components/TaskTable';
import { FilterInput, ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { plural } from '../lib/format';
import { useDebounced } from '../lib/useDebounced';
import { useQuery } from '../lib/useQuery';

export const TASK_LIMIT = 500;
const OPEN_STATUSES: TaskStatus[] = TASK_STATUSES.filter((s) => s !== 'done');

type StatusFilter = '' | 'open' | TaskStatus;

export function TaskListScreen({ mode }: { mode: 'mine' | 'all' }) {
  const { info, newTask } = useApp();
  const [text, setText] = useState('');
  const [status, setStatus] = useState<StatusFilter>(mode === 'mine' ? 'open' : '');
  const [projectId, setProjectId] = useState('');
  const debouncedText = useDebounced(text.trim(), 200);

  const filter = useMemo<TaskListFilter>(() => {
    const f: TaskListFilter = { limit: TASK_LIMIT };
    if (mode === 'mine') f.mine = true;
    if (debouncedText) f.text = debouncedText;
    if (status === 'open') f.status = OPEN_STATUSES;
    else if (status) f.status = status;
    if (projectId) f.projectId = projectId;
    return f;
  }, [mode, debouncedText, status, projectId]);

  const tasks = useQuery('tasks.list', filter, { tables: ['tasks', 'projects', 'employees', 'comments'] });
  const projects = useQuery('projects.list', undefined, { tables: ['projects'] });

  const filtered = Boolean(debouncedText || projectId || (status && !(mode === 'mine' && status === 'open')));
  const list = tasks.data ?? [];
  const title = mode === 'mine' ? 'My tasks' : 'All tasks';

  const subtitle = tasks.data
    ? list.length >= TASK_LIMIT
      ? `First ${TASK_LIMIT.toLocaleString()} tasks — refine the filter to see more`
      : plural(list.length, 'task')
    : undefined;

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
          {(projects.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </ViewHeader>

      <div className="view-body">
        {tasks.error ? <ErrorBanner error={tasks.error} title="Could not load tasks" onRetry={tasks.reload} /> : null}
        {mode === 'mine' && !info.currentEmployeeId ? (
          <div className="banner banner-info">
            Your user is not linked to an employee record, so nothing can be assigned to you yet. Link one on the People
            screen.
          </div>
        ) : null}

        {!tasks.data && tasks.loading ? (
          <Loading label="Loading tasks…" />
        ) : tasks.data && list.length === 0 ? (
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
        ) : list.length > 0 ? (
          <div className={`table-wrap${tasks.loading ? ' is-refreshing' : ''}`}>
            <TaskTable tasks={list} />
          </div>
        ) : null}
      </div>
    </section>
  );
}
