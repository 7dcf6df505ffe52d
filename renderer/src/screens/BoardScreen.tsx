import { useCallback, useMemo, useRef, useState, type DragEvent } from 'react';
import type { TaskRow } from '../../../shared/task-page';
import { TASK_STATUSES, type TaskStatus } from '../../../shared/enums';
import { call, toApiError, type ApiError } from '../api';
import { Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { FilterInput, ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { plural } from '../lib/format';
import { useQuery } from '../lib/useQuery';
import { BoardColumn, type BoardQuery, type ColumnHandle, type DragInfo, type PendingMove } from './BoardColumn';
import { ProjectOptions } from '../components/ProjectOptions';

export const DRAG_TYPE = 'application/x-coordinator-task';

export function BoardScreen() {
  const { boardProjectId, setBoardProjectId } = useApp();
  const [text, setText] = useState('');
  const [dragging, setDragging] = useState<DragInfo | null>(null);
  const [over, setOver] = useState<TaskStatus | null>(null);
  const [moveError, setMoveError] = useState<ApiError | null>(null);
  /** Optimistic moves while an update is in flight; each column overlays the ones that concern it. */
  const [moves, setMoves] = useState<PendingMove[]>([]);
  const handles = useRef<Partial<Record<TaskStatus, ColumnHandle>>>({});
  const [totals, setTotals] = useState<Partial<Record<TaskStatus, number>>>({});

  // No debounce: each column asks for one page of its status, a few ms each in SQLite.
  const trimmed = text.trim();
  const query = useMemo<BoardQuery>(() => {
    const q: BoardQuery = {};
    if (boardProjectId) q.projectId = boardProjectId;
    if (trimmed) q.text = trimmed;
    return q;
  }, [boardProjectId, trimmed]);

  const projects = useQuery('projects.list', undefined, { tables: ['projects'] });

  const register = useCallback((status: TaskStatus, handle: ColumnHandle | null) => {
    if (handle) handles.current[status] = handle;
    else delete handles.current[status];
  }, []);
  const onTotal = useCallback((status: TaskStatus, total: number | undefined) => {
    setTotals((t) => (t[status] === total ? t : { ...t, [status]: total }));
  }, []);

  const move = async (task: TaskRow, fromIndex: number | null, to: TaskStatus) => {
    const from = task.status;
    if (from === to || moves.some((m) => m.task.id === task.id)) return;
    const fromHandle = handles.current[from];
    const toHandle = handles.current[to];
    setMoveError(null);
    const pendingMove: PendingMove = {
      task: { ...task, status: to },
      from,
      fromIndex,
      to,
      versions: { [from]: fromHandle?.version() ?? -1, [to]: toHandle?.version() ?? -1 },
    };
    setMoves((m) => [...m, pendingMove]);
    try {
      await call('tasks.update', { id: task.id, status: to });
      // Fresh pages of both columns replace the overlay (it applies only to the versions it saw).
      await Promise.all([fromHandle?.reload(), toHandle?.reload()]);
    } catch (err) {
      setMoveError(toApiError(err));
    } finally {
      setMoves((m) => m.filter((x) => x !== pendingMove));
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
    const id = e.dataTransfer.getData(DRAG_TYPE) || e.dataTransfer.getData('text/plain') || dragging?.task.id;
    const drag = dragging;
    setOver(null);
    setDragging(null);
    if (!id) return;
    if (drag && drag.task.id === id) void move(drag.task, drag.index, status);
    else {
      // A drag from elsewhere: no row in hand to overlay, so just update.
      void call('tasks.update', { id, status }).catch((err: unknown) => setMoveError(toApiError(err)));
    }
  };

  const projectName = projects.data?.find((p) => p.id === boardProjectId)?.name;
  const known = TASK_STATUSES.every((s) => totals[s] !== undefined);
  const sum = TASK_STATUSES.reduce((n, s) => n + (totals[s] ?? 0), 0);

  return (
    <section className="view view-board" aria-labelledby="view-title">
      <ViewHeader title="Board" subtitle={known ? `${projectName ? `${projectName} · ` : ''}${plural(sum, 'task')}` : undefined}>
        <FilterInput value={text} onChange={setText} placeholder="Filter cards…" label="Filter cards" />
        <select
          className="select-compact"
          aria-label="Project"
          data-testid="board-project-filter"
          value={boardProjectId ?? ''}
          onChange={(e) => setBoardProjectId(e.target.value || null)}
        >
          <option value="">All projects</option>
          <ProjectOptions projects={projects.data} />
        </select>
      </ViewHeader>

      <div className="view-body board-body">
        {moveError ? <ErrorBanner error={moveError} title="Could not move the task" onDismiss={() => setMoveError(null)} /> : null}
        {!known ? <Loading label="Loading board…" /> : null}
        <p id="board-card-help" className="sr-only">
          Enter opens the task. Alt+Left and Alt+Right move it to the previous or next column. Up and Down go through the column.
        </p>
        {/* Columns mount at once (hidden until every total is in) so their pages load in parallel. */}
        <div className="board" hidden={!known} data-testid="board">
          {TASK_STATUSES.map((status) => (
            <BoardColumn
              key={status}
              status={status}
              query={query}
              moves={moves}
              dragging={dragging}
              over={over === status}
              register={register}
              onTotal={onTotal}
              onDragOver={onDragOver(status)}
              onDragLeave={() => setOver((o) => (o === status ? null : o))}
              onDrop={onDrop(status)}
              onDragStart={setDragging}
              onDragEnd={() => {
                setDragging(null);
                setOver(null);
              }}
              onMove={(task, index, to) => void move(task, index, to)}
            />
          ))}
        </div>
      </div>
    </section>
  );
}
