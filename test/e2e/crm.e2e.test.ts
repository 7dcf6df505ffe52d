import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCrm, type TempCrm } from '../support/crm';
import { tempCentral } from '../support/pg';
import { startApp, type AppHarness } from './harness';

/**
 * Settings → Perfex CRM: the connection is tested, saved with its password encrypted, and the
 * reconcile that follows brings the CRM's work to this laptop and says so.
 */
describe('CRM settings end to end', () => {
  let app: AppHarness;
  let central: Awaited<ReturnType<typeof tempCentral>>;
  let crm: TempCrm;
  const login = `coord_e2e_${process.pid}`;
  const secret = `Crm-${process.pid}-Secret`;

  beforeAll(async () => {
    central = await tempCentral();
    crm = await tempCrm();
    const staff = await crm.addStaff({ email: 'maria@example.com', firstname: 'Maria', lastname: 'Garcia', admin: 1 });
    const project = await crm.addProject({ name: 'CRM website project' });
    await crm.addTask({ name: 'Task that lives in the CRM', project, assignees: [staff] });
    // A login with a password, so the test can see it stored encrypted.
    await crm.exec(`CREATE USER IF NOT EXISTS '${login}'@'%' IDENTIFIED BY '${secret}'`);
    await crm.exec(`CREATE USER IF NOT EXISTS '${login}'@'localhost' IDENTIFIED BY '${secret}'`);
    await crm.exec(`GRANT ALL ON \`${crm.database}\`.* TO '${login}'@'%'`);
    await crm.exec(`GRANT ALL ON \`${crm.database}\`.* TO '${login}'@'localhost'`);
    app = await startApp();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await crm?.exec(`DROP USER IF EXISTS '${login}'@'%', '${login}'@'localhost'`).catch(() => undefined);
    await crm?.drop();
    await central?.drop();
  });

  it('tests, saves and reconciles a CRM connection', { timeout: 120_000 }, async () => {
    const { page, core } = app;
    core.demo.seed();
    await app.settings.setCentral({ url: central.url });
    // The demo reaches the team only when the person says so (the first-connect choice).
    await app.sync.syncWith({ firstConnect: 'upload' });
    await page.goto(app.url);
    await page.getByTestId('nav-settings').click();

    const form = page.getByTestId('crm-settings-form');
    await form.waitFor();
    await page.getByTestId('crm-url').fill('mysql://perfex:Pa55word@crm.example.com/perfex');
    await page.getByTestId('crm-test').click();
    await form.getByText(/Refusing to send a password in clear text/).waitFor();

    await page.getByTestId('crm-url').fill(crm.url.replace('mysql://root@', `mysql://${login}@`));
    await page.getByTestId('crm-password').fill(secret);
    await page.getByTestId('crm-test').click();
    await expect.poll(() => page.getByTestId('crm-test-result').innerText()).toContain(crm.database);
    await page.getByTestId('crm-save').click();
    await page.getByTestId('crm-clear').waitFor();

    const onDisk = readFileSync(path.join(core.dir, 'settings.json'), 'utf8');
    expect(onDisk).toContain(crm.database);
    expect(onDisk).not.toContain(secret);

    await expect.poll(() => JSON.stringify(app.sync.status().crm), { timeout: 60_000 }).toMatch(/imported/);
    // Saving reconciles in the background; Sync now pulls what the CRM brought in.
    await expect.poll(async () => (await page.getByTestId('crm-last-run').count()) > 0 && (await page.getByTestId('crm-last-run').innerText()), { timeout: 60_000 }).toMatch(/imported [1-9]/);
    await expect.poll(async () => {
      await app.sync.syncNow().catch(() => undefined);
      return core.tasks.list({ text: 'lives in the CRM' }).length;
    }, { timeout: 60_000 }).toBe(1);
    await app.screenshot('settings-crm');
    expect(app.problems).toEqual([]);
  });
});
