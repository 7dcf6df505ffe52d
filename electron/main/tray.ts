import path from 'node:path';
import { Menu, Tray, app, nativeImage } from 'electron';
import type { SyncStatusView } from '../../shared/settings';
import type { SyncController } from '../../core/desktop/desktop-sync';
import { describeSyncStatus } from './policy';

/** What else waits for the user, counted when the menu is rebuilt (both are cheap indexed counts). */
export type TrayCounts = () => { unread: number; pendingActions: number };

/** "3 unread · 1 AI proposal to review", or null when nothing waits. */
export function describeWaiting(counts: ReturnType<TrayCounts>): string | null {
  const parts: string[] = [];
  if (counts.unread > 0) parts.push(`${counts.unread} unread`);
  if (counts.pendingActions > 0) parts.push(`${counts.pendingActions} AI ${counts.pendingActions === 1 ? 'proposal' : 'proposals'} to review`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** The tray icon: sync state and pending count at a glance, "Sync now", open the window. */
export function createTray(controller: SyncController, openWindow: () => void, counts?: TrayCounts): () => void {
  const icon = nativeImage.createFromPath(path.join(app.getAppPath(), 'build', 'icon.png')).resize({ width: 16, height: 16 });
  const tray = new Tray(icon);
  const render = (status: SyncStatusView) => {
    const line = describeSyncStatus(status);
    let waiting: string | null = null;
    try {
      waiting = counts ? describeWaiting(counts()) : null;
    } catch {
      waiting = null; // the database closing during quit must not break the menu
    }
    tray.setToolTip(`Coordinator — ${line}${waiting ? `\n${waiting}` : ''}`);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: line, enabled: false },
        ...(waiting ? [{ label: waiting, enabled: false }] : []),
        { type: 'separator' },
        { label: 'Sync now', enabled: status.configured && status.state !== 'syncing', click: () => void controller.syncNow().catch(() => undefined) },
        { label: 'Open Coordinator', click: openWindow },
        { type: 'separator' },
        { label: 'Quit', role: 'quit' },
      ]),
    );
  };
  render(controller.status());
  const off = controller.onStatus(render);
  tray.on('click', openWindow);
  return () => {
    off();
    tray.destroy();
  };
}
