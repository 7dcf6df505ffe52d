import { centralSettingsInput, crmSettingsInput, type SettingsView } from '../../shared/settings';
import { connectCrm } from '../crm/connect';
import { describeCrm, parseCrmConfig } from '../crm/config';
import { AppError, parseInput } from '../common/errors';
import { describeSyncError } from '../sync/errors';
import { connectCentral, describeTarget } from '../sync/central/connect';
import type { SettingsStore } from './settings-store';

/** What a change of connection settings must reach: the desktop sync, which reconnects. */
export interface SettingsListener {
  /** The central connection changed or was removed. */
  reconfigure(): Promise<void>;
  /** The CRM connection changed or was removed. */
  crmChanged(): void;
}

/** A connection URL with the password typed in the form put back in, for a test that saves nothing. */
function urlWithPassword(raw: string, password: string | undefined): string {
  const url = new URL(raw);
  if (password) url.password = encodeURIComponent(password);
  return url.toString();
}

/**
 * The Settings screen: central database, Perfex CRM and AI provider. Saving goes to the settings
 * file; a changed connection is handed to the sync. The AI settings are read by the assistant
 * straight from the store — they are no business of the sync.
 */
export function createSettingsService(store: SettingsStore, listener: SettingsListener) {
  return {
    get: (): SettingsView => store.view(),

    async setCentral(raw: unknown): Promise<SettingsView> {
      const view = store.setCentral(raw);
      await listener.reconfigure();
      return view;
    },
    async clearCentral(): Promise<SettingsView> {
      const view = store.clearCentral();
      await listener.reconfigure();
      return view;
    },
    /** Tries a connection with the given settings without saving them. */
    async testCentral(raw: unknown): Promise<{ ok: true; target: string }> {
      const input = parseInput(centralSettingsInput, raw, 'central database settings');
      const config = { url: urlWithPassword(input.url, input.password), sslMode: input.sslMode, allowPlaintextPassword: input.allowPlaintextPassword };
      const client = await connectCentral(config).catch((error: unknown) => {
        if (error instanceof AppError) throw error;
        throw new AppError('UNAVAILABLE', `Could not connect to ${describeTarget(config.url)}: ${describeSyncError(error)}`);
      });
      try {
        await client.query('SELECT 1');
        return { ok: true, target: describeTarget(config.url) };
      } finally {
        await client.end();
      }
    },

    setCrm(raw: unknown): SettingsView {
      const view = store.setCrm(raw);
      listener.crmChanged();
      return view;
    },
    clearCrm(): SettingsView {
      const view = store.clearCrm();
      listener.crmChanged();
      return view;
    },
    /** Connects to the CRM with the given settings (not saved) and checks it looks like Perfex. */
    async testCrm(raw: unknown): Promise<{ ok: true; target: string }> {
      const input = parseInput(crmSettingsInput, raw, 'CRM settings');
      const config = parseCrmConfig({
        url: urlWithPassword(input.url, input.password), prefix: input.prefix, sslMode: input.sslMode, allowPlaintextPassword: input.allowPlaintextPassword,
        ...(input.timeZone ? { timeZone: input.timeZone } : {}),
      });
      const crm = await connectCrm(config);
      await crm.close();
      return { ok: true, target: describeCrm(config) };
    },

    setAi: (raw: unknown): SettingsView => store.setAi(raw),
    clearAi: (): SettingsView => store.clearAi(),
  };
}
