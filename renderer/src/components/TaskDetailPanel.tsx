import { useEffect, useRef, useState } from 'react';
import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  TASK_STATUS_LABELS,
  type TaskPriority,
  type TaskStatus,
} from '../../../shared/enums';
import type { TaskUpdateInput } from '../../../shared/inputs';
import { call, splitErrors, toApiError, type ApiError } from '../api';
import { useApp } from '../lib/appContext';
import { formatDateTime, isOverdue, timeAgo } from '../lib/format';
import { useQuery } from '../lib/useQuery';
import { PRIORITY_LABELS, PriorityIcon, StatusIcon } from './Chips';
import { CommentThread } from './CommentThread';
import { CloseIcon } from './Dialog';
import { EmployeeOptions } from './EmployeeOptions';
import { Loading } from './EmptyState';
import { ErrorBanner } from './ErrorBanner';
import { Field } from './Field';
import { InlineText, InlineValue } from './InlineFields';
import { TaskHistory } from './TaskHistory';
import { SimilarTasks } from './search/SimilarTasks';
import { ProjectOptions } from './ProjectOptions';

type Patch = Omit<TaskUpdateInput, 'id'>;
const FIELDS = ['title', 'description', 'status', 'priority', 'assignedTo', 'projectId', 'dueDate', 'estimatedHours', 'actualHours'];
type SaveState = 'idle' | 'saving' | 'saved';

export function TaskDetailPanel({ taskId, onClose }: { taskId: string; onClose: () => void }) {
  const { toast } = useApp();
  const task = useQuery('tasks.get', { id: taskId }, { tables: ['tasks', 'projects', 'employees', 'comments'] });
  const employees = useQuery('employees.list', undefined, { tables: ['employees'] });
  const projects = useQuery('projects.list', undefined, { tables: ['projects'] });
  const users = useQuery('users.list', undefined, { tables: ['users'] });

  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [saveState, setSaveState] = useState<SaveState>('idle');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [tab, setTab] = useState<'comments' | 'history'>('comments');
  const panelRef = useRef<HTMLElement>(null);

  useEffect(() => {
    panelRef.current?.focus();
  }, [taskId]);

  useEffect(() => {
    if (saveState !== 'saved') return;
    const t = setTimeout(() => setSaveState('idle'), 2000);
    return () => clearTimeout(t);
  }, [saveState]);

  const save = async (patch: Patch): Promise<boolean> => {
    const fields = Object.keys(patch);
    setSaveState('saving');
    setFailure(null);
    try {
      await call('tasks.update', { id: taskId, ...patch });
      setErrors((prev) => {
        const next = { ...prev };
        for (const f of fields) delete next[f];
        return next;
      });
      setSaveState('saved');
      task.reload();
      return true;
    } catch (err) {
      const { fields: fe, general } = splitErrors(err, FIELDS);
      setErrors((prev) => ({ ...prev, ...fe }));
      setFailure(general);
      setSaveState('idle');
      return false;
    }
  };

  const saveHours = (field: 'estimatedHours' | 'actualHours') => async (raw: string) => {
    const n = raw.trim() === '' ? null : Number(raw);
    if (n !== null && !Number.isFinite(n)) {
      setErrors((prev) => ({ ...prev, [field]: 'must be a number' }));
      return false;
    }
    return save(field === 'estimatedHours' ? { estimatedHours: n } : { actualHours: n });
  };

  const remove = async () => {
    setDeleting(true);
    try {
      await call('tasks.delete', { id: taskId });
      toast('Task deleted', 'success');
      onClose();
    } catch (err) {
      setFailure(toApiError(err));
      setDeleting(false);
      setConfirmDelete(false);
    }
  };

  const t = task.data;
  const notFound = task.error?.code === 'NOT_FOUND';

  return (
    <aside
      ref={panelRef}
      className="detail-panel"
      data-testid="task-detail"
      data-task-id={taskId}
      role="dialog"
      aria-modal="false"
      aria-label={t ? `Task: ${t.title}` : 'Task'}
      tabIndex={-1}
    >
      <header className="detail-header">
        <span className="detail-crumb">
          {t?.projectName ?? 'No project'}
          <span className="crumb-sep">›</span>
          <span className="muted">Task</span>
        </span>
        <span className={`save-state ${saveState}`} aria-live="polite">
          {saveState === 'saving' ? 'Saving…' : saveState === 'saved' ? 'Saved' : ''}
        </span>
        {t ? (
          <button
            type="button"
            className="icon-btn"
            aria-label="Delete task"
            title="Delete task"
            data-testid="task-delete"
            onClick={() => setConfirmDelete(true)}
          >
            <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
              <path
                d="M2.5 3.8h9M5.5 3.8V2.5h3v1.3M3.6 3.8l.6 7.7h5.6l.6-7.7"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.3"
                strokeLinejoin="round"
              />
            </svg>
          </button>
        ) : null}
        <button type="button" className="icon-btn" aria-label="Close task" data-testid="task-detail-close" onClick={onClose}>
          <CloseIcon />
        </button>
      </header>

      {confirmDelete ? (
        <div className="confirm-bar" role="alertdialog" aria-label="Confirm delete" data-testid="confirm-delete">
          <span>Delete this task and its comments? This cannot be undone.</span>
          <button type="button" className="btn btn-small" onClick={() => setConfirmDelete(false)} autoFocus>
            Cancel
          </button>
          <button type="button" className="btn btn-small btn-danger" disabled={deleting} data-testid="confirm-delete-button" onClick={() => void remove()}>
            {deleting ? 'Deleting…' : 'Delete task'}
          </button>
        </div>
      ) : null}

      <div className="detail-scroll">
        {failure ? <ErrorBanner error={failure} title="Change not saved" onDismiss={() => setFailure(null)} /> : null}
        {notFound ? (
          <div className="detail-missing">
            <h3>This task no longer exists</h3>
            <p className="muted">It may have been deleted.</p>
            <button type="button" className="btn" onClick={onClose}>
              Close
            </button>
          </div>
        ) : task.error && !t ? (
          <ErrorBanner error={task.error} title="Could not load the task" onRetry={task.reload} />
        ) : !t ? (
          <Loading label="Loading task…" />
        ) : (
          <>
            <Field label="Title" error={errors.title} className="field-title">
              <InlineText value={t.title} label="Title" testId="detail-title" className="title-input" onSave={(title) => save({ title })} />
            </Field>

            <div className="props">
              <Field label="Status" error={errors.status}>
                <div className="select-with-icon">
                  <StatusIcon status={t.status} />
                  <select
                    className="inline-input"
                    aria-label="Status"
                    data-testid="detail-status"
                    value={t.status}
                    onChange={(e) => void save({ status: e.target.value as TaskStatus })}
                  >
                    {TASK_STATUSES.map((s) => (
                      <option key={s} value={s}>
                        {TASK_STATUS_LABELS[s]}
                      </option>
                    ))}
                  </select>
                </div>
              </Field>
              <Field label="Priority" error={errors.priority}>
                <div className="select-with-icon">
                  <PriorityIcon priority={t.priority} />
                  <select
                    className="inline-input"
                    aria-label="Priority"
                    data-testid="detail-priority"
                    value={t.priority}
                    onChange={(e) => void save({ priority: e.target.value as TaskPriority })}
                  >
                    {TASK_PRIORITIES.map((p) => (
                      <option key={p} value={p}>
                        {PRIORITY_LABELS[p]}
                      </option>
                    ))}
                  </select>
                </div>
              </Field>
              <Field label="Assignee" error={errors.assignedTo}>
                <select
                  className="inline-input"
                  aria-label="Assignee"
                  data-testid="detail-assignee"
                  value={t.assignedTo ?? ''}
                  onChange={(e) => void save({ assignedTo: e.target.value || null })}
                >
                  <option value="">Unassigned</option>
                  {t.assignedTo && !employees.data?.some((e) => e.id === t.assignedTo) ? (
                    <option value={t.assignedTo}>{t.assigneeName ?? 'Unknown'}</option>
                  ) : null}
                  <EmployeeOptions employees={employees.data ?? []} keepId={t.assignedTo} />
                </select>
              </Field>
              <Field label="Project" error={errors.projectId}>
                <select
                  className="inline-input"
                  aria-label="Project"
                  data-testid="detail-project"
                  value={t.projectId ?? ''}
                  onChange={(e) => void save({ projectId: e.target.value || null })}
                >
                  <option value="">No project</option>
                  {t.projectId && !projects.data?.some((p) => p.id === t.projectId) ? (
                    <option value={t.projectId}>{t.projectName ?? 'Unknown'}</option>
                  ) : null}
                  <ProjectOptions projects={projects.data} />
                </select>
              </Field>
              <Field
                label="Due date"
                error={errors.dueDate}
                className={isOverdue(t.dueDate, t.status) ? 'is-overdue' : undefined}
                hint={isOverdue(t.dueDate, t.status) ? 'Overdue' : undefined}
              >
                <InlineValue kind="date" label="Due date" testId="detail-due" value={t.dueDate} onSave={(v) => save({ dueDate: v || null })} />
              </Field>
              <Field label="Estimate (h)" error={errors.estimatedHours}>
                <InlineValue kind="hours" label="Estimate in hours" testId="detail-estimate" value={t.estimatedHours} onSave={saveHours('estimatedHours')} />
              </Field>
              <Field label="Actual (h)" error={errors.actualHours}>
                <InlineValue kind="hours" label="Actual hours" testId="detail-actual" value={t.actualHours} onSave={saveHours('actualHours')} />
              </Field>
            </div>

            <Field label="Description" error={errors.description} className="field-description">
              <InlineText
                multiline
                value={t.description ?? ''}
                label="Description"
                testId="detail-description"
                placeholder="Add a description…"
                onSave={(d) => save({ description: d.trim() ? d : null })}
              />
            </Field>

            <p className="detail-meta muted">
              Created <time title={formatDateTime(t.createdAt)}>{timeAgo(t.createdAt)}</time> · Updated{' '}
              <time title={formatDateTime(t.updatedAt)}>{timeAgo(t.updatedAt)}</time>
              {t.completedAt ? (
                <>
                  {' '}
                  · Completed <time title={formatDateTime(t.completedAt)}>{timeAgo(t.completedAt)}</time>
                </>
              ) : null}
            </p>

            <SimilarTasks taskId={taskId} />
            <div className="tabs" role="tablist" aria-label="Activity">
              <button
                type="button"
                role="tab"
                id="tab-comments"
                aria-selected={tab === 'comments'}
                aria-controls="tabpanel-activity"
                className={`tab${tab === 'comments' ? ' active' : ''}`}
                onClick={() => setTab('comments')}
              >
                Comments <span className="tab-count">{t.commentCount}</span>
              </button>
              <button
                type="button"
                role="tab"
                id="tab-history"
                aria-selected={tab === 'history'}
                aria-controls="tabpanel-activity"
                className={`tab${tab === 'history' ? ' active' : ''}`}
                data-testid="history-tab"
                onClick={() => setTab('history')}
              >
                History
              </button>
            </div>
            <div role="tabpanel" id="tabpanel-activity" aria-labelledby={`tab-${tab}`} className="tabpanel">
              {tab === 'comments' ? (
                <CommentThread taskId={taskId} />
              ) : (
                <TaskHistory
                  taskId={taskId}
                  employees={employees.data ?? []}
                  projects={projects.data ?? []}
                  users={users.data ?? []}
                />
              )}
            </div>
          </>
        )}
      </div>
    </aside>
  );
}
