import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppHarness } from './harness';

const require = createRequire(import.meta.url);
const AXE_SOURCE: string = (require('axe-core') as { source: string }).source;
type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** axe over WCAG 2.x A/AA and best practices (as a11y.e2e does), serious and critical findings only. */
async function seriousViolations(page: Page, scope = 'html'): Promise<string[]> {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (selector) => {
    const w = window as unknown as { axe: { run(ctx: Element, opts: object): Promise<{ violations: AxeViolation[] }> } };
    const r = await w.axe.run(document.querySelector(selector)!, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  }, scope);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Insights and the status report preview in the built renderer against a real core: charts with
 * their numbers as tables, the report preview with an editable summary and export, axe in light
 * and dark themes, and screenshots of both.
 */
describe('insights and status reports', () => {
  let app: AppHarness;
  let projectId: string;

  beforeAll(async () => {
    app = await startApp();
    app.core.demo.seed();
    const project = app.core.projects.list().find((p) => p.name === 'Website Relaunch')!;
    projectId = project.id;
    // Some movement today, so throughput and cycle time have data.
    const open = app.core.tasks.list({ projectId, status: ['todo', 'in_progress'] });
    for (const t of open.slice(0, 3)) {
      if (t.status === 'todo') app.core.tasks.update({ id: t.id, status: 'in_progress' });
      app.core.tasks.update({ id: t.id, status: 'done' });
    }
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('shows every chart for a project, with the same numbers as the core in its tables', { timeout: 120_000 }, async () => {
    const { page, core } = app;
    await page.goto(app.url);
    await page.getByTestId('nav-insights').click();
    await page.getByTestId('chart-burndown').waitFor();
    await page.getByTestId('insights-project').selectOption(projectId);
    await expect.poll(() => page.locator('.view-subtitle').innerText()).toBe('Website Relaunch');
    for (const id of ['burndown', 'flow', 'throughput', 'cycle', 'overdue', 'workload']) {
      expect(await page.getByTestId(`chart-${id}`).locator('svg').count(), id).toBe(1);
    }
    const from = await page.getByTestId('insights-from').inputValue();
    const to = await page.getByTestId('insights-to').inputValue();
    const expected = core.insights.compute({ projectId, from, to });
    const burndown = page.getByTestId('chart-burndown');
    await burndown.locator('summary').click();
    const lastRow = burndown.locator('tbody tr').last();
    expect(await lastRow.locator('td').allInnerTexts()).toEqual([to, String(expected.burndown.at(-1)!.openTasks), String(expected.burndown.at(-1)!.idealTasks ?? '–'), String(expected.burndown.at(-1)!.openHours), String(expected.burndown.at(-1)!.idealHours ?? '–')]);
    const throughput = page.getByTestId('chart-throughput');
    await throughput.locator('summary').click();
    expect(await throughput.locator('tbody tr').last().locator('td').last().innerText()).toBe(String(expected.throughput.at(-1)!.done));
    expect(expected.throughput.at(-1)!.done).toBe(3);
    // Charts are keyboard-reachable images with a name.
    const svgBox = burndown.locator('.insights-svg');
    expect(await svgBox.getAttribute('tabindex')).toBe('0');
    expect(await svgBox.getAttribute('aria-label')).toContain('Burndown');
    await expect.poll(() => page.getByTestId('insights-forecast').locator('tbody tr').count()).toBe(1);

    // A filter change re-renders from the new range.
    await page.getByTestId('insights-from').fill(to);
    await expect.poll(() => burndown.locator('tbody tr').count()).toBe(1);
    await page.getByTestId('insights-from').fill(from);
    await expect.poll(() => burndown.locator('tbody tr').count()).toBe(expected.burndown.length);

    expect(await seriousViolations(page)).toEqual([]);
    await app.screenshot('insights');
    expect(app.problems).toEqual([]);
  });

  it('previews the week\'s status report, takes an edited summary, and exports it', { timeout: 120_000 }, async () => {
    const { page, core } = app;
    await page.getByTestId('report-body').waitFor();
    const week = await page.getByTestId('report-week').inputValue();
    const report = core.reports.build({ projectId, week });
    expect(await page.getByTestId('report-summary').inputValue()).toBe(report.summary.text);
    expect(await page.getByTestId('report-figures').innerText()).toContain(`Done this week: ${report.figures.doneThisWeek} · Open: ${report.figures.openTasks} tasks`);
    for (const h of ['Summary', 'Done this week', 'Slipped', 'At risk', 'Blockers', 'Forecast']) {
      expect(await page.getByTestId('report-body').getByRole('heading', { name: h, exact: true }).count(), h).toBe(1);
    }
    await page.getByTestId('report-preview').scrollIntoViewIfNeeded();
    await app.screenshot('report-preview');

    // Offline (no assistant configured): the draft is the template, with the reason shown.
    await page.getByTestId('report-draft').click();
    await expect.poll(() => page.getByTestId('report-summary-note').innerText()).toContain('No assistant');

    await page.getByTestId('report-summary').fill('Launch prep is on course; signage is the watch item.');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-export-md').click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(download.suggestedFilename()).toBe(`Website-Relaunch-${week}.md`);
    expect(text).toContain('## Summary\n\nLaunch prep is on course; signage is the watch item.');
    expect(text).toContain(`Done this week: ${report.figures.doneThisWeek}`);

    // In this harness there is no Electron printer: PDF says so in one line instead of failing silently.
    await page.getByTestId('report-export-pdf').click();
    await expect.poll(() => page.getByTestId('report-preview').locator('[role="alert"], .banner-error').first().innerText()).toContain('PDF export is not available');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('is readable in the dark theme: screenshots and axe', { timeout: 120_000 }, async () => {
    const { page } = app;
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('theme-dark').check();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByTestId('nav-insights').click();
    await page.getByTestId('insights-project').selectOption(projectId);
    await page.getByTestId('report-body').waitFor();
    // The whole window, sidebar badges included (their dark-theme contrast was once too low).
    expect(await seriousViolations(page)).toEqual([]);
    await app.screenshot('insights-dark');
    await page.getByTestId('report-preview').scrollIntoViewIfNeeded();
    await app.screenshot('report-preview-dark');
  });
});
