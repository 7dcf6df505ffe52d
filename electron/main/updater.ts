import path from 'node:path';
import { createLogger } from '../../core/common/logger';
import { readUpdateConfigFile, resolveUpdatePolicy } from '../../core/ops/update-policy';

const log = createLogger('updater');

/**
 * Auto-update through electron-updater, only when a feed is configured (see update-policy.ts):
 * check at start and every few hours, download in the background, install when the app quits.
 * electron-updater is loaded only then, so an unconfigured app never initialises it.
 */
export async function startAutoUpdates(options: { userData: string; isPackaged: boolean }): Promise<() => void> {
  const decision = resolveUpdatePolicy({
    env: process.env,
    file: readUpdateConfigFile(path.join(options.userData, 'updates.json')),
    isPackaged: options.isPackaged,
  });
  if (!decision.enabled) {
    log.info('auto-update off', { reason: decision.reason });
    return () => undefined;
  }
  const { autoUpdater } = await import('electron-updater');
  autoUpdater.logger = {
    info: (message?: unknown) => log.info(String(message)),
    warn: (message?: unknown) => log.warn(String(message)),
    error: (message?: unknown) => log.error(String(message)),
    debug: (message: string) => log.debug(message),
  };
  autoUpdater.setFeedURL({ provider: 'generic', url: decision.feedUrl, channel: decision.channel });
  autoUpdater.allowPrerelease = decision.allowPrerelease;
  autoUpdater.allowDowngrade = false;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.on('error', (error: Error) => log.warn('update check failed', { error: error.message }));
  autoUpdater.on('update-downloaded', (info: { version: string }) => log.info('update downloaded; it installs when Coordinator quits', { version: info.version }));
  const check = () => {
    autoUpdater.checkForUpdates().catch((error: unknown) => log.warn('update check failed', { error: error instanceof Error ? error.message : String(error) }));
  };
  check();
  const timer = setInterval(check, decision.intervalMs);
  timer.unref();
  log.info('auto-update on', { feed: decision.feedUrl, channel: decision.channel, source: decision.source });
  return () => clearInterval(timer);
}
