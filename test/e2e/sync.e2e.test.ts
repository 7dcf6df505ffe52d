import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCentral } from '../support/pg';
import { startApp, type AppHarness } from './harness';

/**
 * Settings → central PostgreSQL → Sync now → a text conflict → Restore, through the built
 * renderer against a real core and a fresh migrated central database.
 */
describe('Coordinator sync UI end to end', () => {
  let app: AppHarness;
  let central: Awaited<ReturnType<typeof tempCentral>>;

  beforeAll(async () => {
    central = await tempCentral();
    app = await startApp();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await central?.drop();
  });

  it('connects a central database, syncs, and restores a lost description', { timeout: 180_000 }, async () => {
    const { page, core } = app;
    core.demo.seed();
    const status = page.getByTestId('sync-status');

    await page.goto(app.url);
    await page.getByTestId('nav-my-tasks').waitFor();
    await expect.poll(() => status.innerText()).toContain('Local only');
    expect(await page.getByTestId('sync-now').count()).toBe(0);

    // --- Settings: validation next to the field, then a real connection test and save.
    await page.getByTestId('nav-settings').click();
    const urlInput = page.getByTestId('settings-url');
    await urlInput.waitFor();
    await urlInput.fill('not a database url');
    await page.getByTestId('settings-save').click();
    await page.getByText('must be a postgres:// URL').waitFor();

    await urlInput.fill(central.url);
    await page.getByTestId('settings-allow-plaintext').check();
    await page.getByTestId('settings-plaintext-warning').waitFor();
    await page.getByTestId('settings-allow-plaintext').uncheck();
    await page.getByTestId('settings-test').click();
    const target = page.getByTestId('settings-test-result');
    await target.waitFor();
    expect(await target.innerText()).toContain(`127.0.0.1:5432/${central.name}`);
    await app.screenshot('settings');

    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-clear').waitFor();
    expect(app.settings.get().central?.url).toContain(central.name);

    // --- Sync now: everything the replica holds reaches the central database.
    const syncNow = page.getByTestId('sync-now');
    /** Presses Sync now (waiting for any run to finish) until `done` holds. */
    const syncUntil = async (done: () => boolean | Promise<boolean>) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        await syncNow.click();
        await expect.poll(() => syncNow.isEnabled(), { timeout: 60_000 }).toBe(true);
        if (await done()) return;
        if (Date.now() > deadline) throw new Error('sync did not reach the expected state in time');
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    await syncNow.waitFor();
    await syncNow.click();
    // The demo is work no team has seen: the first sync waits for the person's choice.
    const choice = page.getByTestId('sync-choice');
    await choice.waitFor({ timeout: 60_000 });
    expect(await status.innerText()).toContain('Choose how to join');
    expect(await choice.getByTestId('first-connect-summary').innerText()).toMatch(/^This laptop holds the demo organisation \(.* projects?, .* tasks? and .* comments?\) that no team has seen yet\./);
    expect((await central.query('SELECT count(*)::int AS n FROM tasks')).rows[0]).toEqual({ n: 0 });
    await app.screenshot('sync-choice');
    await choice.getByTestId('choice-upload').check();
    await choice.getByTestId('sync-choice-continue').click();
    await expect.poll(() => page.getByTestId('sync-choice').count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => status.innerText(), { timeout: 60_000 }).toMatch(/Synced/);
    const localTasks = core.tasks.count();
    expect(localTasks).toBeGreaterThan(0);
    const { rows: counted } = await central.query<{ n: string }>('SELECT count(*) AS n FROM tasks');
    expect(Number(counted[0]!.n)).toBe(localTasks);
    expect(app.sync.status().pending).toBe(0);

    // --- A conflict: the same description changed here and on the server meanwhile.
    const task = core.tasks.list({ limit: 1 })[0]!;
    const localText = `Local notes ${Date.now()}`;
    core.tasks.update({ id: task.id, description: localText });
    await expect.poll(() => status.innerText()).toMatch(/1 change pending/);
    await central.query('UPDATE tasks SET description = $2 WHERE id = $1', [task.id, 'server text']);

    // The server hands a replica its lost conflicts once no older transaction on the cluster is
    // still open (other databases share the xid horizon), so press Sync now until it arrives.
    await syncUntil(() => core.sync.conflicts.openCount() === 1);
    await expect.poll(() => page.getByTestId('conflicts-badge').count()).toBe(1);
    expect(await page.getByTestId('conflicts-badge').innerText()).toBe('1');
    await expect.poll(() => status.innerText()).toMatch(/Synced/);
    expect(core.tasks.get(task.id).description).toBe('server text');

    await page.getByTestId('nav-conflicts').click();
    const item = page.getByTestId('conflict-item');
    await expect.poll(() => item.count()).toBe(1);
    const text = await item.innerText();
    expect(text).toContain('Your description was kept as a copy because someone else changed it meanwhile');
    expect(text).toContain(task.title);
    expect(await item.getByTestId('conflict-losing').innerText()).toBe(localText);
    expect(await item.getByTestId('conflict-winning').innerText()).toBe('server text');
    await app.screenshot('conflicts');

    await item.getByTestId('conflict-restore').click();
    await page.getByText('No conflicts').waitFor();
    expect(core.tasks.get(task.id).description).toBe(localText);
    await expect.poll(() => page.getByTestId('conflicts-badge').count()).toBe(0);

    const centralDescription = async () => (await central.query<{ description: string | null }>('SELECT description FROM tasks WHERE id = $1', [task.id])).rows[0]?.description;
    await syncUntil(async () => (await centralDescription()) === localText);
    await expect.poll(() => status.innerText()).toMatch(/Synced/);
    await expect.poll(() => status.innerText()).not.toMatch(/pending/);

    // --- Disconnect: back to local only.
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-clear').click();
    await expect.poll(() => status.innerText()).toContain('Local only');
    expect(app.settings.get().central).toBeNull();

    expect(app.problems).toEqual([]);
  });
});
