import { notificationChannelsSchema, notificationPrefsSchema, type NotificationPrefs, type NotificationPrefsChange } from '../../shared/notification-prefs';
import { NOTIFICATION_TYPES, type NotificationType } from '../../shared/enums';
import { AppError } from '../common/errors';
import type { Session } from '../database/session';
import type { UsersService } from './users-service';

/** Where in `users.preferences` (JSON, synced with the user row) the per-type choices live. */
const KEY = 'notifications';

export type NotificationChannel = 'inApp' | 'os';

/**
 * Per-type notification preferences of the signed-in user. Anything missing or unreadable in the
 * stored JSON means "on": a preference written by a newer version never silences a type by accident.
 */
export function createNotificationPrefs(deps: { users: UsersService; session: Session }) {
  const read = (stored: unknown): NotificationPrefs => {
    const record = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
    const entries = NOTIFICATION_TYPES.map((type) => {
      const parsed = notificationChannelsSchema.partial().safeParse(record[type]);
      const stored = parsed.success ? parsed.data : {};
      return [type, { inApp: stored.inApp ?? true, os: stored.os ?? true }] as const;
    });
    // Parsing (not casting) the assembled record keeps the exhaustive type honest.
    return notificationPrefsSchema.parse(Object.fromEntries(entries));
  };

  const get = (): NotificationPrefs => {
    const user = deps.users.current();
    return read(user?.preferences[KEY]);
  };

  return {
    get,

    /** Changes one type's channels, keeping every other preference key as it was. */
    set(input: NotificationPrefsChange): NotificationPrefs {
      const user = deps.users.current();
      if (!user) throw new AppError('UNAVAILABLE', 'No one is signed in on this computer');
      const prefs = read(user.preferences[KEY]);
      prefs[input.type] = { inApp: input.inApp ?? prefs[input.type].inApp, os: input.os ?? prefs[input.type].os };
      deps.users.update({ id: user.id, preferences: { ...user.preferences, [KEY]: prefs } });
      return prefs;
    },

    allows(type: NotificationType, channel: NotificationChannel): boolean {
      return get()[type][channel];
    },
  };
}

