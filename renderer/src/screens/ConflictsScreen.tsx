import { useEffect, useMemo, useState } from 'react';
import type { z } from 'zod';
import type { conflictViewSchema } from '../../../shared/settings';
import { call, onEvent, toApiError, type ApiError } from '../api';
import { EmptyState, Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { formatDateTime, plural, timeAgo } from '../lib/format';
import { useQuery } from '../lib/useQuery';

type Conflict = z.output<typeof conflictViewSchema>;
type Kind = Conflict['kind'];

const KIND_ORDER: Kind[] = ['text_copy', 'field_lww', 'delete_wins', 'rejected'];
const KIND_TITLES: Record<Kind, string> = {
  text_copy: 'Text kept as a copy',
  field_lww: 'Changes that lost to a later one',
  delete_wins: 'Edits to deleted items',
  rejected: 'Changes the server refused',
};

const TABLE_NOUNS: Record<string, string> = {
  tasks: 'task',
  projects: 'project',
  employees: 'employee',
  users: 'user',
  comments: 'comment',
  notifications: 'notification',
};

/** "due_date" → "Due date", "assigned_to" → "Assigned to". */
export function fieldLabel(field: string): string {
  const words = field.replace(/_id$/, '').replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The plain-language sentence a coordinator reads for one conflict. */
export function explainConflict(c: Conflict): string {
  const field = c.field ? fieldLabel(c.field) : null;
  switch (c.kind) {
    case 'field_lww':
      return `Your change to ${field ?? 'this item'} lost to a later change`;
    case 'text_copy':
      return `Your ${field ? field.toLowerCase() : 'text'} was kept as a copy because someone else changed it meanwhile`;
    case 'delete_wins':
      return 'You edited something that was deleted';
    case 'rejected':
      return `The server refused this change: ${c.reason ?? 'no reason given'}`;
  }
}

function Value({ value, testId }: { value: unknown; testId: string }) {
  if (value === null || value === undefined || value === '') return <span className="conflict-value empty" data-testid={testId}>(empty)</span>;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => !['id', 'created_at', 'updated_at'].includes(k));
    return (
      <dl className="conflict-value conflict-fields" data-testid={testId}>
        {entries.map(([k, v]) => (
          <div key={k}>
            <dt>{fieldLabel(k)}</dt>
            <dd>{v === null ? '(empty)' : typeof v === 'string' ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return (
    <span className="conflict-value" data-testid={testId}>
      {typeof value === 'string' ? value : JSON.stringify(value)}
    </span>
  );
}

export function ConflictsScreen() {
  const { toast, openTask } = useApp();
  const conflicts = useQuery('conflicts.list', {});
  const [error, setError] = useState<ApiError | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const { reload } = conflicts;

  // A sync records new conflicts without touching entity tables: refetch when the status moves.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onEvent('sync.status', () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(reload, 120);
    });
    return () => {
      if (timer) clearTimeout(timer);
      off();
    };
  }, [reload]);

  const groups = useMemo(() => {
    const list = conflicts.data ?? [];
    return KIND_ORDER.map((kind) => ({ kind, items: list.filter((c) => c.kind === kind) })).filter((g) => g.items.length > 0);
  }, [conflicts.data]);
  const total = conflicts.data?.length ?? 0;

  const act = async (c: Conflict, action: 'restore' | 'dismiss') => {
    setBusyId(c.id);
    setError(null);
    try {
      if (action === 'restore') {
        await call('conflicts.restore', { id: c.id });
        toast('Your version is back; it goes to the server with the next sync', 'success');
      } else {
        await call('conflicts.dismiss', { id: c.id });
      }
      reload();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusyId(null);
    }
  };

  return (
    <section className="view" aria-labelledby="view-title">
      <ViewHeader title="Conflicts" subtitle={total > 0 ? `${plural(total, 'item')} to review` : undefined} />
      <div className="view-body">
        {error ? <ErrorBanner error={error} title="That did not work" onDismiss={() => setError(null)} /> : null}
        {conflicts.error ? <ErrorBanner error={conflicts.error} title="Could not load conflicts" onRetry={reload} /> : null}
        {!conflicts.data && conflicts.loading ? <Loading /> : null}
        {conflicts.data && total === 0 ? (
          <EmptyState title="No conflicts">When a sync cannot apply one of your changes as you made it, it shows up here so nothing is lost silently.</EmptyState>
        ) : null}
        {groups.map((group) => (
          <div className="conflict-group" key={group.kind} data-testid="conflict-group" data-kind={group.kind}>
            <h2 className="conflict-group-title">
              {KIND_TITLES[group.kind]} <span className="muted">{group.items.length}</span>
            </h2>
            <ul className="conflict-list">
              {group.items.map((c) => {
                const noun = TABLE_NOUNS[c.table] ?? c.table;
                const canRestore = c.kind === 'field_lww' || c.kind === 'text_copy';
                return (
                  <li key={c.id} className={`card conflict-item kind-${c.kind}`} data-testid="conflict-item" data-conflict-id={c.id} data-kind={c.kind}>
                    <div className="conflict-head">
                      <div className="conflict-title">
                        <span className="conflict-explain" data-testid="conflict-explanation">
                          {explainConflict(c)}
                        </span>
                        <span className="conflict-row">
                          <span className="conflict-noun">{noun}</span>
                          {c.table === 'tasks' && c.label ? (
                            <button type="button" className="link-btn" onClick={() => openTask(c.rowId)}>
                              {c.label}
                            </button>
                          ) : (
                            <span>{c.label ?? `a deleted ${noun}`}</span>
                          )}
                          {c.field ? <span className="muted"> · {fieldLabel(c.field)}</span> : null}
                          <span className="muted" title={formatDateTime(c.createdAt)}>
                            {' '}
                            · {timeAgo(c.createdAt)}
                          </span>
                        </span>
                      </div>
                      <div className="conflict-actions">
                        {canRestore ? (
                          <button type="button" className="btn btn-small btn-primary" data-testid="conflict-restore" disabled={busyId !== null} onClick={() => act(c, 'restore')}>
                            Restore mine
                          </button>
                        ) : null}
                        <button type="button" className="btn btn-small" data-testid="conflict-dismiss" disabled={busyId !== null} onClick={() => act(c, 'dismiss')}>
                          Dismiss
                        </button>
                      </div>
                    </div>
                    <div className="conflict-values">
                      <div className="conflict-side losing">
                        <span className="conflict-side-label">{c.kind === 'rejected' ? 'Your change' : 'Your version'}</span>
                        <Value value={c.losingValue} testId="conflict-losing" />
                      </div>
                      {c.kind !== 'rejected' ? (
                        <div className="conflict-side winning">
                          <span className="conflict-side-label">{c.kind === 'delete_wins' ? 'Now' : 'Kept on the server'}</span>
                          {c.kind === 'delete_wins' ? <span className="conflict-value empty">Deleted</span> : <Value value={c.winningValue} testId="conflict-winning" />}
                        </div>
                      ) : null}
                    </div>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
      </div>
    </section>
  );
}
