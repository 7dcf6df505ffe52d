import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCentral } from '../support/pg';
import { startApp, type AppHarness } from './harness';

type Central = Awaited<ReturnType<typeof tempCentral>>;

/**
 * Issue 12 §1/§2 on the desktop: a laptop that synced with one Coordinator server is pointed at
 * another. The app refuses to mix them, explains what joining does, and joins on request — with
 * the person's unsynced work sent to the new server, not lost.
 */
describe('Joining another central database from the desktop', () => {
  let app: AppHarness;
  let serverA: Central;
  let serverB: Central;

  beforeAll(async () => {
    [serverA, serverB] = await Promise.all([tempCentral(), tempCentral()]);
    app = await startApp();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await serverA?.drop();
    await serverB?.drop();
  });

  /** Points Settings → Central database at `server` and saves. */
  const pointSettingsAt = async (server: Central) => {
    const { page } = app;
    await page.getByTestId('nav-settings').click();
    const urlInput = page.getByTestId('settings-url');
    await urlInput.waitFor();
    await urlInput.fill(server.url);
    await page.getByTestId('settings-save').click();
    await expect.poll(() => app.settings.get().central?.url ?? '').toContain(server.name);
  };

  it('explains the other server, offers "Join this server", and sends the unsynced change there', { timeout: 180_000 }, async () => {
    const { page, core } = app;
    core.demo.seed();
    const status = page.getByTestId('sync-status');
    const syncNow = page.getByTestId('sync-now');
    await page.goto(app.url);
    await page.getByTestId('nav-my-tasks').waitFor();

    // --- This laptop belongs to server A.
    await pointSettingsAt(serverA);
    await syncNow.click();
    // The demo is work no team has seen: the person chooses to upload it on the first sync.
    await page.getByTestId('sync-choice').waitFor({ timeout: 60_000 });
    await page.getByTestId('choice-upload').check();
    await page.getByTestId('sync-choice-continue').click();
    await expect.poll(() => page.getByTestId('sync-choice').count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => status.innerText(), { timeout: 60_000 }).toMatch(/Synced/);
    expect(app.sync.status().pending).toBe(0);

    // --- Work made while not synced, then Settings point at server B.
    const projectName = `Made before joining ${Date.now()}`;
    core.projects.create({ name: projectName });
    await expect.poll(() => status.innerText()).toMatch(/1 change pending/);
    // The person has an account on B too (the same user row), so B can take what they made.
    const me = core.session.currentUserId!;
    const { rows: user } = await serverA.query<{ row: unknown }>('SELECT row_to_json(u) AS row FROM users u WHERE id = $1', [me]);
    const { rows: columns } = await serverB.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'users' AND is_generated = 'NEVER'`,
    );
    const list = columns.map((c) => `"${c.name}"`).join(', ');
    await serverB.query(`INSERT INTO users (${list}) SELECT ${list} FROM json_populate_record(NULL::users, $1)`, [JSON.stringify(user[0]!.row)]);

    await pointSettingsAt(serverB);
    await syncNow.click();
    const panel = page.getByTestId('sync-join');
    await panel.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('sync-join-explanation').innerText()).toBe(
      'This laptop’s data belongs to another Coordinator server. Joining this server rebuilds your local data from it and sends your 1 unsynced change to it.',
    );
    expect(app.sync.status()).toMatchObject({ state: 'error', needsJoin: true, pending: 1 });
    // The desktop's words name no command-line flag.
    expect(app.sync.status().lastError).not.toMatch(/--join/);
    // Refused means nothing was sent.
    expect((await serverB.query('SELECT name FROM projects')).rows).toEqual([]);
    await app.screenshot('sync-join');

    // --- Cancel first: nothing happens.
    const joinButton = page.getByTestId('sync-join-button');
    await joinButton.click();
    await page.getByTestId('sync-join-cancel').click();
    await joinButton.waitFor();
    expect(app.sync.status().needsJoin).toBe(true);

    // --- Join, with the keyboard: the button, then the confirmation (focused when it appears).
    await joinButton.focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByTestId('sync-join-confirm');
    await confirm.waitFor();
    await expect.poll(() => confirm.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');

    await expect.poll(() => panel.count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => status.innerText(), { timeout: 60_000 }).toMatch(/Synced/);
    expect(await page.getByTestId('sync-notice').innerText()).toMatch(/Joined the central database/);
    await page.getByTestId('sync-notice-dismiss').click();
    await expect.poll(() => page.getByTestId('sync-notice').count()).toBe(0);
    expect(app.sync.status()).toMatchObject({ state: 'idle', needsJoin: false, pending: 0, rejected: 0, lastError: null });
    const { rows: onB } = await serverB.query<{ name: string }>('SELECT name FROM projects');
    expect(onB.map((r) => r.name)).toEqual([projectName]);
    // Server A never got it: the change went only to the server this laptop now belongs to.
    expect((await serverA.query('SELECT 1 FROM projects WHERE name = $1', [projectName])).rows).toEqual([]);

    // --- From now on B is this laptop's server: an ordinary sync works.
    await syncNow.click();
    await expect.poll(() => syncNow.isEnabled(), { timeout: 60_000 }).toBe(true);
    expect(app.sync.status()).toMatchObject({ state: 'idle', needsJoin: false });
    expect(app.problems).toEqual([]);
  });
});
