import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppHarness } from './harness';

/** About / Health in the built renderer against a real core: the doctor report, as the CLI gives it. */
describe('About / Health screen', () => {
  let app: AppHarness;
  beforeAll(async () => {
    app = await startApp();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('shows every local check, the sync backlog and the table counts', { timeout: 120_000 }, async () => {
    const { page, core } = app;
    core.demo.seed();
    await page.goto(app.url);
    await page.getByTestId('nav-health').click();
    await page.getByTestId('health-report').waitFor();
    await expect.poll(() => page.getByTestId('health-summary').innerText()).toMatch(/Everything checks out/);
    const checks = await page.getByTestId('health-check').allInnerTexts();
    expect(checks.some((c) => c.includes('local.integrity'))).toBe(true);
    expect(checks.length).toBeGreaterThan(10);
    expect(await page.getByTestId('health-sync').innerText()).toContain(`${core.sync.outbox.pendingCount()} pending`);
    await app.screenshot('health');

    // A failed sync shows up as a failed check after "Check again".
    core.sync.state.setLastError('The central database cannot be reached');
    await page.getByTestId('health-recheck').click();
    await expect.poll(() => page.getByTestId('health-summary').innerText()).toMatch(/1 problem/);
    expect(await page.locator('[data-testid="health-check"][data-ok="false"]').innerText()).toContain('sync.health');
    expect(app.problems).toEqual([]);
  });
});
