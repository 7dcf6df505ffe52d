/**
 * Secrets never leave in plain text: not through the logger, not in the messages operations
 * print, not in the settings file (see settings-store.test.ts for the file itself).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configureLogger, createLogger } from '../../../core/common/logger';
import { describeFailure, passwordOf } from '../../../core/ops/errors';
import { centralHealth } from '../../../core/ops/central-health';
import { crmHealth } from '../../../core/ops/endpoint-health';
import { createEphemeralSecretStore } from '../../../core/settings/secrets';
import { createSettingsStore } from '../../../core/settings/settings-store';
import { describeSyncError } from '../../../core/sync/errors';

const SECRET = 'Xy9-very-secret';

describe('secrets in logs and messages', () => {
  const lines: string[] = [];
  afterEach(() => {
    lines.length = 0;
    configureLogger({ level: 'warn', sink: (line) => process.stderr.write(`${line}\n`) });
  });

  it('the logger masks credentials in URLs and values under secret-looking keys, at any depth', () => {
    configureLogger({ level: 'debug', sink: (line) => lines.push(line) });
    const log = createLogger('test');
    log.info(`connecting to postgres://coord:${SECRET}@db.example.com/c`);
    log.warn('settings', { password: SECRET, apiKey: SECRET, token: SECRET, nested: { clientSecret: SECRET, url: `mysql://root:${SECRET}@crm/perfex` }, list: [{ Authorization: `Bearer ${SECRET}` }] });
    log.error('failed', { error: `connect postgresql://u:${SECRET}@h/d failed` });
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toContain(SECRET);
    expect(lines[0]).toContain('postgres://coord:***@db.example.com/c');
  });

  it('operation messages drop connection strings and any known password', () => {
    const url = `postgres://coord:${encodeURIComponent(SECRET)}@db.example.com/c`;
    expect(passwordOf(url)).toContain(SECRET);
    const error = Object.assign(new Error(`password authentication failed for "${SECRET}" using ${url}`), { code: '28P01' });
    const message = describeFailure(error, passwordOf(url));
    expect(message).not.toContain(SECRET);
    expect(message).toMatch(/^28P01: /);
    expect(describeSyncError(new Error(`could not connect to ${url}`))).not.toContain(SECRET);
  });

  it('health checks that fail never echo the password they were given', async () => {
    const central = await centralHealth({ url: `postgres://coord:${SECRET}@127.0.0.1:1/none` }, null);
    const refused = await centralHealth({ url: `postgres://coord:${SECRET}@10.255.255.1/none` }, null);
    const crm = await crmHealth(`mysql://root:${SECRET}@127.0.0.1:1/perfex`);
    const all = JSON.stringify([central, refused, crm]);
    expect(central.checks[0]).toMatchObject({ name: 'central.connect', ok: false });
    expect(refused.checks[0]?.detail).toMatch(/Refusing to send a password/);
    expect(crm.checks[0]).toMatchObject({ name: 'crm.connect', ok: false });
    expect(all).not.toContain(SECRET);
  });

  it('the settings file and the log written while saving settings hold no clear-text password', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-secrets-'));
    try {
      configureLogger({ level: 'debug', sink: (line) => lines.push(line) });
      const store = createSettingsStore(path.join(dir, 'settings.json'), createEphemeralSecretStore());
      store.setCentral({ url: `postgres://coord:${SECRET}@db.example.com/c`, sslMode: 'verify-full' });
      store.setCentral({ url: 'postgres://coord@db.example.com/c', password: SECRET, sslMode: 'require' });
      expect(readFileSync(path.join(dir, 'settings.json'), 'utf8')).not.toContain(SECRET);
      expect(JSON.stringify(store.view())).not.toContain(SECRET);
      expect(lines.join('\n')).not.toContain(SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
