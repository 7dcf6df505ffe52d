import { createAssistant } from '../agent/assistant';
import { parseAiConfig, type AiConfig } from '../ai/config';
import { createSettingsService } from '../settings/settings-service';
import { createSettingsStore } from '../settings/settings-store';
import type { SecretStore } from '../settings/secrets';
import type { Core } from '../app/core';
import { createSyncController } from './desktop-sync';
import { createTeamService } from './desktop-team';

export interface DesktopOptions {
  /** The settings file (connections, AI provider; secrets only encrypted). */
  settingsFile: string;
  /** How secrets are sealed: the OS keychain in the app, an in-process key in tests. */
  secrets: SecretStore;
  /** Start the background sync schedule (default true); harnesses press "Sync now" instead. */
  autoStartSync?: boolean;
}

/**
 * The services only a window needs, built around an open core: settings, the desktop sync and the
 * assistant. Electron's main process and the e2e harness both start here, so each is built in
 * one place; Electron only adds its adapters (safeStorage, power events, tray, IPC).
 */
export function openDesktop(core: Core, options: DesktopOptions) {
  const store = createSettingsStore(options.settingsFile, options.secrets);
  const sync = createSyncController(core, store, { autoStart: options.autoStartSync });
  const settings = createSettingsService(store, sync);
  const team = createTeamService(core, store, sync);
  const assistant = createAssistant(core, () => store.aiConfig());
  // An OpenAI embedding model (memory reindex --model) uses the AI provider's key.
  core.memory.useApiKey(() => store.aiConfig()?.apiKey);
  // Questions asked offline are answered once sync finds the network again.
  const offStatus = sync.onStatus((status) => {
    if (status.state === 'idle') assistant.notifyOnline();
  });
  return {
    settings,
    sync,
    team,
    assistant,
    /** The AI provider as saved (null: not configured), for work beside the assistant (report drafts). */
    aiConfig: (): AiConfig | null => {
      const raw = store.aiConfig();
      return raw ? parseAiConfig(raw) : null;
    },
    /** Connects the sync with the saved settings (and starts its schedule unless told not to). */
    start: () => sync.start(),
    async close(): Promise<void> {
      offStatus();
      assistant.close();
      await sync.close();
    },
  };
}
export type Desktop = ReturnType<typeof openDesktop>;
