/**
 * Issue 12 §1/§2, desktop side: the desktop sync's refusal of another central database is
 * machine-readable, and `sync.join` joins it — also when the button is pressed while a background
 * run (which would refuse) is still going.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDesktop, type Desktop } from '../../../core/desktop/desktop';
import { dispatch } from '../../../core/ipc/dispatch';
import { createHandlers } from '../../../core/ipc/handlers';
import { createEphemeralSecretStore } from '../../../core/settings/secrets';
import { tempCore } from '../../support/core';
import { tempCentral } from '../../support/pg';

type Central = Awaited<ReturnType<typeof tempCentral>>;

describe('desktop sync: joining another central database', () => {
  let core: ReturnType<typeof tempCore>;
  let desktop: Desktop;
  let serverA: Central;
  let serverB: Central;

  beforeEach(async () => {
    [serverA, serverB] = await Promise.all([tempCentral(), tempCentral()]);
    core = tempCore();
    core.demo.seed();
    desktop = openDesktop(core, { settingsFile: path.join(core.dir, 'settings.json'), secrets: createEphemeralSecretStore(), autoStartSync: false });
    await desktop.start();
    await desktop.settings.setCentral({ url: serverA.url });
    // The demo is local work no team has seen: the person chooses to upload it on the first sync.
    await desktop.team.choose({ choice: 'upload' });
    await desktop.settings.setCentral({ url: serverB.url });
  }, 60_000);
  afterEach(async () => {
    await desktop.close();
    core.dispose();
    await serverA.drop();
    await serverB.drop();
  });

  it('a refused sync says needsJoin, names no CLI flag, and sync.join joins', { timeout: 60_000 }, async () => {
    await expect(desktop.sync.syncNow()).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/belongs to another central database/) });
    const refused = desktop.sync.status();
    expect(refused).toMatchObject({ state: 'error', needsJoin: true });
    expect(refused.lastError).not.toMatch(/--join/);

    const handlers = createHandlers(core, { desktop });
    const joined = await dispatch(handlers, 'sync.join', undefined);
    expect(joined).toMatchObject({ ok: true, value: { message: expect.stringMatching(/^Joined the central database/) } });
    expect(desktop.sync.status()).toMatchObject({ state: 'idle', needsJoin: false, lastError: null, identityNotice: expect.stringMatching(/^Joined/) });

    // Joined once; the next ordinary sync is just a sync.
    await desktop.sync.syncNow();
    expect(desktop.sync.status()).toMatchObject({ state: 'idle', needsJoin: false });
  });

  it('a join pressed while a refused run is still going waits for it and then joins', { timeout: 60_000 }, async () => {
    const ordinary = desktop.sync.syncNow();
    const join = desktop.sync.joinNow();
    await expect(ordinary).rejects.toMatchObject({ message: expect.stringMatching(/another central database/) });
    await expect(join).resolves.toMatchObject({ message: expect.stringMatching(/^Joined the central database/) });
    expect(desktop.sync.status()).toMatchObject({ state: 'idle', needsJoin: false });
  });
});
