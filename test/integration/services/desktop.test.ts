/**
 * The window's services as openDesktop builds them around a real core: settings are their own
 * service, and only a change of connection reaches the sync.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncStatusView } from '../../../shared/settings';
import { openDesktop, type Desktop } from '../../../core/desktop/desktop';
import { dispatch } from '../../../core/ipc/dispatch';
import { createHandlers } from '../../../core/ipc/handlers';
import { createEphemeralSecretStore } from '../../../core/settings/secrets';
import { tempCore } from '../../support/core';

describe('desktop services', () => {
  let core: ReturnType<typeof tempCore>;
  let desktop: Desktop;
  let statuses: SyncStatusView[];

  beforeEach(async () => {
    core = tempCore();
    desktop = openDesktop(core, { settingsFile: path.join(core.dir, 'settings.json'), secrets: createEphemeralSecretStore(), autoStartSync: false });
    await desktop.start();
    statuses = [];
    desktop.sync.onStatus((status) => statuses.push(status));
  });
  afterEach(async () => {
    await desktop.close();
    core.dispose();
  });

  it('saves the AI provider without touching the sync', () => {
    const view = desktop.settings.setAi({ baseURL: 'http://127.0.0.1:9/v1', model: 'local-model', apiKey: 'sk-test' });
    expect(view.ai).toEqual({ baseURL: 'http://127.0.0.1:9/v1', model: 'local-model', hasApiKey: true });
    expect(desktop.settings.clearAi().ai).toBeNull();
    expect(statuses).toEqual([]);
  });

  it('reconnects the sync when the central connection is saved, and disconnects it when cleared', async () => {
    // Port 1 on loopback: nothing listens, and nothing connects until a sync runs.
    await desktop.settings.setCentral({ url: 'postgres://coord@127.0.0.1:1/coordinator' });
    expect(statuses.at(-1)).toMatchObject({ configured: true, state: 'idle' });
    await desktop.settings.clearCentral();
    expect(statuses.at(-1)).toMatchObject({ configured: false });
    expect(desktop.sync.status().configured).toBe(false);
  });

  it('forgets the last CRM reconcile when the CRM connection is removed', () => {
    desktop.settings.setCrm({ url: 'mysql://perfex@127.0.0.1:1/perfex' });
    desktop.settings.clearCrm();
    expect(statuses.at(-1)).toMatchObject({ crm: null });
    expect(desktop.settings.get().crm).toBeNull();
  });

  it('serves the Settings channels from the same services the window uses', async () => {
    const handlers = createHandlers(core, { desktop });
    const saved = await dispatch(handlers, 'settings.setAi', { baseURL: 'http://127.0.0.1:9/v1', model: 'local-model' });
    expect(saved).toMatchObject({ ok: true, value: { ai: { model: 'local-model', hasApiKey: false } } });
    expect(desktop.settings.get().ai?.model).toBe('local-model');
    const bad = await dispatch(handlers, 'settings.setAi', { model: '' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});
