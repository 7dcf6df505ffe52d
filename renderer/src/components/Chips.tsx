import {
  TASK_STATUS_LABELS,
  type TaskPriority,
  type TaskStatus,
} from '../../../shared/enums';

export const PRIORITY_LABELS: Readonly<Record<TaskPriority, string>> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
};

/** A small circle whose fill hints at progress, like Linear's status icons. */
export function StatusIcon({ status }: { status: TaskStatus }) {
  const fill: Record<TaskStatus, number> = { todo: 0, in_progress: 0.4, testing: 0.65, awaiting_feedback: 0.8, done: 1 };
  const f = fill[status];
  const r = 5;
  const c = 2 * Math.PI * r;
  return (
    <svg className={`status-icon st-${status}`} width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
      <circle cx="7" cy="7" r="6" fill="none" strokeWidth="1.5" className="ring" />
      {status === 'done' ? (
        <>
          <circle cx="7" cy="7" r="6" className="solid" />
          <path d="M4.4 7.2 6.2 9l3.4-3.6" fill="none" stroke="#fff" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
        </>
      ) : f > 0 ? (
        <circle
          cx="7"
          cy="7"
          r={r / 2}
          fill="none"
          strokeWidth={r}
          className="pie"
          strokeDasharray={`${(c / 2) * f} ${c}`}
          transform="rotate(-90 7 7)"
        />
      ) : null}
    </svg>
  );
}

export function StatusChip({ status }: { status: TaskStatus }) {
  return (
    <span className={`chip chip-status st-${status}`}>
      <StatusIcon status={status} />
      {TASK_STATUS_LABELS[status]}
    </span>
  );
}

export function PriorityIcon({ priority }: { priority: TaskPriority }) {
  if (priority === 'urgent') {
    return (
      <svg className="priority-icon pr-urgent" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
        <rect x="1" y="1" width="12" height="12" rx="3" />
        <path d="M7 3.8v4M7 10v.2" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" />
      </svg>
    );
  }
  const level = { low: 1, medium: 2, high: 3 }[priority];
  return (
    <svg className={`priority-icon pr-${priority}`} width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
      {[0, 1, 2].map((i) => (
        <rect key={i} x={2 + i * 4} y={9 - i * 3} width="2.4" height={3 + i * 3} rx="0.8" className={i < level ? 'on' : 'off'} />
      ))}
    </svg>
  );
}

export function PriorityChip({ priority }: { priority: TaskPriority }) {
  return (
    <span className={`chip chip-priority pr-${priority}`}>
      <PriorityIcon priority={priority} />
      {PRIORITY_LABELS[priority]}
    </span>
  );
}

export function CommentIcon() {
  return (
    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
      <path d="M2 2.5h8v5.5H5l-2.5 2V8H2z" fill="none" stroke="currentColor" strokeWidth="1.1" strokeLinejoin="round" />
    </svg>
  );
}
