import { useMemo } from 'react';
import type { ProjectSummary, TaskListItem } from '../../../../shared/entities';
import { TASK_STATUS_LABELS } from '../../../../shared/enums';
import { useApp } from '../../lib/appContext';
import { formatDate, plural, todayIso } from '../../lib/format';
import { useQuery } from '../../lib/useQuery';
import { Loading } from '../EmptyState';
import { ErrorBanner } from '../ErrorBanner';

const DAY = 86_400_000;
const toDay = (iso: string) => Date.parse(`${iso.slice(0, 10)}T00:00:00Z`);
const toIso = (t: number) => new Date(t).toISOString().slice(0, 10);

/** A task on the timeline: a span (start → end/due) or a single day (due date only). */
export type Placed = { task: TaskListItem; start: number; end: number; span: boolean };

/** Where each task sits: tasks with a start get a bar to their end (or due date); due-only tasks a marker. */
export function placeTasks(tasks: readonly TaskListItem[]): { placed: Placed[]; unscheduled: number } {
  const placed: Placed[] = [];
  let unscheduled = 0;
  for (const task of tasks) {
    const start = task.startTime ? toDay(task.startTime) : null;
    const endIso = task.endTime ?? task.dueDate;
    const end = endIso ? toDay(endIso) : null;
    if (start !== null && end !== null && end >= start) placed.push({ task, start, end, span: true });
    else if (end !== null) placed.push({ task, start: end, end, span: false });
    else if (start !== null) placed.push({ task, start, end: start, span: false });
    else unscheduled += 1;
  }
  placed.sort((a, b) => a.start - b.start || a.end - b.end);
  return { placed, unscheduled };
}

/**
 * The project's tasks on a time axis (CSS-positioned bars), with today and the deadline marked.
 * Each bar is a button named with its dates, so the timeline reads as a list to a screen reader.
 */
export function ProjectTimeline({ project }: { project: ProjectSummary }) {
  const { openTask } = useApp();
  const tasks = useQuery('tasks.list', { projectId: project.id, limit: 500 }, { tables: ['tasks'] });
  const today = toDay(todayIso());

  const layout = useMemo(() => {
    const { placed, unscheduled } = placeTasks(tasks.data ?? []);
    const points = [today, ...placed.flatMap((p) => [p.start, p.end])];
    if (project.startDate) points.push(toDay(project.startDate));
    if (project.deadline) points.push(toDay(project.deadline));
    const min = Math.min(...points) - DAY;
    const max = Math.max(...points) + 2 * DAY;
    return { placed, unscheduled, min, max };
  }, [tasks.data, project.startDate, project.deadline, today]);

  if (tasks.error) return <ErrorBanner error={tasks.error} title="Could not load the timeline" onRetry={tasks.reload} />;
  if (!tasks.data) return <Loading label="Loading timeline…" />;

  const { placed, unscheduled, min, max } = layout;
  const pos = (t: number) => ((t - min) / (max - min)) * 100;
  const ticks = [min + DAY, (min + max) / 2, max - 2 * DAY].map((t) => toIso(Math.round(t / DAY) * DAY));

  return (
    <div className="timeline" data-testid="project-timeline" aria-label={`Timeline of ${project.name}`} role="group">
      <div className="tl-axis" aria-hidden="true">
        {ticks.map((t, i) => (
          <span key={`${t}-${i}`} className="tl-tick" style={{ left: `${pos(toDay(t))}%` }}>
            {formatDate(t)}
          </span>
        ))}
      </div>
      <div className="tl-body">
        <div className="tl-overlay">
          <div className="tl-today" style={{ left: `${pos(today)}%` }} aria-hidden="true" title="Today" />
          {project.deadline ? (
            <div className="tl-deadline" data-testid="timeline-deadline" style={{ left: `${pos(toDay(project.deadline))}%` }}>
              <span className="tl-deadline-label">Deadline {formatDate(project.deadline)}</span>
            </div>
          ) : null}
        </div>
        {placed.length === 0 ? <p className="muted tl-empty">No task has dates yet.</p> : null}
        <ul className="tl-rows">
          {placed.map(({ task, start, end, span }) => {
            const late = task.status !== 'done' && end < today;
            const dates = span ? `${formatDate(toIso(start))} – ${formatDate(toIso(end))}` : `due ${formatDate(toIso(end))}`;
            return (
              <li key={task.id} className="tl-row">
                <span className="tl-label" title={task.title}>
                  {task.title}
                </span>
                <div className="tl-track">
                  <button
                    type="button"
                    className={`tl-item st-${task.status}${span ? ' tl-bar' : ' tl-point'}${late ? ' late' : ''}`}
                    data-testid="timeline-item"
                    data-task-id={task.id}
                    data-kind={span ? 'span' : 'due'}
                    style={span ? { left: `${pos(start)}%`, width: `${Math.max(0.8, pos(end + DAY) - pos(start))}%` } : { left: `${pos(end)}%` }}
                    aria-label={`${task.title}: ${dates}, ${TASK_STATUS_LABELS[task.status]}${late ? ', late' : ''}`}
                    onClick={() => openTask(task.id)}
                  />
                </div>
              </li>
            );
          })}
        </ul>
      </div>
      {unscheduled > 0 ? <p className="muted tl-unscheduled">{plural(unscheduled, 'task')} without dates not shown.</p> : null}
    </div>
  );
}
