import { useState } from 'react';
import type { NotificationType } from '../../../shared/enums';
import { NOTIFICATION_TYPES } from '../../../shared/enums';
import type { NotificationPrefs } from '../../../shared/notification-prefs';
import { call, toApiError, type ApiError } from '../api';
import { Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { useQuery } from '../lib/useQuery';

const LABELS: Record<NotificationType, string> = {
  task_assigned: 'A task is assigned to me',
  task_status_changed: "A task's status changes",
  task_commented: 'Someone comments on a task',
  task_due_soon: 'A task is due soon',
  system: 'System messages',
};

/**
 * Per-type choices, stored in the user's `preferences` (so they follow the user to other
 * computers). Muting a type stops pop-ups and OS notifications; the notification center keeps it.
 */
export function NotificationPrefsCard() {
  const prefs = useQuery('users.notificationPrefs', undefined, { tables: ['users'] });
  const [error, setError] = useState<ApiError | null>(null);
  // The box flips at once (optimistic), then shows what the core stored; a failure reverts it.
  const [local, setLocal] = useState<NotificationPrefs | null>(null);
  const shown = local ?? prefs.data;

  const set = async (type: NotificationType, channel: 'inApp' | 'os', value: boolean) => {
    setError(null);
    if (shown) setLocal({ ...shown, [type]: { ...shown[type], [channel]: value } });
    try {
      setLocal(await call('users.setNotificationPrefs', channel === 'inApp' ? { type, inApp: value } : { type, os: value }));
    } catch (err) {
      setLocal(null);
      setError(toApiError(err));
    }
  };

  return (
    <section className="card settings-card" aria-labelledby="notif-prefs-title" data-testid="notification-prefs">
      <h2 className="form-card-title" id="notif-prefs-title">
        Notifications
      </h2>
      <p className="muted settings-intro">Everything still appears in Notifications; these choose what interrupts you.</p>
      {error ? <ErrorBanner error={error} title="Could not save the preference" onDismiss={() => setError(null)} /> : null}
      {prefs.error ? <ErrorBanner error={prefs.error} title="Could not load preferences" onRetry={prefs.reload} /> : null}
      {!shown ? (
        prefs.error ? null : <Loading />
      ) : (
        <table className="prefs-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Pop-up in the app</th>
              <th scope="col">Desktop notification</th>
            </tr>
          </thead>
          <tbody>
            {NOTIFICATION_TYPES.map((type) => (
              <tr key={type}>
                <th scope="row">{LABELS[type]}</th>
                {(['inApp', 'os'] as const).map((channel) => (
                  <td key={channel}>
                    <input
                      type="checkbox"
                      data-testid={`pref-${type}-${channel}`}
                      aria-label={`${LABELS[type]}: ${channel === 'inApp' ? 'pop-up in the app' : 'desktop notification'}`}
                      checked={shown[type][channel]}
                      onChange={(e) => void set(type, channel, e.target.checked)}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
