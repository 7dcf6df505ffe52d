import { useEffect, useMemo, useState, type DragEvent } from 'react';
import type { TaskListItem } from '../../../shared/entities';
import type { TaskListFilter } from '../../../shared/inputs';
import { TASK_STATUSES, TASK_STATUS_LABELS, type TaskStatus } from '../../../shared/enums';
import { call, toApiError, type ApiError } from '../api';
import { Avatar } from '../components/Avatar';
import { CommentIcon, PriorityIcon, StatusIcon } from '../components/Chips';
import { Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { FilterInput, ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { formatDate, isOverdue, plural } from '../lib/format';
import { useDebounced } from '../lib/useDebounced';
import { useQuery } from '../lib/useQuery';

const BOARD_LIMIT = 1000;
const DRAG_TYPE = 'application/x-coordinator-task';

export function BoardScreen() {
  const { boardProjectId, setBoardProjectId, openTask, openTaskId, newTask } = useApp();
  const [text, setText] = useState('');
  const debouncedText = useDebounced(text.trim(), 200);
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<TaskStatus | null>(null);
  const [moveError, setMoveError] = useState<ApiError | null>(null);
  /** Optimistic status overrides while an update is in flight. */
  const [pending, setPending] = useState<Record<string, TaskStatus>>({});

  const filter = useMemo<TaskListFilter>(() => {
    const f: TaskListFilter = { limit: BOARD_LIMIT };
    if (boardProjectId) f.projectId = boardProjectId;
    if (debouncedText) f.text = debouncedText;
    return f;
  }, [boardProjectId, debouncedText]);

  const tasks = useQuery('tasks.list', filter, { tables: ['tasks', 'projects', 'employees', 'comments'] });
  const projects = useQuery('projects.list', undefined, { tables: ['projects'] });

  // Drop optimistic overrides once fresh data agrees with them.
  useEffect(() => {
    if (!tasks.data) return;
    setPending((p) => {
      const next = { ...p };
      let changed = false;
      for (const t of tasks.data ?? []) {
        if (next[t.id] && next[t.id] === t.status) {
          delete next[t.id];
          changed = true;
        }
      }
      return changed ? next : p;
    });
  }, [tasks.data]);

  const columns = useMemo(() => {
    const by: Record<TaskStatus, TaskListItem[]> = {
      todo: [],
      in_progress: [],
      testing: [],
      awaiting_feedback: [],
      done: [],
    };
    for (const t of tasks.data ?? []) {
      const status = pending[t.id] ?? t.status;
      by[status].push(status === t.status ? t : { ...t, status });
    }
    return by;
  }, [tasks.data, pending]);

  const move = async (taskId: string, status: TaskStatus) => {
    const task = tasks.data?.find((t) => t.id === taskId);
    if (!task || (pending[taskId] ?? task.status) === status) return;
    setMoveError(null);
    setPending((p) => ({ ...p, [taskId]: status }));
    try {
      await call('tasks.update', { id: taskId, status });
      tasks.reload();
    } catch (err) {
      setPending((p) => {
        const next = { ...p };
        delete next[taskId];
        return next;
      });
      setMoveError(toApiError(err));
    }
  };

  const onDragOver = (status: TaskStatus) => (e: DragEvent) => {
    if (!dragging && !e.dataTransfer.types.includes(DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    if (over !== status) setOver(status);
  };

  const onDrop = (status: TaskStatus) => (e: DragEvent) => {
    e.preventDefault();
    const id = e.dataTransfer.getData(DRAG_TYPE) || e.dataTransfer.getData('text/plain') || dragging;
    setOver(null);
    setDragging(null);
    if (id) void move(id, status);
  };

  const projectName = projects.data?.find((p) => p.id === boardProjectId)?.name;

  return (
    <section className="view view-board" aria-labelledby="view-title">
      <ViewHeader
        title="Board"
        subtitle={tasks.data ? `${projectName ? `${projectName} · ` : ''}${plural(tasks.data.length, 'task')}` : undefined}
      >
        <FilterInput value={text} onChange={setText} placeholder="Filter cards…" label="Filter cards" />
        <select
          className="select-compact"
          aria-label="Project"
          data-testid="board-project-filter"
          value={boardProjectId ?? ''}
          onChange={(e) => setBoardProjectId(e.target.value || null)}
        >
          <option value="">All projects</option>
          {(projects.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </ViewHeader>

      <div className="view-body board-body">
        {tasks.error ? <ErrorBanner error={tasks.error} title="Could not load the board" onRetry={tasks.reload} /> : null}
        {moveError ? (
          <ErrorBanner error={moveError} title="Could not move the task" onDismiss={() => setMoveError(null)} />
        ) : null}
        {!tasks.data && tasks.loading ? (
          <Loading label="Loading board…" />
        ) : (
          <div className="board">
            {TASK_STATUSES.map((status) => {
              const cards = columns[status];
              return (
                <div
                  key={status}
                  className={`board-column${over === status ? ' drop-target' : ''}`}
                  data-testid={`board-column-${status}`}
                  data-status={status}
                  onDragOver={onDragOver(status)}
                  onDragEnter={onDragOver(status)}
                  onDragLeave={(e) => {
                    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver((o) => (o === status ? null : o));
                  }}
                  onDrop={onDrop(status)}
                  role="group"
                  aria-label={`${TASK_STATUS_LABELS[status]}, ${cards.length} tasks`}
                >
                  <div className="column-header">
                    <StatusIcon status={status} />
                    <span className="column-title">{TASK_STATUS_LABELS[status]}</span>
                    <span className="column-count">{cards.length}</span>
                    <button
                      type="button"
                      className="icon-btn column-add"
                      aria-label={`New task in ${TASK_STATUS_LABELS[status]}`}
                      onClick={() => newTask({ projectId: boardProjectId, status })}
                    >
                      +
                    </button>
                  </div>
                  <div className="column-cards">
                    {cards.map((t) => (
                      <TaskCard
                        key={t.id}
                        task={t}
                        selected={openTaskId === t.id}
                        dragging={dragging === t.id}
                        onOpen={() => openTask(t.id)}
                        onDragStart={(e) => {
                          e.dataTransfer.setData(DRAG_TYPE, t.id);
                          e.dataTransfer.setData('text/plain', t.id);
                          e.dataTransfer.effectAllowed = 'move';
                          setDragging(t.id);
                        }}
                        onDragEnd={() => {
                          setDragging(null);
                          setOver(null);
                        }}
                        onMove={(s) => void move(t.id, s)}
                      />
                    ))}
                    {cards.length === 0 ? <div className="column-empty">No tasks</div> : null}
                  </div>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}

function TaskCard({
  task,
  selected,
  dragging,
  onOpen,
  onDragStart,
  onDragEnd,
  onMove,
}: {
  task: TaskListItem;
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
        }
      }}
    >
      <div className="card-top">
        <span className="card-project">{task.projectName ?? 'No project'}</span>
        <PriorityIcon priority={task.priority} />
      </div>
      <div className="task-card-title">{task.title}</div>
      <div className="card-meta">
        {task.dueDate ? (
          <span className={`card-due${overdue ? ' overdue' : ''}`}>{formatDate(task.dueDate)}</span>
        ) : null}
        {task.commentCount > 0 ? <span className="card-comments" title={plural(task.commentCount, 'comment')}>
            <CommentIcon />
            {task.commentCount}
          </span> : null}
        <span className="card-assignee" title={task.assigneeName ?? 'Unassigned'}>
          <Avatar name={task.assigneeName} size={20} />
        </span>
      </div>
    </article>
  );
}
