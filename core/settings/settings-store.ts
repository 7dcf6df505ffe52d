import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { aiSettingsInput, centralSettingsInput, crmSettingsInput, sslModeSchema, type CentralSettingsInput, type CrmSettingsInput, type SettingsView } from '../../shared/settings';
import type { AiConfigInput } from '../ai/config';
import type { CrmConfigInput } from '../crm/config';
import { AppError, parseInput } from '../common/errors';
import { createLogger } from '../common/logger';
import type { CentralConfig } from '../sync/central/connect';
import type { SecretStore } from './secrets';

const log = createLogger('settings');

const storedSchema = z.object({
  central: z
    .object({
      url: z.string(),
      sslMode: sslModeSchema,
      allowPlaintextPassword: z.boolean(),
      passwordEncrypted: z.string().nullable(),
      syncIntervalSeconds: z.number().int().min(15).max(86_400),
    })
    .nullable()
    .default(null),
  crm: z
    .object({
      url: z.string(),
      prefix: z.string(),
      timeZone: z.string(),
      sslMode: sslModeSchema,
      allowPlaintextPassword: z.boolean(),
      passwordEncrypted: z.string().nullable(),
    })
    .nullable()
    .default(null),
  ai: z.object({ baseURL: z.string(), model: z.string(), apiKeyEncrypted: z.string().nullable() }).nullable().default(null),
});
type Stored = z.infer<typeof storedSchema>;

/**
 * The desktop app's settings file. Passwords are stored only encrypted (SecretStore); the URL is
 * stored without credentials; a corrupt file is moved aside rather than crashing the app.
 */
export function createSettingsStore(file: string, secrets: SecretStore) {
  let cache: Stored | null = null;

  const load = (): Stored => {
    if (cache) return cache;
    if (!existsSync(file)) return (cache = { central: null, crm: null, ai: null });
    try {
      cache = storedSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      const aside = `${file}.corrupt-${Date.now()}`;
      renameSync(file, aside);
      log.warn('settings file was unreadable and has been moved aside', { aside, error: error instanceof Error ? error.message : String(error) });
      cache = { central: null, crm: null, ai: null };
    }
    return cache;
  };

  const save = (next: Stored) => {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
    cache = next;
  };

  /** The URL without its password, and the password encrypted (or the previous one kept). */
  const splitPassword = (raw: string, password: string | undefined, keep: boolean, previous: string | null | undefined) => {
    const url = new URL(raw);
    const embedded = url.password ? decodeURIComponent(url.password) : null;
    url.password = '';
    const plain = password ?? embedded;
    if (plain && !secrets.available) {
      throw new AppError('UNAVAILABLE', 'This system offers no secure storage for passwords; use a passwordless login (e.g. a client certificate) or the CLI with an environment variable');
    }
    return { url: url.toString(), passwordEncrypted: plain ? secrets.encrypt(plain) : keep ? (previous ?? null) : null };
  };
  const withPassword = (raw: string, encrypted: string | null) => {
    const url = new URL(raw);
    if (encrypted) url.password = encodeURIComponent(secrets.decrypt(encrypted));
    return url.toString();
  };

  return {
    view(): SettingsView {
      const { central, crm, ai } = load();
      return {
        central: central
          ? { url: central.url, sslMode: central.sslMode, allowPlaintextPassword: central.allowPlaintextPassword, hasPassword: central.passwordEncrypted !== null, syncIntervalSeconds: central.syncIntervalSeconds }
          : null,
        crm: crm
          ? { url: crm.url, prefix: crm.prefix, timeZone: crm.timeZone, sslMode: crm.sslMode, allowPlaintextPassword: crm.allowPlaintextPassword, hasPassword: crm.passwordEncrypted !== null }
          : null,
        ai: ai ? { baseURL: ai.baseURL, model: ai.model, hasApiKey: ai.apiKeyEncrypted !== null } : null,
        secretsAvailable: secrets.available,
      };
    },

    setAi(raw: unknown): SettingsView {
      const input = parseInput(aiSettingsInput, raw, 'AI settings');
      if (input.apiKey && !secrets.available) throw new AppError('UNAVAILABLE', 'This system offers no secure storage for the API key; use a local model server without a key, or the CLI with OPENAI_API_KEY');
      const previous = load().ai?.apiKeyEncrypted ?? null;
      const apiKeyEncrypted = input.apiKey ? secrets.encrypt(input.apiKey) : input.keepApiKey ? previous : null;
      save({ ...load(), ai: { baseURL: input.baseURL, model: input.model, apiKeyEncrypted } });
      return this.view();
    },

    clearAi(): SettingsView {
      save({ ...load(), ai: null });
      return this.view();
    },

    /** The AI provider, with the key decrypted only in memory; null when none is set. */
    aiConfig(): AiConfigInput | null {
      const ai = load().ai;
      if (!ai) return null;
      return { model: ai.model, ...(ai.baseURL ? { baseURL: ai.baseURL } : {}), ...(ai.apiKeyEncrypted ? { apiKey: secrets.decrypt(ai.apiKeyEncrypted) } : {}) };
    },

    setCrm(raw: unknown): SettingsView {
      const input: CrmSettingsInput = parseInput(crmSettingsInput, raw, 'CRM settings');
      const { url, passwordEncrypted } = splitPassword(input.url, input.password, input.keepPassword, load().crm?.passwordEncrypted);
      save({ ...load(), crm: { url, prefix: input.prefix, timeZone: input.timeZone, sslMode: input.sslMode, allowPlaintextPassword: input.allowPlaintextPassword, passwordEncrypted } });
      return this.view();
    },

    clearCrm(): SettingsView {
      save({ ...load(), crm: null });
      return this.view();
    },

    /** The CRM connection, with the password decrypted only in memory; null when none is set. */
    crmConfig(): CrmConfigInput | null {
      const crm = load().crm;
      if (!crm) return null;
      return {
        url: withPassword(crm.url, crm.passwordEncrypted), prefix: crm.prefix, sslMode: crm.sslMode, allowPlaintextPassword: crm.allowPlaintextPassword,
        ...(crm.timeZone ? { timeZone: crm.timeZone } : {}),
      };
    },

    setCentral(raw: unknown): SettingsView {
      const input: CentralSettingsInput = parseInput(centralSettingsInput, raw, 'central database settings');
      const url = new URL(input.url);
      const embeddedPassword = url.password ? decodeURIComponent(url.password) : null;
      url.password = '';
      const password = input.password ?? embeddedPassword;
      const previous = load().central;
      if (password && !secrets.available) {
        throw new AppError('UNAVAILABLE', 'This system offers no secure storage for passwords; use a passwordless login (e.g. a client certificate) or the CLI with an environment variable');
      }
      const passwordEncrypted = password ? secrets.encrypt(password) : input.keepPassword ? (previous?.passwordEncrypted ?? null) : null;
      save({
        ...load(),
        central: {
          url: url.toString(),
          sslMode: input.sslMode,
          allowPlaintextPassword: input.allowPlaintextPassword,
          passwordEncrypted,
          syncIntervalSeconds: input.syncIntervalSeconds,
        },
      });
      return this.view();
    },

    clearCentral(): SettingsView {
      save({ ...load(), central: null });
      return this.view();
    },

    /** The connection to use, with the password decrypted only in memory. */
    centralConfig(): CentralConfig | null {
      const central = load().central;
      if (!central) return null;
      const url = new URL(central.url);
      if (central.passwordEncrypted) url.password = encodeURIComponent(secrets.decrypt(central.passwordEncrypted));
      return { url: url.toString(), sslMode: central.sslMode, allowPlaintextPassword: central.allowPlaintextPassword };
    },

    syncIntervalSeconds(): number {
      return load().central?.syncIntervalSeconds ?? 300;
    },
  };
}
export type SettingsStore = ReturnType<typeof createSettingsStore>;
