import { describe, expect, it } from 'vitest';
import { defaultDatabasePath } from '../../core/cli/default-db-path';

describe('defaultDatabasePath (the desktop app userData file, computed without Electron)', () => {
  it('uses $XDG_CONFIG_HOME or ~/.config on Linux', () => {
    expect(defaultDatabasePath({ platform: 'linux', homedir: '/home/ann', env: {} })).toBe('/home/ann/.config/Coordinator/coordinator.db');
    expect(defaultDatabasePath({ platform: 'linux', homedir: '/home/ann', env: { XDG_CONFIG_HOME: '/xdg' } })).toBe('/xdg/Coordinator/coordinator.db');
    expect(defaultDatabasePath({ platform: 'linux', homedir: '/home/ann', env: { XDG_CONFIG_HOME: '' } })).toBe('/home/ann/.config/Coordinator/coordinator.db');
  });

  it('uses Application Support on macOS and %APPDATA% on Windows', () => {
    expect(defaultDatabasePath({ platform: 'darwin', homedir: '/Users/ann', env: {} })).toBe('/Users/ann/Library/Application Support/Coordinator/coordinator.db');
    expect(defaultDatabasePath({ platform: 'win32', homedir: 'C:\\Users\\ann', env: { APPDATA: 'D:\\Roaming' } })).toBe('D:\\Roaming\\Coordinator\\coordinator.db');
    expect(defaultDatabasePath({ platform: 'win32', homedir: 'C:\\Users\\ann', env: {} })).toBe('C:\\Users\\ann\\AppData\\Roaming\\Coordinator\\coordinator.db');
  });

  it('lets $COORDINATOR_DB override everything', () => {
    expect(defaultDatabasePath({ platform: 'linux', homedir: '/home/ann', env: { COORDINATOR_DB: '/data/c.db', XDG_CONFIG_HOME: '/xdg' } })).toBe('/data/c.db');
  });
});
