import { useMemo, useState } from 'react';
import type { Notification } from '../../../shared/entities';
import type { NotificationType } from '../../../shared/enums';
import { call, toApiError, type ApiError } from '../api';
import { EmptyState, Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { FilterInput, ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { formatDateTime, timeAgo } from '../lib/format';
import { useQuery } from '../lib/useQuery';

const TYPE_LABELS: Record<NotificationType, string> = {
  task_assigned: 'Assigned',
  task_status_changed: 'Status',
  task_commented: 'Comment',
  task_due_soon: 'Due soon',
  system: 'System',
};

function TypeIcon({ type }: { type: NotificationType }) {
  const paths: Record<NotificationType, string> = {
    task_assigned: 'M8 8a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5ZM3.5 13.5c.6-2.2 2.4-3.5 4.5-3.5s3.9 1.3 4.5 3.5',
    task_status_changed: 'M3 8a5 5 0 0 1 8.6-3.5M13 8a5 5 0 0 1-8.6 3.5M11.5 2v2.5H9M4.5 14v-2.5H7',
    task_commented: 'M2.5 3.5h11v7h-6l-3.5 3v-3h-1.5z',
    task_due_soon: 'M8 14A6 6 0 1 0 8 2a6 6 0 0 0 0 12ZM8 4.8V8l2.2 1.4',
    system: 'M8 2.5 14 13.5H2zM8 6.5v3M8 11.5v.2',
  };
  return (
    <span className={`notif-icon nt-${type}`} aria-hidden="true">
      <svg width="16" height="16" viewBox="0 0 16 16">
        <path d={paths[type]} fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    </span>
  );
}

export function NotificationsScreen() {
  const { openTask } = useApp();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [text, setText] = useState('');
  const notifications = useQuery('notifications.list', unreadOnly ? { unreadOnly: true, limit: 500 } : { limit: 500 }, {
    tables: ['notifications'],
    onNotification: true,
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const list = useMemo(() => {
    const q = text.trim().toLowerCase();
    const all = notifications.data ?? [];
    return q ? all.filter((n) => `${n.title} ${n.message}`.toLowerCase().includes(q)) : all;
  }, [notifications.data, text]);
  const unread = (notifications.data ?? []).filter((n) => !n.read).length;

  const open = async (n: Notification) => {
    setError(null);
    if (!n.read) {
      try {
        await call('notifications.markRead', { id: n.id });
        notifications.reload();
      } catch (err) {
        setError(toApiError(err));
      }
    }
    if (n.taskId) openTask(n.taskId);
  };

  const markAll = async () => {
    setBusy(true);
    setError(null);
    try {
      await call('notifications.markAllRead');
      notifications.reload();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="view" aria-labelledby="view-title">
      <ViewHeader title="Notifications" subtitle={notifications.data ? (unread > 0 ? `${unread} unread` : 'All caught up') : undefined}>
        <FilterInput value={text} onChange={setText} placeholder="Filter notifications…" label="Filter notifications" />
        <label className="toggle">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} />
          Unread only
        </label>
        <button type="button" className="btn" data-testid="mark-all-read" disabled={busy || unread === 0} onClick={() => void markAll()}>
          Mark all read
        </button>
      </ViewHeader>
      <div className="view-body">
        {notifications.error ? (
          <ErrorBanner error={notifications.error} title="Could not load notifications" onRetry={notifications.reload} />
        ) : null}
        {error ? <ErrorBanner error={error} title="Could not update the notification" onDismiss={() => setError(null)} /> : null}
        {!notifications.data && notifications.loading ? (
          <Loading label="Loading notifications…" />
        ) : notifications.data && list.length === 0 ? (
          <EmptyState title={text ? 'No notifications match' : unreadOnly ? 'No unread notifications' : 'No notifications'}>
            {text ? 'Try another word.' : 'When someone assigns you a task or comments, it shows up here.'}
          </EmptyState>
        ) : list.length > 0 ? (
          <ul className="notif-list">
            {list.map((n) => (
              <li key={n.id}>
                <button
                  type="button"
                  className={`notif${n.read ? '' : ' unread'}`}
                  data-testid="notification-item"
                  data-notification-id={n.id}
                  data-read={n.read ? 'true' : 'false'}
                  onClick={() => void open(n)}
                >
                  <TypeIcon type={n.type} />
                  <span className="notif-main">
                    <span className="notif-title">
                      {n.title}
                      <span className="notif-type">{TYPE_LABELS[n.type]}</span>
                    </span>
                    <span className="notif-message">{n.message}</span>
                  </span>
                  <time className="notif-time" dateTime={n.createdAt} title={formatDateTime(n.createdAt)}>
                    {timeAgo(n.createdAt)}
                  </time>
                  {n.read ? <span className="unread-dot placeholder" aria-hidden="true" /> : <span className="unread-dot"><span className="sr-only">Unread</span></span>}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </section>
  );
}
