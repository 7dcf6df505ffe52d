import { BrowserWindow } from 'electron';
import { createLogger } from '../../core/common/logger';
import { secureWebPreferences } from './policy';

const log = createLogger('window');

export interface MainWindowOptions {
  preloadFile: string;
  indexFile: string;
  devTools: boolean;
}

/** The one application window, shown once its first paint is ready. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Coordinator',
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(options.preloadFile, { devTools: options.devTools }),
  });
  win.once('ready-to-show', () => win.show());
  win.loadFile(options.indexFile).catch((error: unknown) => {
    log.error('could not load the renderer', { file: options.indexFile, error: String(error) });
    // Show the (empty) window anyway so the app does not look hung.
    if (!win.isDestroyed() && !win.isVisible()) win.show();
  });
  return win;
}

/** Brings the window to the front (second instance, notification click). */
export function focusWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  if (!win.isVisible()) win.show();
  win.focus();
}
