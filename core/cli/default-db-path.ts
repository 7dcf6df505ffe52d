import os from 'node:os';
import path from 'node:path';

/** The folder name Electron derives app.getPath('userData') from (the app's product name). */
export const APP_DIR_NAME = 'Coordinator';
/** The replica's file name inside userData; the Electron main process uses the same name. */
export const DATABASE_FILE_NAME = 'coordinator.db';

export interface DefaultPathEnv {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homedir?: string;
}

const nonEmpty = (value: string | undefined): string | undefined => (value && value.trim() !== '' ? value : undefined);

/**
 * Electron's userData folder computed without Electron: `appData/<product name>`, where appData is
 * `%APPDATA%` on Windows, `~/Library/Application Support` on macOS and `$XDG_CONFIG_HOME` or
 * `~/.config` elsewhere.
 */
export function userDataDir({ env = process.env, platform = process.platform, homedir = os.homedir() }: DefaultPathEnv = {}): string {
  if (platform === 'win32') {
    const appData = nonEmpty(env.APPDATA) ?? path.win32.join(homedir, 'AppData', 'Roaming');
    return path.win32.join(appData, APP_DIR_NAME);
  }
  if (platform === 'darwin') return path.posix.join(homedir, 'Library', 'Application Support', APP_DIR_NAME);
  const config = nonEmpty(env.XDG_CONFIG_HOME) ?? path.posix.join(homedir, '.config');
  return path.posix.join(config, APP_DIR_NAME);
}

/** The desktop app's database: `$COORDINATOR_DB` when set, else `<userData>/coordinator.db`. */
export function defaultDatabasePath(options: DefaultPathEnv = {}): string {
  const override = nonEmpty((options.env ?? process.env).COORDINATOR_DB);
  if (override) return override;
  const dir = userDataDir(options);
  return (options.platform ?? process.platform) === 'win32' ? path.win32.join(dir, DATABASE_FILE_NAME) : path.posix.join(dir, DATABASE_FILE_NAME);
}
