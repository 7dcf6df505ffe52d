/**
 * Issue 14 §6–7 in the window: the first launch of a laptop joining a team, through the built
 * renderer in Chromium against a real core and a real PostgreSQL server that checks passwords
 * (a private cluster: the shared test server trusts every local connection). People are given
 * access the way an administrator does it (core/admin).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateCluster, type PrivateCluster } from '../support/sync-fault-pgcluster';
import { seedTeam, TEAM_PASSWORD } from '../support/team';
import { startApp, type AppHarness } from './harness';

let cluster: PrivateCluster;
let admin: pg.Client;
let server: string;
const apps: AppHarness[] = [];

beforeAll(async () => {
  cluster = await startPrivateCluster({ passwords: true });
  const url = new URL(await cluster.createCentral());
  admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await seedTeam(admin);
  url.username = '';
  server = url.toString();
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await admin?.end().catch(() => undefined);
  cluster?.destroy();
});

/** A new laptop: a fresh replica and window. */
const laptop = async () => {
  const app = await startApp();
  apps.push(app);
  return app;
};

/** Fills the connect form (Welcome or Settings) and presses Test connection. */
async function testConnection(app: AppHarness, who: { server?: string; login: string; password?: string }) {
  const { page } = app;
  await page.getByTestId('team-server').fill(who.server ?? server);
  await page.getByTestId('team-login').fill(who.login);
  await page.getByTestId('team-password').fill(who.password ?? TEAM_PASSWORD);
  await page.getByTestId('team-test').click();
}

describe('first launch: joining a team', () => {
  it('Welcome → Connect: every refusal is said in words and changes nothing; then the person joins and sees the team\'s tasks; signing out sends pending work first', { timeout: 240_000 }, async () => {
    const app = await laptop();
    const { page, core } = app;
    await page.goto(app.url);
    await page.getByTestId('welcome').waitFor();
    await page.getByTestId('connect-team-button').click();
    await page.getByTestId('team-connect').waitFor();

    // --- (c) Refusals: each in words, nothing saved, nothing synced.
    const refusals: [string, { server?: string; login: string; password?: string }, RegExp][] = [
      ['wrong password', { login: 'mia', password: 'not-her-password' }, /refused the password for the login "mia": check it/],
      ['unknown login', { login: 'nobody' }, /refused the password for the login "nobody"/],
      ['revoked login', { login: 'rex' }, /refused the password for the login "rex"|may no longer log in/],
      ['login with no Coordinator user', { login: 'stray' }, /The login stray has no access to Coordinator on this server.*Ask your administrator for access/],
      ['unreachable server', { server: 'postgres://127.0.0.1:1/coordinator', login: 'mia' }, /Could not reach the server at 127\.0\.0\.1:1\/coordinator: check the address and port/],
    ];
    for (const [what, who, message] of refusals) {
      await testConnection(app, who);
      const error = page.getByTestId('team-error');
      await expect.poll(() => error.count(), { timeout: 30_000 }).toBe(1);
      expect(await error.innerText(), what).toMatch(message);
      expect(await page.getByTestId('team-preview').count(), what).toBe(0);
      expect(app.settings.get().central, what).toBeNull();
      expect(core.sync.state.central(), what).toBeNull();
    }
    await app.screenshot('first-launch-refused');

    // --- (a) The right login, with the keyboard: Enter tests, the server says who this is.
    await page.getByTestId('team-server').fill(server);
    await page.getByTestId('team-login').fill('mia');
    await page.getByTestId('team-password').fill(TEAM_PASSWORD);
    await page.getByTestId('team-password').press('Enter');
    const whoami = page.getByTestId('team-whoami');
    await whoami.waitFor({ timeout: 30_000 });
    expect(await whoami.innerText()).toMatch(/says you are Mia Team \(mia@example\.com\), member, login mia\./);
    expect(await page.getByTestId('team-error').count()).toBe(0);
    // A fresh laptop has nothing to choose about.
    expect(await page.getByTestId('first-connect-choice').count()).toBe(0);
    expect(app.settings.get().central).toBeNull();
    await app.screenshot('first-launch-whoami');

    await page.getByTestId('team-password').press('Enter');
    const done = page.getByTestId('team-done-message');
    await done.waitFor({ timeout: 60_000 });
    expect(await done.innerText()).toMatch(/^Signed in as Mia Team \(login mia\) on 127\.0\.0\.1:\d+\/coord_private_1\. Downloaded the team's data/);
    await page.getByTestId('team-done-continue').click();
    await page.getByTestId('nav-all-tasks').click();
    await page.getByText('Prepare the launch checklist').first().waitFor({ timeout: 30_000 });
    expect(app.sync.status()).toMatchObject({ configured: true, signedIn: { login: 'mia' }, needsChoice: false });

    // --- (e) Sign out: the pending change is sent first; the app starts over, the old file stays.
    const task = core.tasks.create({ title: `Written before signing out ${Date.now()}` });
    await page.getByTestId('nav-settings').click();
    expect(await page.getByTestId('team-signed-in').innerText()).toMatch(/^Signed in as Mia Team \(mia\) on 127\.0\.0\.1:\d+\/coord_private_1$/);
    await page.getByTestId('team-sign-out').click();
    const explanation = page.getByTestId('sign-out-explanation');
    await expect.poll(() => explanation.innerText()).toMatch(/^Your 1 unsynced change will be sent to the server first\./);
    await app.screenshot('first-launch-sign-out');
    await page.getByTestId('sign-out-confirm').click();
    await page.getByTestId('welcome').waitFor({ timeout: 60_000 });
    const notice = await page.getByTestId('welcome-notice').innerText();
    expect(notice).toMatch(/^Signed out after sending 1 change\. This laptop's data is kept in .*coordinator\.signed-out-.*\.db\.$/);
    expect((await admin.query('SELECT title FROM tasks WHERE id = $1', [task.id])).rows).toEqual([{ title: task.title }]);
    const movedTo = notice.replace(/^.* is kept in /, '').replace(/\.$/, '');
    expect(existsSync(movedTo)).toBe(true);
    const aside = new Database(movedTo, { readonly: true });
    try {
      expect(aside.prepare('SELECT title FROM tasks WHERE id = ?').get(task.id)).toEqual({ title: task.title });
    } finally {
      aside.close();
    }
    expect(core.isEmpty()).toBe(true);
    expect(app.settings.get().central).toBeNull();
    expect(app.problems).toEqual([]);
  });

  it('(b) a laptop with local work: the choice shows the counts; "start from the team\'s data" keeps the work in a file', { timeout: 180_000 }, async () => {
    const app = await laptop();
    const { page, core } = app;
    const mine = core.projects.create({ name: 'My own plans' });
    core.tasks.create({ title: 'Draft the budget', projectId: mine.id });
    core.tasks.create({ title: 'Call the venue', projectId: mine.id });
    await page.goto(app.url);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-connect-team').click();
    await testConnection(app, { login: 'ben' });
    await page.getByTestId('team-whoami').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('first-connect-summary').innerText()).toBe('This laptop holds 1 project and 2 tasks that no team has seen yet. What should happen to it?');
    // Join waits for the choice.
    expect(await page.getByTestId('team-join').isDisabled()).toBe(true);
    await page.getByTestId('choice-start-fresh').check();
    await app.screenshot('first-launch-choice');
    await page.getByTestId('team-join').click();
    const done = page.getByTestId('team-done-message');
    await done.waitFor({ timeout: 60_000 });
    const message = await done.innerText();
    expect(message).toMatch(/^Signed in as Ben Team \(login ben\) on .*Your earlier work on this laptop \(1 project and 2 tasks\) is kept in .*coordinator\.before-joining-.*\.db: not uploaded, not deleted\./);
    const file = readdirSync(core.dir).find((f) => /^coordinator\.before-joining-.*\.db$/.test(f));
    expect(file).toBeDefined();
    const aside = new Database(path.join(core.dir, file!), { readonly: true });
    try {
      expect(aside.prepare('SELECT title FROM tasks ORDER BY title').all()).toEqual([{ title: 'Call the venue' }, { title: 'Draft the budget' }]);
    } finally {
      aside.close();
    }
    await page.getByTestId('team-done-continue').click();
    await page.getByTestId('nav-projects').waitFor({ timeout: 30_000 });
    await page.getByTestId('nav-projects').click();
    await page.getByText('Team launch').first().waitFor({ timeout: 30_000 });
    expect(await page.getByText('My own plans').count()).toBe(0);
    expect((await admin.query('SELECT 1 FROM projects WHERE id = $1', [mine.id])).rows).toEqual([]);
    expect(app.problems).toEqual([]);
  });

  it('(d) Work locally for now, then Settings → Connect; (b) "upload" sends the work in the signed-in person\'s name', { timeout: 180_000 }, async () => {
    const app = await laptop();
    const { page, core } = app;
    await page.goto(app.url);
    await page.getByTestId('start-empty-button').click();
    await page.getByTestId('nav-settings').waitFor();
    await expect.poll(() => page.getByTestId('sync-status').innerText()).toContain('Local only');
    const project = core.projects.create({ name: `Made while working locally ${Date.now()}` });

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-connect-team').click();
    await testConnection(app, { login: 'ben' });
    await page.getByTestId('team-whoami').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('first-connect-summary').innerText()).toMatch(/^This laptop holds 1 project that no team has seen yet\./);
    await page.getByTestId('choice-upload').check();
    await page.getByTestId('team-join').click();
    const done = page.getByTestId('team-done-message');
    await done.waitFor({ timeout: 60_000 });
    expect(await done.innerText()).toMatch(/Uploaded 1 project to the team \(\d+ changes?\), now in your name\./);
    const { rows } = await admin.query<{ username: string }>('SELECT u.username FROM projects p JOIN users u ON u.id = p.created_by WHERE p.id = $1', [project.id]);
    expect(rows).toEqual([{ username: 'ben' }]);
    await page.getByTestId('team-done-continue').click();
    await page.getByTestId('nav-settings').waitFor({ timeout: 30_000 });
    await page.getByTestId('nav-settings').click();
    await expect.poll(() => page.getByTestId('team-signed-in').innerText()).toMatch(/^Signed in as Ben Team \(ben\)/);
    expect(app.sync.status()).toMatchObject({ pending: 0, signedIn: { login: 'ben' } });
    expect(app.problems).toEqual([]);
  });

  it('(e) sign out while the server cannot be reached: refused with the count, then "Sign out anyway"', { timeout: 180_000 }, async () => {
    const app = await laptop();
    const { page, core } = app;
    await page.goto(app.url);
    await page.getByTestId('connect-team-button').click();
    await testConnection(app, { login: 'mia' });
    await page.getByTestId('team-join').click();
    await page.getByTestId('team-done-continue').click({ timeout: 60_000 });
    // The server's address changes under the laptop: nothing can be sent any more.
    await app.settings.setCentral({ url: 'postgres://mia@127.0.0.1:1/coordinator', keepPassword: false });
    core.tasks.create({ title: 'Stuck on this laptop' });
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('team-sign-out').click();
    await page.getByTestId('sign-out-confirm').click();
    const dialog = page.getByTestId('sign-out-dialog');
    await dialog.getByTestId('error-banner').waitFor({ timeout: 60_000 });
    const pending = app.sync.status().pending;
    expect(await dialog.getByTestId('error-banner').innerText()).toMatch(new RegExp(`${pending} changes? could not be sent to 127\\.0\\.0\\.1:1/coordinator .*only in the moved-aside file`));
    expect(core.isEmpty()).toBe(false);
    await page.getByTestId('sign-out-force').click();
    await page.getByTestId('welcome').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('welcome-notice').innerText()).toMatch(new RegExp(`${pending} changes? that could not be sent stay only in that file`));
    expect(core.isEmpty()).toBe(true);
    expect(app.problems).toEqual([]);
  });
});
