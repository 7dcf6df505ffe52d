import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppHarness } from './harness';

/**
 * Semantic memory in the built renderer against a real core with the bundled local model:
 * Ctrl+K (the command palette's semantic results) grouped by type with highlights, opening a result (and counting the access),
 * "Similar tasks" in the detail panel, possible duplicates while creating a task.
 */
describe('semantic search UI', () => {
  let app: AppHarness;
  beforeAll(async () => {
    app = await startApp();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('Ctrl+K finds by meaning, groups and highlights, and opens the task', { timeout: 120_000 }, async () => {
    const { page, core } = app;
    core.demo.seed();
    await page.goto(app.url);
    await page.getByTestId('new-task-button').waitFor();
    await page.keyboard.press('Control+k');
    const input = page.getByTestId('palette-input');
    await input.waitFor();
    await input.fill('invoice layout breaks');
    await page.getByTestId('search-group-task').waitFor();
    await page.getByTestId('search-group-comment').waitFor();
    const marks = await page.locator('[data-testid="search-group-task"] mark').allInnerTexts();
    expect(marks.map((m) => m.toLowerCase())).toEqual(expect.arrayContaining(['invoice', 'layout']));
    await app.screenshot('search');

    const first = page.locator('[data-testid="search-group-task"] [data-testid="search-result"]').first();
    const text = await first.innerText();
    // Enter runs the palette's highlighted item (fuzzy matches come first), so pick the result itself.
    await first.click();
    await page.getByTestId('task-detail').waitFor();
    // The snippet starts with the task's title (content = title, then description).
    await expect.poll(async () => text.startsWith(await page.getByTestId('detail-title').inputValue())).toBe(true);
    expect(await page.getByTestId('command-palette').count()).toBe(0);
    const opened = core.db.prepare('SELECT count(*) AS n FROM memory_embeddings WHERE access_count > 0').get() as { n: number };
    expect(opened.n).toBe(1);

    // The detail panel lists similar tasks; clicking one opens it.
    await page.getByTestId('similar-tasks').waitFor();
    expect(await page.getByTestId('similar-task').count()).toBeGreaterThan(0);
    await app.screenshot('similar-tasks');
    expect(app.problems).toEqual([]);
  });

  it('shows possible duplicates before a new task is saved', { timeout: 120_000 }, async () => {
    const { page } = app;
    await page.keyboard.press('Escape');
    await page.getByTestId('new-task-button').click();
    await page.getByTestId('new-task-title').fill('Check the invoice layout after changing the template');
    await page.getByTestId('possible-duplicates').waitFor();
    expect(await page.getByTestId('possible-duplicates').innerText()).toMatch(/Check invoice layout after the template change/);
    await app.screenshot('possible-duplicates');
    expect(app.problems).toEqual([]);
  });
});
