import { Notification, type BrowserWindow } from 'electron';
import type { Notification as CoordinatorNotification } from '../../shared/entities';
import { shouldShowOsNotification } from './policy';
import { focusWindow } from './window';

/** Live OS notifications, kept referenced so their click handler survives garbage collection. */
const live = new Set<Notification>();
const MAX_LIVE = 20;

/**
 * An OS notification for a new in-app notification, unless the user is already in the window or
 * muted the type (`allowsType` reads the per-type preference stored with the user).
 */
export function showOsNotification(
  notification: CoordinatorNotification,
  getWindow: () => BrowserWindow | null,
  openLink?: (url: string) => void,
  allowsType: (type: CoordinatorNotification['type']) => boolean = () => true,
): void {
  if (!allowsType(notification.type)) return;
  const win = getWindow();
  const windowFocused = !!win && !win.isDestroyed() && win.isFocused();
  if (!shouldShowOsNotification({ supported: Notification.isSupported(), windowFocused })) return;
  const os = new Notification({ title: notification.title, body: notification.message });
  const release = () => live.delete(os);
  os.on('click', () => {
    release();
    if (notification.actionUrl && openLink) openLink(notification.actionUrl);
    else focusWindow(getWindow());
  });
  os.on('close', release);
  os.on('failed', release);
  if (live.size >= MAX_LIVE) {
    const oldest = live.values().next().value;
    if (oldest) live.delete(oldest);
  }
  live.add(os);
  os.show();
}
