import path from 'node:path';
import { Menu, Tray, app, nativeImage } from 'electron';
import type { SyncStatusView } from '../../shared/settings';
import type { SyncController } from '../sync/controller';
import { describeSyncStatus } from './policy';

/** The tray icon: sync state and pending count at a glance, "Sync now", open the window. */
export function createTray(controller: SyncController, openWindow: () => void): () => void {
  const icon = nativeImage.createFromPath(path.join(app.getAppPath(), 'build', 'icon.png')).resize({ width: 16, height: 16 });
  const tray = new Tray(icon);
  const render = (status: SyncStatusView) => {
    const line = describeSyncStatus(status);
    tray.setToolTip(`Coordinator — ${line}`);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: line, enabled: false },
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
