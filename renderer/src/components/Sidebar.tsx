import type { ReactNode } from 'react';
import { useApp, type View } from '../lib/appContext';
import { useQuery } from '../lib/useQuery';
import { useSyncStatus } from '../lib/useSyncStatus';
import { Avatar } from './Avatar';
import { SyncIndicator } from './SyncIndicator';

type Item = { view: View; label: string; testId: string; icon: ReactNode };

const icon = (d: string) => (
  <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" className="nav-icon">
    <path d={d} fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" />
  </svg>
);

const ITEMS: Item[] = [
  { view: 'home', label: 'Home', testId: 'nav-home', icon: icon('M2.5 7.2 8 2.8l5.5 4.4M4 6.2v7h3v-3.6h2v3.6h3v-7') },
  { view: 'my-tasks', label: 'My tasks', testId: 'nav-my-tasks', icon: icon('M8 8.2a2.6 2.6 0 1 0 0-5.2 2.6 2.6 0 0 0 0 5.2ZM3 13.5c.7-2.3 2.7-3.6 5-3.6s4.3 1.3 5 3.6') },
  { view: 'all-tasks', label: 'All tasks', testId: 'nav-all-tasks', icon: icon('M5.5 4h8M5.5 8h8M5.5 12h8M2.5 4h.01M2.5 8h.01M2.5 12h.01') },
  { view: 'board', label: 'Board', testId: 'nav-board', icon: icon('M2.5 3h3v10h-3zM6.5 3h3v6h-3zM10.5 3h3v8h-3z') },
  { view: 'projects', label: 'Projects', testId: 'nav-projects', icon: icon('M2.5 4.5a1 1 0 0 1 1-1h3l1.5 1.5h4.5a1 1 0 0 1 1 1v6.5a1 1 0 0 1-1 1h-9a1 1 0 0 1-1-1z') },
  { view: 'insights', label: 'Insights', testId: 'nav-insights', icon: icon('M2.5 13.5h11M4 11V8M7 11V5M10 11V7M13 11V3') },
  { view: 'people', label: 'People', testId: 'nav-people', icon: icon('M6 7.5a2.2 2.2 0 1 0 0-4.4 2.2 2.2 0 0 0 0 4.4ZM2 13c.5-2 2-3.2 4-3.2s3.5 1.2 4 3.2M10.5 3.3a2.2 2.2 0 0 1 0 4.2M12 9.9c1 .5 1.7 1.6 2 3.1') },
];

const NOTIF_ICON = icon('M4 11.5V7.2a4 4 0 0 1 8 0v4.3l1 1H3zM6.8 14h2.4');
const CONFLICTS_ICON = icon('M8 2.5 14 13.5H2zM8 6.5v3M8 11.5v.2');
const ASSISTANT_ICON = icon('M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2zM5.5 7h.2M8 7h.2M10.5 7h.2');
const HEALTH_ICON = icon('M1.5 8.5h3l1.5-3 2.5 6 2-4.5 1 1.5h3');
const SETTINGS_ICON = icon('M8 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4ZM8 1.8v1.7M8 12.5v1.7M1.8 8h1.7M12.5 8h1.7M3.6 3.6l1.2 1.2M11.2 11.2l1.2 1.2M3.6 12.4l1.2-1.2M11.2 4.8l1.2-1.2');

export function Sidebar() {
  const { view, navigate, info, newTask, openPalette } = useApp();
  const unread = useQuery('notifications.unreadCount', undefined, { tables: ['notifications'], onNotification: true });
  const count = unread.data ?? 0;
  const user = info.currentUser;
  const sync = useSyncStatus();
  const conflictCount = sync.status ? sync.status.conflicts : 0;

  const navButton = (item: Item, extra?: ReactNode) => (
    <li key={item.view}>
      <button
        type="button"
        className={`nav-item${view === item.view ? ' active' : ''}`}
        aria-current={view === item.view ? 'page' : undefined}
        data-testid={item.testId}
        onClick={() => navigate(item.view)}
      >
        {item.icon}
        <span className="nav-label">{item.label}</span>
        {extra}
      </button>
    </li>
  );

  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          <svg width="18" height="18" viewBox="0 0 18 18">
            <rect x="1" y="1" width="16" height="16" rx="5" fill="currentColor" />
            <path d="M11.8 6.3a3.6 3.6 0 1 0 0 5.4" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
        </span>
        <span className="brand-name">Coordinator</span>
      </div>

      <button type="button" className="new-task-btn" data-testid="new-task-button" onClick={() => newTask()}>
        <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
          <path d="M7 2.5v9M2.5 7h9" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
        <span>New task</span>
        <kbd aria-hidden="true">N</kbd>
      </button>

      <button type="button" className="palette-open-btn" data-testid="open-palette" onClick={openPalette}>
        <span className="palette-open-label">Search or command…</span>
        <kbd aria-hidden="true">Ctrl K</kbd>
      </button>

      <nav aria-label="Main" className="nav">
        <ul>
          {ITEMS.map((item) => navButton(item))}
          {navButton(
            { view: 'notifications', label: 'Notifications', testId: 'nav-notifications', icon: NOTIF_ICON },
            count > 0 ? (
              <span className="badge" data-testid="unread-badge" aria-label={`${count} unread`}>
                {count > 99 ? '99+' : count}
              </span>
            ) : null,
          )}
          {navButton(
            { view: 'conflicts', label: 'Conflicts', testId: 'nav-conflicts', icon: CONFLICTS_ICON },
            conflictCount > 0 ? (
              <span className="badge badge-warn" data-testid="conflicts-badge" aria-label={`${conflictCount} to review`}>
                {conflictCount > 99 ? '99+' : conflictCount}
              </span>
            ) : null,
          )}
          {navButton({ view: 'assistant', label: 'Assistant', testId: 'nav-assistant', icon: ASSISTANT_ICON })}
          {navButton({ view: 'settings', label: 'Settings', testId: 'nav-settings', icon: SETTINGS_ICON })}
          {navButton({ view: 'health', label: 'About / Health', testId: 'nav-health', icon: HEALTH_ICON })}
        </ul>
      </nav>

      <div className="sidebar-bottom">
        <SyncIndicator status={sync.status} />
        <div className="sidebar-footer" data-testid="current-user">
          <Avatar name={user?.fullName ?? null} size={28} />
          <div className="user-meta">
            <span className="user-name">{user?.fullName ?? 'No user'}</span>
            <span className="user-role" title={user?.email}>
              {user ? user.role : 'Not signed in'}
            </span>
          </div>
        </div>
      </div>
    </aside>
  );
}
