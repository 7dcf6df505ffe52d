import type { ReactNode } from 'react';
import type { HomeActivity, HomeTask, HomeToday } from '../../../shared/home';
import type { Notification } from '../../../shared/entities';
import { call } from '../api';
import { PriorityIcon, StatusIcon } from '../components/Chips';
import { Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { describeSync } from '../components/SyncIndicator';
import { ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { daysUntil, formatDate, plural, timeAgo, todayIso } from '../lib/format';
import { useQuery } from '../lib/useQuery';
import { useNow, useSyncStatus } from '../lib/useSyncStatus';

const FIELD_LABELS: Record<string, string> = {
  status: 'status',
  assigned_to: 'assignee',
  due_date: 'due date',
  priority: 'priority',
  title: 'title',
  description: 'description',
  estimated_hours: 'estimate',
  deadline: 'deadline',
  name: 'name',
};

function describeActivity(a: HomeActivity): string {
  const what = a.entityTable === 'projects' ? 'project' : 'task';
  if (a.action === 'create') return `created ${what}`;
  if (a.action === 'delete') return `deleted ${what}`;
  // `assignee` (the seed's display name) moves with `assigned_to`: one change, said once.
  const fields = [...new Set(a.fields.map((f) => (f === 'assignee' ? 'assigned_to' : f)))].map((f) => FIELD_LABELS[f] ?? f.replace(/_/g, ' '));
  return fields.length > 0 ? `changed ${fields.slice(0, 3).join(', ')} of` : `updated ${what}`;
}

function dueText(due: string | null): string {
  if (!due) return 'No due date';
  const d = daysUntil(due);
  if (d < 0) return `${plural(-d, 'day')} overdue`;
  if (d === 0) return 'Due today';
  if (d === 1) return 'Due tomorrow';
  return `Due ${formatDate(due)}`;
}

function TaskLine({ task }: { task: HomeTask }) {
  const { openTask } = useApp();
  const overdue = task.dueDate !== null && task.dueDate < todayIso();
  return (
    <li>
      <button type="button" className="home-task" data-testid="home-task" data-task-id={task.id} onClick={() => openTask(task.id)}>
        <StatusIcon status={task.status} />
        <PriorityIcon priority={task.priority} />
        <span className="home-task-title">{task.title}</span>
        {task.projectName ? <span className="home-task-project">{task.projectName}</span> : null}
        <span className={`home-task-due${overdue ? ' overdue' : ''}`}>{dueText(task.dueDate)}</span>
      </button>
    </li>
  );
}

function Card({ title, count, testId, children, action }: { title: string; count?: number; testId: string; children: ReactNode; action?: ReactNode }) {
  const id = `${testId}-title`;
  return (
    <section className="card home-card" data-testid={testId} aria-labelledby={id}>
      <header className="home-card-header">
        <h2 id={id}>
          {title}
          {count !== undefined ? <span className="home-count" data-testid={`${testId}-count`}>{count}</span> : null}
        </h2>
        {action}
      </header>
      {children}
    </section>
  );
}

function TaskCard({ title, tasks, count, testId, empty }: { title: string; tasks: HomeTask[]; count: number; testId: string; empty: string }) {
  return (
    <Card title={title} count={count} testId={testId}>
      {tasks.length === 0 ? (
        <p className="muted home-empty">{empty}</p>
      ) : (
        <ul className="home-list">
          {tasks.map((t) => (
            <TaskLine key={t.id} task={t} />
          ))}
        </ul>
      )}
      {count > tasks.length ? <p className="muted home-more">and {plural(count - tasks.length, 'more task')}</p> : null}
    </Card>
  );
}

/** Home / Today: what needs the coordinator now, from one `home.today` call kept fresh by change events. */
export function HomeScreen() {
  const { info, navigate, openTask } = useApp();
  const today = todayIso();
  const home = useQuery('home.today', { today }, { onNotification: true });
  const sync = useSyncStatus();
  const now = useNow();
  const first = info.currentUser?.fullName.split(/\s+/)[0];

  const openNotification = (n: Notification) => {
    void call('notifications.markRead', { id: n.id }).then(home.reload, () => undefined);
    if (n.taskId) openTask(n.taskId);
  };

  const d: HomeToday | undefined = home.data;
  const syncLine = sync.status ? describeSync(sync.status, now) : null;

  return (
    <section className="view" aria-labelledby="view-title" data-testid="home-screen">
      <ViewHeader title={first ? `Today, ${first}` : 'Today'} subtitle={formatDate(today)} />
      <div className="view-body home-body">
        {home.error ? <ErrorBanner error={home.error} title="Could not load your day" onRetry={home.reload} /> : null}
        {!d && home.loading ? <Loading label="Loading your day…" /> : null}
        {d ? (
          <>
            <ul className="home-stats" aria-label="At a glance">
              <Stat label="Open tasks" value={d.myOpenCount} testId="stat-open" onClick={() => navigate('my-tasks')} />
              <Stat label="Overdue" value={d.overdueCount} testId="stat-overdue" tone={d.overdueCount > 0 ? 'danger' : undefined} />
              <Stat label={`Due in ${d.dueSoonDays} days`} value={d.dueSoonCount} testId="stat-due-soon" tone={d.dueSoonCount > 0 ? 'warn' : undefined} />
              <Stat label="Unread" value={d.unread.count} testId="stat-unread" onClick={() => navigate('notifications')} />
              <Stat label="AI proposals" value={d.pendingActions.count} testId="stat-ai" onClick={() => navigate('assistant')} />
            </ul>
            {!d.employeeId ? (
              <div className="banner banner-info" role="note">
                Your user is not linked to an employee yet, so no tasks are yours. Link yourself in People.
              </div>
            ) : null}
            <div className="home-grid">
              <div className="home-col">
                <TaskCard title="Overdue" tasks={d.overdue} count={d.overdueCount} testId="home-overdue" empty="Nothing overdue." />
                <TaskCard title="Due soon" tasks={d.dueSoon} count={d.dueSoonCount} testId="home-due-soon" empty={`Nothing due in the next ${d.dueSoonDays} days.`} />
                <TaskCard title="My open tasks" tasks={d.myOpen} count={d.myOpenCount} testId="home-my-open" empty="No open tasks assigned to you." />
              </div>
              <div className="home-col">
                <Card
                  title="Sync"
                  testId="home-sync"
                  action={
                    sync.status?.configured ? null : (
                      <button type="button" className="btn btn-small" onClick={() => navigate('settings')}>
                        Connect
                      </button>
                    )
                  }
                >
                  <p className={`home-sync sync-${syncLine?.tone ?? 'local'}`} data-testid="home-sync-state">
                    {syncLine ? syncLine.label : 'Checking…'}
                    {syncLine?.detail ? <span className="muted"> · {syncLine.detail}</span> : null}
                  </p>
                  {d.sync.conflicts > 0 ? (
                    <button type="button" className="link-btn" onClick={() => navigate('conflicts')}>
                      {plural(d.sync.conflicts, 'conflict')} to review
                    </button>
                  ) : null}
                </Card>
                <Card title="Unread notifications" count={d.unread.count} testId="home-unread" action={<button type="button" className="btn btn-small" onClick={() => navigate('notifications')}>All</button>}>
                  {d.unread.items.length === 0 ? (
                    <p className="muted home-empty">All caught up.</p>
                  ) : (
                    <ul className="home-list">
                      {d.unread.items.map((n) => (
                        <li key={n.id}>
                          <button type="button" className="home-notif" data-testid="home-notification" onClick={() => openNotification(n)}>
                            <span className="home-notif-title">{n.title}</span>
                            <time className="muted" dateTime={n.createdAt}>
                              {timeAgo(n.createdAt, now)}
                            </time>
                          </button>
                        </li>
                      ))}
                    </ul>
                  )}
                </Card>
                <Card title="AI proposals waiting" count={d.pendingActions.count} testId="home-ai" action={<button type="button" className="btn btn-small" onClick={() => navigate('assistant')}>Review</button>}>
                  {d.pendingActions.items.length === 0 ? (
                    <p className="muted home-empty">Nothing to confirm.</p>
                  ) : (
                    <ul className="home-list">
                      {d.pendingActions.items.map((a) => (
                        <li key={a.id} className="home-ai-item" data-testid="home-ai-action">
                          <span className="tag">{a.actionType.replace(/_/g, ' ')}</span> <span className="home-ai-prompt">{a.prompt}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </Card>
                <Card title="Recent activity on my projects" testId="home-activity">
                  {d.activity.length === 0 ? (
                    <p className="muted home-empty">No changes in the last two weeks.</p>
                  ) : (
                    <ul className="home-list home-activity">
                      {d.activity.map((a) => (
                        <li key={a.id} data-testid="home-activity-item">
                          {a.entityTable === 'tasks' && a.action !== 'delete' ? (
                            <button type="button" className="link-btn" onClick={() => openTask(a.entityId)}>
                              <strong>{a.actorName ?? 'Someone'}</strong> {describeActivity(a)} {a.subject ?? 'a task'}
                            </button>
                          ) : (
                            <span>
                              <strong>{a.actorName ?? 'Someone'}</strong> {describeActivity(a)} {a.subject ?? ''}
                            </span>
                          )}
                          <span className="muted home-activity-meta">
                            {a.projectName ? `${a.projectName} · ` : ''}
                            {timeAgo(a.createdAt, now)}
                          </span>
                        </li>
                      ))}
                    </ul>
                  )}
                </Card>
              </div>
            </div>
          </>
        ) : null}
      </div>
    </section>
  );
}

function Stat({ label, value, testId, tone, onClick }: { label: string; value: number; testId: string; tone?: 'danger' | 'warn' | undefined; onClick?: () => void }) {
  const body = (
    <>
      <span className="home-stat-value" data-testid={`${testId}-value`}>
        {value.toLocaleString()}
      </span>
      <span className="home-stat-label">{label}</span>
    </>
  );
  return (
    <li className={`home-stat${tone ? ` tone-${tone}` : ''}`} data-testid={testId}>
      {onClick ? (
        <button type="button" className="home-stat-btn" onClick={onClick}>
          {body}
        </button>
      ) : (
        <div className="home-stat-btn">{body}</div>
      )}
    </li>
  );
}
