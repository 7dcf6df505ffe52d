import { useEffect, useMemo, useRef, type DragEvent } from 'react';
import type { TaskPageInput, TaskRow } from '../../../shared/task-page';
import { TASK_STATUSES, TASK_STATUS_LABELS, type TaskStatus } from '../../../shared/enums';
import { Avatar } from '../components/Avatar';
import { CommentIcon, PriorityIcon, StatusIcon } from '../components/Chips';
import { ErrorBanner } from '../components/ErrorBanner';
import { useApp } from '../lib/appContext';
import { formatDate, isOverdue, plural } from '../lib/format';
import { usePagedTasks } from '../lib/useVirtualPages';
import { useVirtualRows } from '../lib/useVirtualRows';
import '../styles/virtual.css';

/** Card height + gap; must match .vcards .task-card in virtual.css. */
export const CARD_SLOT = 110;
// About two screenfuls of cards: the first answer fills the column, scrolling asks for more.
const COLUMN_PAGE = 20;
const DRAG_TYPE = 'application/x-coordinator-task';

export type BoardQuery = Pick<TaskPageInput, 'projectId' | 'text'>;
export type DragInfo = { task: TaskRow; index: number | null };
export type ColumnHandle = { version: () => number; reload: () => Promise<void> };

/** A card moved but not yet confirmed: shown at the top of `to`, hidden at `fromIndex` in `from`. */
export type PendingMove = {
  task: TaskRow;
  from: TaskStatus;
  fromIndex: number | null;
  to: TaskStatus;
  /** Each column's data version when the move started: fresher data already includes the move. */
  versions: Partial<Record<TaskStatus, number>>;
};

/**
 * One board column: its own paged query (this status only) and its own scroll window, so a
 * column of 5k cards renders a dozen of them. Pending moves are overlaid by index arithmetic on
 * the paged rows, never by copying the column.
 */
export function BoardColumn({
  status,
  query,
  moves,
  dragging,
  over,
  register,
  onTotal,
  onDragOver,
  onDragLeave,
  onDrop,
  onDragStart,
  onDragEnd,
  onMove,
}: {
  status: TaskStatus;
  query: BoardQuery;
  moves: PendingMove[];
  dragging: DragInfo | null;
  over: boolean;
  register: (status: TaskStatus, handle: ColumnHandle | null) => void;
  onTotal: (status: TaskStatus, total: number | undefined) => void;
  onDragOver: (e: DragEvent) => void;
  onDragLeave: () => void;
  onDrop: (e: DragEvent) => void;
  onDragStart: (drag: DragInfo) => void;
  onDragEnd: () => void;
  onMove: (task: TaskRow, index: number | null, to: TaskStatus) => void;
}) {
  const { openTask, openTaskId, newTask, boardProjectId } = useApp();
  const columnQuery = useMemo(() => ({ ...query, status }), [query, status]);
  const source = usePagedTasks(columnQuery, { pageSize: COLUMN_PAGE });
  const scrollRef = useRef<HTMLDivElement>(null);
  const versionRef = useRef(source.version);
  versionRef.current = source.version;

  useEffect(() => {
    register(status, { version: () => versionRef.current, reload: source.reload });
    return () => register(status, null);
  }, [register, status, source.reload]);
  useEffect(() => onTotal(status, source.total), [onTotal, status, source.total]);

  // The overlay of moves this column's current rows do not know about yet.
  const live = moves.filter((m) => m.versions[status] === source.version);
  const incoming = live.filter((m) => m.to === status).map((m) => m.task);
  const outgoing = live
    .filter((m) => m.from === status && m.fromIndex !== null)
    .map((m) => m.fromIndex!)
    .sort((a, b) => a - b);
  const count = Math.max(0, (source.total ?? 0) + incoming.length - outgoing.length);

  /** Display index → (row, index in the paged source). */
  const itemAt = (i: number): { task: TaskRow | undefined; index: number | null } => {
    if (i < incoming.length) return { task: incoming[i], index: null };
    let j = i - incoming.length;
    for (const r of outgoing) if (r <= j) j += 1;
    return { task: source.rowAt(j), index: j };
  };

  const { start, end, before, after } = useVirtualRows(scrollRef, { count, rowHeight: CARD_SLOT, offset: 2, overscan: 4 });
  useEffect(
    () => source.setRange(Math.max(0, start - incoming.length), end + outgoing.length),
    [source.setRange, start, end, incoming.length, outgoing.length],
  );
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [source.queryKey]);

  const label = TASK_STATUS_LABELS[status];
  const cards = [];
  for (let i = start; i < end; i += 1) {
    const { task, index } = itemAt(i);
    if (!task) {
      cards.push(<div key={`placeholder-${i}`} className="card-placeholder" aria-hidden="true" />);
      continue;
    }
    cards.push(
      <TaskCard
        key={task.id}
        task={task}
        position={i + 1}
        setSize={count}
        selected={openTaskId === task.id}
        dragging={dragging?.task.id === task.id}
        onOpen={() => openTask(task.id)}
        onDragStart={(e) => {
          e.dataTransfer.setData(DRAG_TYPE, task.id);
          e.dataTransfer.setData('text/plain', task.id);
          e.dataTransfer.effectAllowed = 'move';
          onDragStart({ task, index });
        }}
        onDragEnd={onDragEnd}
        onMove={(to) => onMove(task, index, to)}
      />,
    );
  }

  return (
    <div
      className={`board-column${over ? ' drop-target' : ''}`}
      data-testid={`board-column-${status}`}
      data-status={status}
      data-total={count}
      data-query={source.queryKey}
      onDragOver={onDragOver}
      onDragEnter={onDragOver}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) onDragLeave();
      }}
      onDrop={onDrop}
      role="group"
      aria-label={`${label}, ${plural(count, 'task')}`}
    >
      <div className="column-header">
        <StatusIcon status={status} />
        <span className="column-title">{label}</span>
        <span className="column-count" aria-hidden="true">
          {count.toLocaleString()}
        </span>
        <button
          type="button"
          className="icon-btn column-add"
          aria-label={`New task in ${label}`}
          onClick={() => newTask({ projectId: boardProjectId, status })}
        >
          +
        </button>
      </div>
      {source.error ? <ErrorBanner error={source.error} title="Could not load this column" onRetry={() => void source.reload()} /> : null}
      <div ref={scrollRef} className="column-cards vcards" data-testid={`board-cards-${status}`}>
        <div style={{ height: before }} aria-hidden="true" />
        {cards}
        <div style={{ height: after }} aria-hidden="true" />
        {count === 0 && source.total !== undefined ? <div className="column-empty">No tasks</div> : null}
      </div>
    </div>
  );
}

function TaskCard({
  task,
  position,
  setSize,
  selected,
  dragging,
  onOpen,
  onDragStart,
  onDragEnd,
  onMove,
}: {
  task: TaskRow;
  position: number;
  setSize: number;
  selected: boolean;
  dragging: boolean;
  onOpen: () => void;
  onDragStart: (e: DragEvent) => void;
  onDragEnd: () => void;
  onMove: (status: TaskStatus) => void;
}) {
  const overdue = isOverdue(task.dueDate, task.status);
  const idx = TASK_STATUSES.indexOf(task.status);
  return (
    <article
      className={`task-card${selected ? ' selected' : ''}${dragging ? ' dragging' : ''}`}
      data-testid="task-card"
      data-task-id={task.id}
      data-status={task.status}
      draggable={true}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onClick={onOpen}
      tabIndex={0}
      aria-label={task.title}
      aria-posinset={position}
      aria-setsize={setSize}
      aria-describedby="board-card-help"
      onKeyDown={(e) => {
        if (e.target !== e.currentTarget) return;
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onOpen();
        } else if (e.altKey && e.key === 'ArrowRight' && idx < TASK_STATUSES.length - 1) {
          // Keyboard alternative to dragging.
          e.preventDefault();
          onMove(TASK_STATUSES[idx + 1]!);
        } else if (e.altKey && e.key === 'ArrowLeft' && idx > 0) {
          e.preventDefault();
          onMove(TASK_STATUSES[idx - 1]!);
        } else if (!e.altKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
          // Arrow keys walk the column; the next card is rendered (overscan) even at the window's edge.
          const sibling = e.key === 'ArrowDown' ? e.currentTarget.nextElementSibling : e.currentTarget.previousElementSibling;
          if (sibling instanceof HTMLElement && sibling.classList.contains('task-card')) {
            e.preventDefault();
            sibling.focus();
            sibling.scrollIntoView({ block: 'nearest' });
          }
        }
      }}
    >
      <div className="card-top">
        <span className="card-project">{task.projectName ?? 'No project'}</span>
        <PriorityIcon priority={task.priority} />
      </div>
      <div className="task-card-title">{task.title}</div>
      <div className="card-meta">
        {task.dueDate ? <span className={`card-due${overdue ? ' overdue' : ''}`}>{formatDate(task.dueDate)}</span> : null}
        {task.commentCount > 0 ? (
          <span className="card-comments" title={plural(task.commentCount, 'comment')}>
            <CommentIcon />
            {task.commentCount}
          </span>
        ) : null}
        <span className="card-assignee" title={task.assigneeName ?? 'Unassigned'}>
          <Avatar name={task.assigneeName} size={20} />
        </span>
      </div>
    </article>
  );
}
