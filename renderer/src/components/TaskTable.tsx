import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { TaskRow, TaskSort, TaskSortKey } from '../../../shared/task-page';
import { useApp } from '../lib/appContext';
import { formatDate, isOverdue } from '../lib/format';
import type { PagedTasks } from '../lib/useVirtualPages';
import { useVirtualRows } from '../lib/useVirtualRows';
import { Avatar } from './Avatar';
import { CommentIcon, PriorityChip, StatusChip } from './Chips';
import '../styles/virtual.css';

/** Must match virtual.css (.vtable row and header heights): the window math relies on them. */
export const TABLE_ROW_HEIGHT = 41;
// 32px header + half of its 1px bottom border (border-collapse shares borders between rows).
const TABLE_HEADER_HEIGHT = 32.5;

type Sort = TaskSort | null;

const COLUMNS: { key: TaskSortKey; label: string; className: string }[] = [
  { key: 'title', label: 'Title', className: 'col-title' },
  { key: 'status', label: 'Status', className: 'col-status' },
  { key: 'priority', label: 'Priority', className: 'col-priority' },
  { key: 'assignee', label: 'Assignee', className: 'col-assignee' },
  { key: 'project', label: 'Project', className: 'col-project' },
  { key: 'due', label: 'Due', className: 'col-due' },
];

const nextSort = (s: Sort, key: TaskSortKey): Sort => (s?.key !== key ? { key, dir: 'asc' } : s.dir === 'asc' ? { key, dir: 'desc' } : null);

/** A task table over a paged source: the database sorts, the table fetches what is on screen. */
export function PagedTaskTable({ source, sort, onSortChange }: { source: PagedTasks; sort: Sort; onSortChange: (sort: Sort) => void }) {
  return (
    <VirtualTaskTable
      total={source.total ?? 0}
      rowAt={source.rowAt}
      setRange={source.setRange}
      sort={sort}
      onSort={(key) => onSortChange(nextSort(sort, key))}
      resetKey={source.queryKey}
      refreshing={source.loading}
    />
  );
}

/**
 * The table itself: a real <table> (header semantics, column sort buttons) whose body renders
 * only the rows in view between two spacer rows. aria-rowcount/aria-rowindex tell assistive
 * technology the true size and position, since most rows are not in the DOM.
 */
function VirtualTaskTable({
  total,
  rowAt,
  setRange,
  sort,
  onSort,
  resetKey,
  refreshing = false,
}: {
  total: number;
  rowAt: (index: number) => TaskRow | undefined;
  setRange?: (start: number, end: number) => void;
  sort: Sort;
  onSort: (key: TaskSortKey) => void;
  resetKey: string;
  refreshing?: boolean;
}) {
  const { openTask, openTaskId } = useApp();
  const scrollRef = useRef<HTMLDivElement>(null);
  const { start, end, before, after, scrollToIndex } = useVirtualRows(scrollRef, {
    count: total,
    rowHeight: TABLE_ROW_HEIGHT,
    offset: TABLE_HEADER_HEIGHT,
  });
  const pendingFocus = useRef<number | null>(null);

  useEffect(() => setRange?.(start, end), [setRange, start, end]);

  // A new filter or sort shows its first rows, not wherever the old list was scrolled to.
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [resetKey]);

  // Focus moved by keyboard to a row that was not rendered yet: focus it once it is.
  useEffect(() => {
    const index = pendingFocus.current;
    if (index === null) return;
    const button = scrollRef.current?.querySelector<HTMLButtonElement>(`tr[data-index="${index}"] .row-title`);
    if (button) {
      pendingFocus.current = null;
      button.focus();
    }
  });

  /** Arrow keys move between rows (Tab would leave the table at the end of the rendered window). */
  const onKeyDown = (e: KeyboardEvent<HTMLTableSectionElement>) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('tr[data-index]');
    if (!row || e.altKey || e.ctrlKey || e.metaKey) return;
    const index = Number(row.dataset.index);
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / TABLE_ROW_HEIGHT) - 1);
    const targets: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, PageDown: index + page, PageUp: index - page, Home: 0, End: total - 1 };
    const target = targets[e.key];
    if (target === undefined || total === 0) return;
    e.preventDefault();
    const next = Math.min(total - 1, Math.max(0, target));
    pendingFocus.current = next;
    scrollToIndex(next);
    scrollRef.current?.querySelector<HTMLButtonElement>(`tr[data-index="${next}"] .row-title`)?.focus();
  };

  const rows: ReactNode[] = [];
  for (let i = start; i < end; i += 1) {
    const t = rowAt(i);
    if (!t) {
      rows.push(
        <tr key={`placeholder-${i}`} className="task-row is-placeholder" aria-rowindex={i + 2} data-index={i}>
          <td colSpan={COLUMNS.length} className="muted">
            Loading…
          </td>
        </tr>,
      );
      continue;
    }
    const overdue = isOverdue(t.dueDate, t.status);
    rows.push(
      <tr
        key={t.id}
        data-testid="task-row"
        data-task-id={t.id}
        data-index={i}
        aria-rowindex={i + 2}
        className={`task-row${openTaskId === t.id ? ' selected' : ''}${t.status === 'done' ? ' is-done' : ''}`}
        onClick={() => openTask(t.id)}
      >
        <td className="col-title">
          <button
            type="button"
            className="row-title"
            onClick={(e) => {
              e.stopPropagation();
              openTask(t.id);
            }}
          >
            {t.title}
          </button>
          {t.commentCount > 0 ? (
            <span className="comment-count" title={`${t.commentCount} comments`}>
              <CommentIcon />
              {t.commentCount}
              <span className="sr-only"> comments</span>
            </span>
          ) : null}
        </td>
        <td className="col-status">
          <StatusChip status={t.status} />
        </td>
        <td className="col-priority">
          <PriorityChip priority={t.priority} />
        </td>
        <td className="col-assignee">
          <span className="assignee">
            <Avatar name={t.assigneeName} />
            <span className={t.assigneeName ? '' : 'muted'}>{t.assigneeName ?? 'Unassigned'}</span>
          </span>
        </td>
        <td className="col-project">
          <span className={t.projectName ? 'project-name' : 'muted'}>{t.projectName ?? 'No project'}</span>
        </td>
        <td className={`col-due${overdue ? ' overdue' : ''}`} title={overdue ? 'Overdue' : undefined}>
          {t.dueDate ? formatDate(t.dueDate) : <span className="muted">—</span>}
        </td>
      </tr>,
    );
  }

  return (
    <div ref={scrollRef} className={`table-wrap vtable-scroll${refreshing ? ' is-refreshing' : ''}`} data-testid="task-table-scroll">
      <table className="task-table vtable" aria-rowcount={total + 1} data-total={total}>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                className={c.className}
                scope="col"
                aria-sort={sort?.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                <button type="button" className="th-sort" onClick={() => onSort(c.key)}>
                  {c.label}
                  <span className="sort-arrow" aria-hidden="true">
                    {sort?.key === c.key ? (sort.dir === 'asc' ? '↑' : '↓') : ''}
                  </span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody onKeyDown={onKeyDown}>
          {before > 0 ? (
            <tr className="vspacer" aria-hidden="true">
              <td colSpan={COLUMNS.length} style={{ height: before }} />
            </tr>
          ) : null}
          {rows}
          {after > 0 ? (
            <tr className="vspacer" aria-hidden="true">
              <td colSpan={COLUMNS.length} style={{ height: after }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
