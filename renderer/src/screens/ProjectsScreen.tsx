import { useMemo, useState, type FormEvent } from 'react';
import type { ProjectSummary } from '../../../shared/entities';
import {
  PROJECT_STATUSES,
  PROJECT_STATUS_LABELS,
  PROJECT_STATUS_TRANSITIONS,
  TASK_STATUSES,
  TASK_STATUS_LABELS,
  type ProjectStatus,
} from '../../../shared/enums';
import type { ProjectCreateInput } from '../../../shared/inputs';
import { call, splitErrors, toApiError, type ApiError } from '../api';
import { EmptyState, Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { Field } from '../components/Field';
import { FilterInput, ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { daysUntil, formatDate, plural, todayIso } from '../lib/format';
import { useQuery } from '../lib/useQuery';
import { ProjectTimeline } from '../components/timeline/ProjectTimeline';

export function ProjectsScreen() {
  const projects = useQuery('projects.list', undefined, { tables: ['projects', 'tasks'] });
  const [text, setText] = useState('');
  const [creating, setCreating] = useState(false);

  const list = useMemo(() => {
    const q = text.trim().toLowerCase();
    const all = projects.data ?? [];
    return q ? all.filter((p) => p.name.toLowerCase().includes(q) || (p.description ?? '').toLowerCase().includes(q)) : all;
  }, [projects.data, text]);

  return (
    <section className="view" aria-labelledby="view-title">
      <ViewHeader title="Projects" subtitle={projects.data ? plural(projects.data.length, 'project') : undefined}>
        <FilterInput value={text} onChange={setText} placeholder="Filter projects…" label="Filter projects" />
        <button type="button" className="btn btn-primary" data-testid="new-project-button" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          New project
        </button>
      </ViewHeader>
      <div className="view-body">
        {creating ? <NewProjectForm onDone={() => setCreating(false)} onCreated={projects.reload} /> : null}
        {projects.error ? <ErrorBanner error={projects.error} title="Could not load projects" onRetry={projects.reload} /> : null}
        {!projects.data && projects.loading ? (
          <Loading label="Loading projects…" />
        ) : projects.data && list.length === 0 ? (
          text ? (
            <EmptyState title="No projects match">Try a different name.</EmptyState>
          ) : (
            <EmptyState
              title="No projects yet"
              action={
                <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
                  Create a project
                </button>
              }
            >
              Projects group tasks and track progress toward a deadline.
            </EmptyState>
          )
        ) : list.length > 0 ? (
          <ul className="project-list">
            {list.map((p) => (
              <ProjectRow key={p.id} project={p} onChanged={projects.reload} />
            ))}
          </ul>
        ) : null}
      </div>
    </section>
  );
}

function ProjectRow({ project: p, onChanged }: { project: ProjectSummary; onChanged: () => void }) {
  const { navigate } = useApp();
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const [showTimeline, setShowTimeline] = useState(false);
  const allowed = PROJECT_STATUS_TRANSITIONS[p.status];
  const closed = p.status === 'done' || p.status === 'cancelled';
  const deadlineOverdue = Boolean(p.deadline && !closed && p.deadline < todayIso());
  const deadlineSoon = Boolean(p.deadline && !closed && !deadlineOverdue && daysUntil(p.deadline) <= 7);

  const setStatus = async (status: ProjectStatus) => {
    setSaving(true);
    setError(null);
    try {
      await call('projects.setStatus', { id: p.id, status });
      onChanged();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <li className="project-row" data-testid="project-row" data-project-id={p.id}>
      <div className="project-main">
        <button type="button" className="project-name-btn" onClick={() => navigate('board', { projectId: p.id })} title="Open on the board">
          {p.name}
        </button>
        {p.description ? <p className="project-desc">{p.description}</p> : null}
      </div>

      <div className="project-status">
        <select
          className={`select-compact ps-select ps-${p.status}`}
          aria-label={`Status of ${p.name}`}
          data-testid="project-status"
          value={p.status}
          disabled={saving}
          onChange={(e) => void setStatus(e.target.value as ProjectStatus)}
        >
          {PROJECT_STATUSES.map((s) => (
            <option key={s} value={s} disabled={s !== p.status && !allowed.includes(s)}>
              {PROJECT_STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>

      <div className="project-progress" title={`${p.progress}% of tasks done`}>
        <div
          className="progress"
          role="progressbar"
          aria-label={`${p.name} progress`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={p.progress}
        >
          <div className="progress-fill" style={{ width: `${p.progress}%` }} />
        </div>
        <span className="progress-label">{p.progress}%</span>
      </div>

      <div className="project-counts" aria-label="Tasks by status">
        {TASK_STATUSES.map((s) => (
          <span key={s} className={`count-pill st-${s}`} title={`${TASK_STATUS_LABELS[s]}: ${p.taskCounts[s] ?? 0}`}>
            <span className="dot" aria-hidden="true" />
            <span className="sr-only">{TASK_STATUS_LABELS[s]}: </span>
            {p.taskCounts[s] ?? 0}
          </span>
        ))}
        <span className="muted total">{plural(p.totalTasks, 'task')}</span>
        {p.overdueTasks > 0 ? <span className="overdue-count">{p.overdueTasks} overdue</span> : null}
      </div>

      <div className={`project-deadline${deadlineOverdue ? ' overdue' : deadlineSoon ? ' soon' : ''}`}>
        {p.deadline ? (
          <>
            <span className="deadline-label">Deadline</span>
            <span data-testid="project-deadline">{formatDate(p.deadline)}</span>
            {!closed ? <span className="deadline-left">{deadlineLeft(daysUntil(p.deadline))}</span> : null}
          </>
        ) : (
          <span className="muted">No deadline</span>
        )}
      </div>

      <div className="project-timeline-toggle">
        <button type="button" className="btn btn-small" data-testid="timeline-toggle" aria-expanded={showTimeline} onClick={() => setShowTimeline((v) => !v)}>
          {showTimeline ? 'Hide timeline' : 'Timeline'}
        </button>
      </div>

      {showTimeline ? (
        <div className="project-timeline-wrap">
          <ProjectTimeline project={p} />
        </div>
      ) : null}

      {error ? (
        <div className="project-error" role="alert" data-testid="project-error">
          {error.code === 'INVALID_TRANSITION' ? (
            <>
              <strong>That status change isn&apos;t allowed.</strong> {error.message}{' '}
              {allowed.length > 0 ? (
                <span className="muted">
                  From {PROJECT_STATUS_LABELS[p.status]} you can move to {allowed.map((s) => PROJECT_STATUS_LABELS[s]).join(', ')}.
                </span>
              ) : null}
            </>
          ) : (
            <>
              <strong>Status not changed.</strong> {error.message}
            </>
          )}
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => setError(null)}>
            ×
          </button>
        </div>
      ) : null}
    </li>
  );
}

function deadlineLeft(days: number): string {
  if (days < 0) return `${plural(-days, 'day')} late`;
  if (days === 0) return 'today';
  return `${plural(days, 'day')} left`;
}

function NewProjectForm({ onDone, onCreated }: { onDone: () => void; onCreated: () => void }) {
  const { toast } = useApp();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [startDate, setStartDate] = useState('');
  const [deadline, setDeadline] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input: ProjectCreateInput = { name };
    if (description.trim()) input.description = description;
    if (startDate) input.startDate = startDate;
    if (deadline) input.deadline = deadline;
    setSaving(true);
    setFailure(null);
    try {
      const created = await call('projects.create', input);
      toast(`Project “${created.name}” created`, 'success');
      onCreated();
      onDone();
    } catch (err) {
      const { fields, general } = splitErrors(err, ['name', 'description', 'startDate', 'deadline']);
      setErrors(fields);
      setFailure(general);
      setSaving(false);
    }
  };

  return (
    <form className="card inline-form" onSubmit={submit} noValidate aria-label="New project" data-testid="new-project-form">
      <h2 className="form-card-title">New project</h2>
      {failure ? <ErrorBanner error={failure} title="Could not create the project" /> : null}
      <div className="form-grid form-grid-4">
        <Field label="Name" error={errors.name} className="span-2">
          <input className="input" data-testid="new-project-name" autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Website relaunch" />
        </Field>
        <Field label="Start date" error={errors.startDate}>
          <input className="input" type="date" value={startDate} onChange={(e) => setStartDate(e.target.value)} />
        </Field>
        <Field label="Deadline" error={errors.deadline}>
          <input className="input" type="date" value={deadline} onChange={(e) => setDeadline(e.target.value)} />
        </Field>
        <Field label="Description" error={errors.description} className="span-4">
          <textarea className="input textarea" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What is this project about?" />
        </Field>
      </div>
      <div className="form-actions">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="new-project-submit">
          {saving ? 'Creating…' : 'Create project'}
        </button>
      </div>
    </form>
  );
}
