import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEphemeralSecretStore } from '../../core/settings/secrets';
import { createSettingsStore } from '../../core/settings/settings-store';
import { AppError } from '../../core/common/errors';

describe('settings store', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-settings-'));
    file = path.join(dir, 'settings.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('never writes the password in clear text, yet gives it back for connecting', () => {
    const store = createSettingsStore(file, createEphemeralSecretStore());
    const view = store.setCentral({ url: 'postgres://coord@db.example.com:5432/coordinator', password: 'pa55-Sëcret', sslMode: 'verify-full' });
    expect(view.central).toMatchObject({ url: 'postgres://coord@db.example.com:5432/coordinator', hasPassword: true, sslMode: 'verify-full' });
    const onDisk = readFileSync(file, 'utf8');
    expect(onDisk).not.toContain('pa55');
    expect(onDisk).not.toContain('Sëcret');
    expect(JSON.stringify(view)).not.toContain('pa55');
    const config = store.centralConfig();
    expect(config && decodeURIComponent(new URL(config.url).password)).toBe('pa55-Sëcret');
  });

  it('stores the CRM connection beside the central one, its password encrypted', () => {
    const store = createSettingsStore(file, createEphemeralSecretStore());
    store.setCentral({ url: 'postgres://coord@127.0.0.1/c', password: 'central-pw' });
    const view = store.setCrm({ url: 'mysql://perfex:crm-Sëcret@crm.example.com:3306/perfex', prefix: 'pfx_', timeZone: 'Europe/Berlin', sslMode: 'verify-full' });
    expect(view.crm).toEqual({ url: 'mysql://perfex@crm.example.com:3306/perfex', prefix: 'pfx_', timeZone: 'Europe/Berlin', sslMode: 'verify-full', allowPlaintextPassword: false, hasPassword: true });
    expect(view.central?.hasPassword).toBe(true);
    const onDisk = readFileSync(file, 'utf8');
    expect(onDisk).not.toContain('crm-S');
    expect(onDisk).not.toContain('central-pw');
    expect(store.crmConfig()).toEqual({ url: 'mysql://perfex:crm-S%C3%ABcret@crm.example.com:3306/perfex', prefix: 'pfx_', timeZone: 'Europe/Berlin', sslMode: 'verify-full', allowPlaintextPassword: false });
    expect(() => store.setCrm({ url: 'postgres://x@y/z' })).toThrow(/mysql:\/\//);
    expect(store.clearCrm().crm).toBeNull();
    expect(store.centralConfig()?.url).toContain(':central-pw@');
  });

  it('stores the AI provider with its API key encrypted', () => {
    const store = createSettingsStore(file, createEphemeralSecretStore());
    const view = store.setAi({ baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.1', apiKey: 'sk-live-Zebra' });
    expect(view.ai).toEqual({ baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.1', hasApiKey: true });
    expect(readFileSync(file, 'utf8')).not.toContain('Zebra');
    expect(store.aiConfig()).toEqual({ baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.1', apiKey: 'sk-live-Zebra' });
    expect(store.setAi({ baseURL: '', model: 'gpt-4o-mini' }).ai?.hasApiKey).toBe(true);
    expect(store.aiConfig()).toEqual({ model: 'gpt-4o-mini', apiKey: 'sk-live-Zebra' });
    expect(() => store.setAi({ baseURL: 'ftp://x', model: 'm' })).toThrow(/http/);
    expect(store.clearAi().ai).toBeNull();
  });

  it('moves a password embedded in the URL into the encrypted field', () => {
    const store = createSettingsStore(file, createEphemeralSecretStore());
    const view = store.setCentral({ url: 'postgres://coord:hunter2@127.0.0.1:5432/c' });
    expect(view.central?.url).toBe('postgres://coord@127.0.0.1:5432/c');
    expect(readFileSync(file, 'utf8')).not.toContain('hunter2');
    expect(store.centralConfig()?.url).toContain(':hunter2@');
  });

  it('keeps the stored password when settings change without a new one', () => {
    const store = createSettingsStore(file, createEphemeralSecretStore());
    store.setCentral({ url: 'postgres://coord@127.0.0.1/c', password: 'first' });
    store.setCentral({ url: 'postgres://coord@127.0.0.1/c', syncIntervalSeconds: 60 });
    expect(store.centralConfig()?.url).toContain(':first@');
    expect(store.syncIntervalSeconds()).toBe(60);
  });

  it('refuses a bad URL with a clear validation error and keeps the old settings', () => {
    const store = createSettingsStore(file, createEphemeralSecretStore());
    store.setCentral({ url: 'postgres://coord@127.0.0.1/c' });
    expect(() => store.setCentral({ url: 'mysql://nope' })).toThrow(AppError);
    expect(store.view().central?.url).toBe('postgres://coord@127.0.0.1/c');
  });

  it('refuses to store a password when the system offers no secure storage', () => {
    const store = createSettingsStore(file, { available: false, encrypt: () => 'x', decrypt: () => 'x' });
    expect(() => store.setCentral({ url: 'postgres://coord@127.0.0.1/c', password: 'p' })).toThrow(/secure storage/);
    expect(existsSync(file)).toBe(false);
  });

  it('moves a corrupt settings file aside instead of failing', () => {
    writeFileSync(file, '{ not json');
    const store = createSettingsStore(file, createEphemeralSecretStore());
    expect(store.view().central).toBeNull();
    expect(readdirSync(dir).some((f) => f.startsWith('settings.json.corrupt-'))).toBe(true);
  });
});
