import { useMemo, useState, type DragEvent } from 'react';
import type { WorkloadChip, WorkloadPerson } from '../../../../shared/home';
import { call, toApiError } from '../../api';
import { useApp } from '../../lib/appContext';
import { formatDate, formatHours, plural, todayIso } from '../../lib/format';
import { flattenTree } from '../../lib/hierarchy';
import { useQuery } from '../../lib/useQuery';
import { Avatar } from '../Avatar';
import { Loading } from '../EmptyState';
import { ErrorBanner } from '../ErrorBanner';
import { MoveTaskDialog } from './MoveTaskDialog';

/** Our own drag type, so a drop of text or a file from elsewhere is never taken for a task. */
const DRAG_TYPE = 'application/x-coordinator-task';

const addWeeks = (monday: string, n: number) => new Date(Date.parse(`${monday}T00:00:00Z`) + n * 7 * 86_400_000).toISOString().slice(0, 10);

/**
 * People and workload: per person open tasks, this week's estimated hours against capacity and
 * overdue count as bars, in reporting order. Drag a task chip onto another person to reassign it;
 * without a mouse, Enter on a chip opens a "Move to…" dialog.
 */
export function WorkloadView({ highlightId }: { highlightId: string | null }) {
  const { toast, info } = useApp();
  const [weekStart, setWeekStart] = useState<string | undefined>(undefined);
  const workload = useQuery('home.workload', weekStart ? { today: todayIso(), weekStart } : { today: todayIso() }, { tables: ['tasks', 'employees'] });
  const [moving, setMoving] = useState<{ chip: WorkloadChip; from: WorkloadPerson } | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);

  const data = workload.data;
  const rows = useMemo(() => flattenTree((data?.people ?? []).map((p) => ({ ...p, id: p.employeeId }))), [data]);
  const maxOpen = Math.max(1, ...(data?.people ?? []).map((p) => p.openCount));

  const reassign = async (chip: WorkloadChip, from: WorkloadPerson, to: WorkloadPerson) => {
    if (from.employeeId === to.employeeId) return;
    try {
      await call('tasks.update', { id: chip.id, assignedTo: to.employeeId });
      workload.reload();
      toast(`“${chip.title}” moved to ${to.name}`, 'success', {
        label: 'Undo',
        run: () => void call('tasks.update', { id: chip.id, assignedTo: from.employeeId }).then(workload.reload, (err: unknown) => toast(toApiError(err).message, 'error')),
      });
    } catch (err) {
      toast(`Not reassigned: ${toApiError(err).message}`, 'error');
    }
  };

  const onDrop = (e: DragEvent, to: WorkloadPerson) => {
    setDropTarget(null);
    const raw = e.dataTransfer.getData(DRAG_TYPE);
    if (!raw) return;
    e.preventDefault();
    const [taskId, fromId] = raw.split('|');
    const from = data?.people.find((p) => p.employeeId === fromId);
    const chip = from?.tasks.find((t) => t.id === taskId);
    if (from && chip) void reassign(chip, from, to);
  };

  if (workload.error) return <ErrorBanner error={workload.error} title="Could not load the workload" onRetry={workload.reload} />;
  if (!data) return <Loading label="Loading workload…" />;

  return (
    <div className="workload" data-testid="workload">
      <div className="wl-toolbar">
        <button type="button" className="btn btn-small" aria-label="Previous week" onClick={() => setWeekStart(addWeeks(data.weekStart, -1))}>
          ‹
        </button>
        <span className="wl-week" data-testid="workload-week">
          Week of {formatDate(data.weekStart)} – {formatDate(data.weekEnd)}
        </span>
        <button type="button" className="btn btn-small" aria-label="Next week" onClick={() => setWeekStart(addWeeks(data.weekStart, 1))}>
          ›
        </button>
        {weekStart ? (
          <button type="button" className="btn btn-small" onClick={() => setWeekStart(undefined)}>
            This week
          </button>
        ) : null}
        <span className="muted wl-legend">
          Capacity {formatHours(data.capacityHours)} a week. Drag a task onto someone to reassign it, or press Enter on it.
        </span>
      </div>
      <ul className="wl-list" aria-label="Workload by person">
        {rows.map(({ node: p, depth }) => {
          const pct = Math.round((p.weekHours / data.capacityHours) * 100);
          const over = p.weekHours > data.capacityHours;
          return (
            <li
              key={p.employeeId}
              className={`wl-person${dropTarget === p.employeeId ? ' drop-target' : ''}${highlightId === p.employeeId ? ' highlight' : ''}`}
              data-testid="workload-person"
              data-employee-id={p.employeeId}
              data-depth={depth}
              onDragOver={(e) => {
                if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
                e.preventDefault();
                e.dataTransfer.dropEffect = 'move';
                if (dropTarget !== p.employeeId) setDropTarget(p.employeeId);
              }}
              onDragLeave={() => setDropTarget((t) => (t === p.employeeId ? null : t))}
              onDrop={(e) => onDrop(e, p)}
            >
              <div className="wl-who" style={{ paddingLeft: depth * 18 }}>
                <Avatar name={p.name} size={24} />
                <div className="person">
                  <span className="person-name">
                    {p.name}
                    {p.employeeId === info.currentEmployeeId ? <span className="tag tag-accent">You</span> : null}
                  </span>
                  <span className="person-email">{p.position ?? p.department ?? ''}</span>
                </div>
              </div>
              <div className="wl-bars">
                <Bar
                  label="This week"
                  testId="bar-hours"
                  value={p.weekHours}
                  max={data.capacityHours}
                  width={Math.min(100, pct)}
                  text={`${formatHours(p.weekHours)} / ${formatHours(data.capacityHours)}${p.unestimatedCount > 0 ? ` +${p.unestimatedCount} unestimated` : ''}`}
                  tone={over ? 'over' : pct >= 80 ? 'high' : 'ok'}
                />
                <Bar label="Open" testId="bar-open" value={p.openCount} max={maxOpen} width={(p.openCount / maxOpen) * 100} text={String(p.openCount)} tone="open" />
                <Bar label="Overdue" testId="bar-overdue" value={p.overdueCount} max={maxOpen} width={(p.overdueCount / maxOpen) * 100} text={String(p.overdueCount)} tone={p.overdueCount > 0 ? 'over' : 'ok'} />
              </div>
              <ul className="wl-chips" aria-label={`${p.name}'s open tasks`}>
                {p.tasks.map((chip) => (
                  <li key={chip.id}>
                    <button
                      type="button"
                      draggable
                      className={`wl-chip pr-${chip.priority}${chip.overdue ? ' overdue' : ''}`}
                      data-testid="workload-chip"
                      data-task-id={chip.id}
                      title={`${chip.title}${chip.dueDate ? ` — due ${formatDate(chip.dueDate)}` : ''}. Drag to reassign, or press Enter.`}
                      onDragStart={(e) => {
                        e.dataTransfer.setData(DRAG_TYPE, `${chip.id}|${p.employeeId}`);
                        e.dataTransfer.setData('text/plain', chip.title);
                        e.dataTransfer.effectAllowed = 'move';
                      }}
                      onDragEnd={() => setDropTarget(null)}
                      onClick={() => setMoving({ chip, from: p })}
                    >
                      <span className="wl-chip-title">{chip.title}</span>
                      {chip.estimatedHours !== null ? <span className="wl-chip-hours">{formatHours(chip.estimatedHours)}</span> : null}
                    </button>
                  </li>
                ))}
                {p.openCount > p.tasks.length ? <li className="muted wl-more">+{plural(p.openCount - p.tasks.length, 'more')}</li> : null}
              </ul>
            </li>
          );
        })}
      </ul>
      {moving ? (
        <MoveTaskDialog
          chip={moving.chip}
          from={moving.from}
          people={data.people}
          onClose={() => setMoving(null)}
          onMove={(to) => {
            const { chip, from } = moving;
            setMoving(null);
            void reassign(chip, from, to);
          }}
        />
      ) : null}
    </div>
  );
}

function Bar({ label, value, max, width, text, tone, testId }: { label: string; value: number; max: number; width: number; text: string; tone: string; testId: string }) {
  return (
    <div className="wl-bar-row">
      <span className="wl-bar-label">{label}</span>
      <div className={`wl-bar tone-${tone}`} role="meter" aria-label={`${label}: ${text}`} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value} data-testid={testId} data-value={value}>
        <div className="wl-bar-fill" style={{ width: `${Math.max(0, Math.min(100, width))}%` }} />
      </div>
      <span className="wl-bar-text">{text}</span>
    </div>
  );
}
