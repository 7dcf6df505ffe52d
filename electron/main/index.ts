import path from 'node:path';
import { app, dialog, session, type BrowserWindow } from 'electron';
import type { Core } from '../../core/app/core';
import { openCoreWithRecovery } from '../../core/ops/recovery';
import { restoreIntoApp } from '../../core/ops/backup';
import { createLogger } from '../../core/common/logger';
import { createHandlers } from '../../core/ipc/handlers';
import { registerIpc, sendToWindow } from './ipc';
import { startDesktop } from './sync';
import { createTray } from './tray';
import { logToFile } from './logging';
import { installMenu } from './menu';
import { showOsNotification } from './notifications';
import { appIndexUrl, deepLinkFromArgv, DUE_SOON_SCAN_INTERVAL_MS } from './policy';
import { hardenSession, hardenWebContents } from './security';
import { createMainWindow, focusWindow } from './window';
import { startAutoUpdates } from './updater';
import { electronPdfPrinter } from './print-pdf';

/**
 * Electron main process: one instance, one window, one core. Everything it does beyond wiring
 * lives in the core (electron/*) or in the pure policy module.
 */
const log = createLogger('main');
process.setSourceMapsEnabled(true);

const preloadFile = path.join(__dirname, 'preload.cjs');
const indexFile = path.join(app.getAppPath(), 'renderer', 'dist', 'index.html');
const appUrl = appIndexUrl(indexFile);

let core: Core | null = null;
let mainWindow: BrowserWindow | null = null;
let scanTimer: NodeJS.Timeout | null = null;
const cleanups: Array<() => void> = [];
let stopSync: (() => Promise<void>) | null = null;
/** A deep link that arrived before the window could take it. */
let pendingLink: string | null = deepLinkFromArgv(process.argv);
let closeLog: (() => void) | null = null;

const getWindow = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null);

function openWindow(): BrowserWindow {
  const existing = getWindow();
  if (existing) return existing;
  const win = createMainWindow({ preloadFile, indexFile, devTools: !app.isPackaged });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  mainWindow = win;
  return win;
}

/** Opens a coordinator:// link in the window (the renderer routes it). */
function openLink(url: string): void {
  const win = openWindow();
  focusWindow(win);
  if (win.webContents.isLoading()) {
    pendingLink = url;
    return;
  }
  sendToWindow(win, appUrl, 'app.openUrl', { url });
}

function scanDueSoon(): void {
  try {
    const raised = core?.notifications.scanDueSoon() ?? 0;
    if (raised > 0) log.info('due-soon scan', { raised });
  } catch (error) {
    log.error('due-soon scan failed', { error: error instanceof Error ? error.stack : String(error) });
  }
}

const databaseFile = () => path.join(app.getPath('userData'), 'coordinator.db');

/**
 * File → Restore from backup…: pick a file, confirm, then the core verifies it, the app lets go
 * of its database, the backup is put in place (the replaced file kept aside) and the app
 * restarts on it. The work is core/ops/backup.ts `restoreIntoApp`; this is only the dialogs.
 */
async function restoreFromBackup(): Promise<void> {
  const win = getWindow();
  const openOptions = { title: 'Restore from backup', properties: ['openFile'] as Array<'openFile'>, filters: [{ name: 'Coordinator backup', extensions: ['db', 'sqlite', 'bak'] }, { name: 'All files', extensions: ['*'] }] };
  const picked = win ? await dialog.showOpenDialog(win, openOptions) : await dialog.showOpenDialog(openOptions);
  const file = picked.filePaths[0];
  if (picked.canceled || !file) return;
  const pending = core?.sync.outbox.pendingCount() ?? 0;
  const answer = await dialog.showMessageBox({
    type: 'warning',
    buttons: ['Restore and restart', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: `Restore Coordinator from ${path.basename(file)}?`,
    detail:
      `The local data is replaced by the backup and Coordinator restarts. The current database (with its ${pending} unsynced changes) is kept next to it. ` +
      'At the next sync the restored data runs as a new replica: its unsynced changes are sent and what others synced since is downloaded.',
  });
  if (answer.response !== 0) return;
  let closed = false;
  try {
    const result = await restoreIntoApp(file, databaseFile(), async () => {
      closed = true;
      await closeForRestore();
    });
    log.info('restored from backup', { from: result.from, keptAt: result.keptAt, pending: result.pending, replacedPending: result.replacedPending });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error('restore from backup failed', { error: message });
    dialog.showErrorBox('Coordinator could not restore the backup', message);
    // Refused before closing: the app carries on as it was.
    if (!closed) return;
  }
  app.relaunch();
  shutdown();
  app.exit(0);
}

/** Everything that holds the database stops, and the core closes, before a restore replaces the file. */
async function closeForRestore(): Promise<void> {
  const sync = stopSync;
  stopSync = null;
  await sync?.().catch(() => undefined);
  shutdown();
}

function start(): void {
  const dbFile = databaseFile();
  // A damaged replica is moved aside and rebuilt (its unsynced changes salvaged) before opening.
  const opened = openCoreWithRecovery({ dbFile });
  core = opened.core;
  core.memory.start(); // semantic memory indexes in the background, in small batches
  log.info('core opened', { dbFile, version: app.getVersion() });
  if (opened.recovery) {
    const r = opened.recovery;
    void dialog.showMessageBox({
      type: 'warning',
      message: 'Coordinator repaired its local database',
      detail: `The local database was damaged and has been rebuilt. ${r.salvaged.pending} unsynced changes were kept and will be sent at the next sync; everything else is downloaded again from the central database. The damaged file was kept at ${r.movedTo}.`,
    });
  }

  hardenSession(session.defaultSession);
  installMenu({ isMac: process.platform === 'darwin', developer: !app.isPackaged, onRestoreFromBackup: () => void restoreFromBackup() });

  const started = startDesktop(core);
  stopSync = started.dispose;
  const { desktop } = started;
  const c = core;
  const handlers = createHandlers(core, { version: app.getVersion(), desktop, printPdf: electronPdfPrinter });
  cleanups.push(
    registerIpc({
      core,
      handlers,
      getWindow,
      appUrl,
      desktop,
      onEvent: (name, payload) => {
        if (name === 'notifications.new') showOsNotification(payload as Parameters<typeof showOsNotification>[0], getWindow, openLink, (type) => c.notificationPrefs.allows(type, 'os'));
      },
    }),
  );

  const win = openWindow();
  win.webContents.on('did-finish-load', () => {
    if (pendingLink) {
      sendToWindow(win, appUrl, 'app.openUrl', { url: pendingLink });
      pendingLink = null;
    }
  });
  try {
    const trayCounts = () => ({ unread: c.notifications.unreadCount(), pendingActions: desktop.assistant.agent.actions.list({ pending: true }).length });
    cleanups.push(createTray(desktop.sync, () => focusWindow(openWindow()), trayCounts));
  } catch (error) {
    log.warn('no system tray on this desktop', { error: String(error) });
  }

  scanDueSoon();
  scanTimer = setInterval(scanDueSoon, DUE_SOON_SCAN_INTERVAL_MS);

  startAutoUpdates({ userData: app.getPath('userData'), isPackaged: app.isPackaged })
    .then((stop) => cleanups.push(stop))
    .catch((error: unknown) => log.warn('auto-update could not start', { error: String(error) }));
}

function shutdown(): void {
  if (scanTimer) clearInterval(scanTimer);
  scanTimer = null;
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup();
    } catch (error) {
      log.warn('cleanup failed', { error: String(error) });
    }
  }
  const sync = stopSync;
  stopSync = null;
  void sync?.().catch(() => undefined);
  if (core) {
    core.close();
    log.info('core closed');
  }
  core = null;
  closeLog?.();
  closeLog = null;
}

function fatal(error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  log.error('startup failed', { error: detail });
  dialog.showErrorBox('Coordinator could not start', error instanceof Error ? error.message : String(error));
  shutdown();
  app.exit(1);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  closeLog = logToFile(app.getPath('logs'), !app.isPackaged);
  app.enableSandbox();
  if (app.isPackaged) app.setAsDefaultProtocolClient('coordinator');

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, appUrl));

  app.on('second-instance', (_event, argv) => {
    if (!app.isReady() || !core) return;
    const link = deepLinkFromArgv(argv);
    if (link) openLink(link);
    else focusWindow(openWindow());
  });

  // macOS delivers deep links as an event, possibly before the app is ready.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (app.isReady() && core) openLink(url);
    else pendingLink = url;
  });

  app.on('activate', () => {
    if (app.isReady() && core) focusWindow(openWindow());
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('will-quit', shutdown);

  app
    .whenReady()
    .then(start)
    .catch(fatal);
}
