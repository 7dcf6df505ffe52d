import path from 'node:path';
import { app, powerMonitor, safeStorage } from 'electron';
import type { Core } from '../../core/app/core';
import { openDesktop, type Desktop } from '../../core/desktop/desktop';
import type { SecretStore } from '../../core/settings/secrets';

/** Secrets encrypted by the OS keychain (Keychain, DPAPI, libsecret/kwallet) through safeStorage. */
export function safeStorageSecrets(): SecretStore {
  return {
    get available() {
      return safeStorage.isEncryptionAvailable();
    },
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (cipher) => safeStorage.decryptString(Buffer.from(cipher, 'base64')),
  };
}

/**
 * The window's services (built by the core) with Electron's adapters: settings in userData,
 * secrets in the OS keychain, reconnect signals from the OS.
 */
export function startDesktop(core: Core): { desktop: Desktop; dispose: () => Promise<void> } {
  const desktop = openDesktop(core, { settingsFile: path.join(app.getPath('userData'), 'settings.json'), secrets: safeStorageSecrets() });
  void desktop.start();
  const online = () => {
    desktop.sync.notifyOnline();
    desktop.assistant.notifyOnline();
  };
  powerMonitor.on('resume', online);
  powerMonitor.on('unlock-screen', online);
  return {
    desktop,
    dispose: async () => {
      powerMonitor.off('resume', online);
      powerMonitor.off('unlock-screen', online);
      await desktop.close();
    },
  };
}
