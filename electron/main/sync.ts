import path from 'node:path';
import { app, powerMonitor, safeStorage } from 'electron';
import type { Core } from '../../core/app/core';
import type { SecretStore } from '../../core/settings/secrets';
import { createSettingsStore, type SettingsStore } from '../../core/settings/settings-store';
import { createSyncController, type SyncController } from '../../core/sync/controller';

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

/** The desktop sync: settings in userData, reconnect signals from the OS. */
export function startDesktopSync(core: Core): { controller: SyncController; settings: SettingsStore; dispose: () => Promise<void> } {
  const settings = createSettingsStore(path.join(app.getPath('userData'), 'settings.json'), safeStorageSecrets());
  const controller = createSyncController(core, settings);
  void controller.start();
  const online = () => controller.notifyOnline();
  powerMonitor.on('resume', online);
  powerMonitor.on('unlock-screen', online);
  return {
    controller,
    settings,
    dispose: async () => {
      powerMonitor.off('resume', online);
      powerMonitor.off('unlock-screen', online);
      await controller.close();
    },
  };
}
