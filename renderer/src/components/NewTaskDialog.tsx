import { useState, type FormEvent } from 'react';
import { PossibleDuplicates } from './search/PossibleDuplicates';
import type { Task } from '../../../shared/entities';
import {
  DEFAULT_TASK_PRIORITY,
  DEFAULT_TASK_STATUS,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TASK_STATUS_LABELS,
  type TaskPriority,
  type TaskStatus,
} from '../../../shared/enums';
import type { TaskCreateInput } from '../../../shared/inputs';
import { ApiError, call, splitErrors } from '../api';
import type { NewTaskDefaults } from '../lib/appContext';
import { useQuery } from '../lib/useQuery';
import { PRIORITY_LABELS } from './Chips';
import { Dialog } from './Dialog';
import { ErrorBanner } from './ErrorBanner';
import { Field } from './Field';
import { EmployeeOptions } from './EmployeeOptions';
import { ProjectOptions } from './ProjectOptions';

const FIELDS = ['title', 'projectId', 'assignedTo', 'status', 'priority', 'dueDate', 'estimatedHours', 'description'];

export function NewTaskDialog({
  defaults,
  onClose,
  onCreated,
}: {
  defaults: NewTaskDefaults;
  onClose: () => void;
  onCreated: (task: Task) => void;
}) {
  const projects = useQuery('projects.list', undefined, { tables: ['projects'] });
  const employees = useQuery('employees.list', undefined, { tables: ['employees'] });

  const [title, setTitle] = useState('');
  const [projectId, setProjectId] = useState(defaults.projectId ?? '');
  const [priority, setPriority] = useState<TaskPriority>(DEFAULT_TASK_PRIORITY);
  const [status, setStatus] = useState<TaskStatus>(defaults.status ?? DEFAULT_TASK_STATUS);
  const [assignedTo, setAssignedTo] = useState(defaults.assignedTo ?? '');
  const [dueDate, setDueDate] = useState('');
  const [estimate, setEstimate] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (saving) return;
    const input: TaskCreateInput = { title, priority, status };
    if (projectId) input.projectId = projectId;
    if (assignedTo) input.assignedTo = assignedTo;
    if (dueDate) input.dueDate = dueDate;
    if (description.trim()) input.description = description;
    if (estimate.trim()) {
      const n = Number(estimate);
      if (!Number.isFinite(n)) {
        setErrors({ estimatedHours: 'must be a number' });
        return;
      }
      input.estimatedHours = n;
    }
    setSaving(true);
    setFailure(null);
    try {
      const task = await call('tasks.create', input);
      onCreated(task);
    } catch (err) {
      const { fields, general } = splitErrors(err, FIELDS);
      setErrors(fields);
      setFailure(general);
      setSaving(false);
    }
  };

  return (
    <Dialog
      title="New task"
      onClose={onClose}
      testId="new-task-dialog"
      wide
      footer={
        <>
          <span className="footer-hint">
            <kbd>Ctrl</kbd> <kbd>Enter</kbd> to create
          </span>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="new-task-form"
            className="btn btn-primary"
            data-testid="new-task-submit"
            disabled={saving}
          >
            {saving ? 'Creating…' : 'Create task'}
          </button>
        </>
      }
    >
      <form
        id="new-task-form"
        className="form"
        noValidate
        onSubmit={submit}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
        }}
      >
        {failure ? <ErrorBanner error={failure} title="Could not create the task" /> : null}
        <Field label="Title" error={errors.title}>
          <input
            type="text"
            className="input input-lg"
            data-testid="new-task-title"
            data-autofocus
            placeholder="What needs to be done?"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            autoComplete="off"
          />
        </Field>
        <PossibleDuplicates title={title} description={description} />
        <div className="form-grid">
          <Field label="Project" error={errors.projectId}>
            <select className="input" data-testid="new-task-project" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
              <option value="">No project</option>
              <ProjectOptions projects={projects.data} />
            </select>
          </Field>
          <Field label="Assignee" error={errors.assignedTo}>
            <select className="input" data-testid="new-task-assignee" value={assignedTo} onChange={(e) => setAssignedTo(e.target.value)}>
              <option value="">Unassigned</option>
              <EmployeeOptions employees={employees.data ?? []} />
            </select>
          </Field>
          <Field label="Status" error={errors.status}>
            <select className="input" value={status} onChange={(e) => setStatus(e.target.value as TaskStatus)}>
              {TASK_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {TASK_STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Priority" error={errors.priority}>
            <select className="input" data-testid="new-task-priority" value={priority} onChange={(e) => setPriority(e.target.value as TaskPriority)}>
              {TASK_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {PRIORITY_LABELS[p]}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Due date" error={errors.dueDate}>
            <input type="date" className="input" data-testid="new-task-due" value={dueDate} onChange={(e) => setDueDate(e.target.value)} />
          </Field>
          <Field label="Estimate (hours)" error={errors.estimatedHours}>
            <input
              type="number"
              className="input"
              data-testid="new-task-estimate"
              min={0}
              step={0.5}
              inputMode="decimal"
              placeholder="e.g. 4"
              value={estimate}
              onChange={(e) => setEstimate(e.target.value)}
            />
          </Field>
        </div>
        <Field label="Description" error={errors.description}>
          <textarea
            className="input textarea"
            data-testid="new-task-description"
            rows={5}
            placeholder="Add details…"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
