import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_STATUSES } from '../../shared/enums';
import { scaleTitle, seedScaleTasks } from '../fixtures/ui-seed';
import { startFakeOpenAi, type FakeOpenAi } from '../support/openai-embeddings-server';
import { startApp, type AppHarness } from './harness';

const TOTAL = 10_000;
/** Far more than a screenful and far fewer than the rows: proves windowing without pinning its size. */
const WINDOW_MAX = 80;

/**
 * 10k tasks in the replica: the list and the board render a window of rows, tell the true
 * total, reach the last task by scrolling (and by keyboard), and filter across all of them.
 */
describe('Task list and board at 10k tasks', () => {
  let app: AppHarness;
  let embeddings: FakeOpenAi;

  beforeAll(async () => {
    // Opening a task asks semantic memory for similar tasks, which first indexes every pending
    // task: 10k through the bundled local model would take minutes of CPU and prove nothing about
    // windowing (memory has its own tests), so this replica embeds through an OpenAI-compatible server.
    embeddings = await startFakeOpenAi({ dims: 32 });
    app = await startApp({ memory: { embedder: { provider: 'openai', baseURL: embeddings.baseURL, model: 'test-embed' } } });
    expect(seedScaleTasks(app.core, TOTAL).total).toBe(TOTAL);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await embeddings?.close();
  });

  it('virtualises the All tasks table and pages it from SQLite', { timeout: 120_000 }, async () => {
    const { page, core } = app;
    await page.goto(app.url);
    await page.getByTestId('nav-all-tasks').click();
    const table = page.locator('table.task-table');
    await expect.poll(() => table.getAttribute('data-total')).toBe(String(TOTAL));
    await expect.poll(() => table.getAttribute('aria-rowcount')).toBe(String(TOTAL + 1));
    await page.locator('.view-subtitle').getByText('10,000 tasks').waitFor();
    const rows = page.getByTestId('task-row');
    await rows.first().waitFor();
    const first = core.tasks.page({ limit: 1 }).items[0]!;
    expect(await rows.first().getAttribute('data-task-id')).toBe(first.id);
    const rendered = await rows.count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(WINDOW_MAX);

    // The window math assumes the heights virtual.css sets: a drift would misplace rows.
    const heights = await page.evaluate(() => ({
      row: document.querySelector('tr.task-row')?.getBoundingClientRect().height,
      head: document.querySelector('table.task-table thead')?.getBoundingClientRect().height,
    }));
    expect(heights).toEqual({ row: 41, head: 32.5 });

    // No request ever asked for more than a page.
    const pageCalls = app.calls.filter((c) => c.channel === 'tasks.page');
    expect(pageCalls.length).toBeGreaterThan(0);
    expect(app.calls.some((c) => c.channel === 'tasks.list')).toBe(false);
    for (const c of pageCalls) expect((c.input as { limit: number }).limit).toBeLessThanOrEqual(100);
    await app.screenshot('scale-all-tasks');

    // Scrolling to the end shows the last task in the database's order, still in a small window.
    const last = core.tasks.page({ limit: 1, offset: TOTAL - 1 }).items[0]!;
    await page.getByTestId('task-table-scroll').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    const lastRow = page.locator(`[data-testid="task-row"][data-task-id="${last.id}"]`);
    await lastRow.waitFor();
    expect(await lastRow.getAttribute('aria-rowindex')).toBe(String(TOTAL + 1));
    expect(await lastRow.isVisible()).toBe(true);
    expect(await rows.count()).toBeLessThan(WINDOW_MAX);
    await app.screenshot('scale-all-tasks-end');

    // Keyboard: Home and End walk the whole list, moving focus to rows that were not rendered.
    await lastRow.locator('.row-title').focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-task-id'))).toBe(first.id);
    await page.keyboard.press('End');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-task-id'))).toBe(last.id);
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('aria-rowindex'))).toBe(String(TOTAL));
    // Enter on a focused row opens it.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('task-detail').getAttribute('data-task-id')).toBe(core.tasks.page({ limit: 1, offset: TOTAL - 2 }).items[0]!.id);
    await page.keyboard.press('Escape');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    // The filter searches all 10k rows in the database, not the rows loaded so far.
    await page.keyboard.press('/');
    await page.keyboard.type(scaleTitle(9_000));
    await expect.poll(() => table.getAttribute('data-total')).toBe('1');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().innerText()).toContain(scaleTitle(9_000));
    await page.getByTestId('filter-input').fill('task 01');
    const matching = core.tasks.page({ limit: 1, text: 'task 01' }).total;
    expect(matching).toBeGreaterThan(WINDOW_MAX); // 01000–01999 and more: more than one window
    await expect.poll(() => table.getAttribute('data-total')).toBe(String(matching));
    await page.locator('.view-subtitle').getByText(`${matching.toLocaleString('en-GB')} tasks`).waitFor();
    expect(await rows.count()).toBeLessThan(WINDOW_MAX);

    // Sorting is done by the database, over all rows (not the loaded ones).
    await page.getByTestId('filter-input').fill('');
    await page.getByRole('button', { name: 'Title' }).click();
    await page.getByRole('button', { name: 'Title' }).click();
    const topByTitle = core.tasks.page({ limit: 1, sort: { key: 'title', dir: 'desc' } }).items[0]!;
    await expect.poll(() => rows.first().getAttribute('data-task-id')).toBe(topByTitle.id);
    expect(app.problems).toEqual([]);
  });

  it('virtualises each board column, with true totals, filtering and keyboard moves', { timeout: 120_000 }, async () => {
    const { page, core } = app;
    await page.getByTestId('nav-board').click();
    const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, core.tasks.page({ limit: 1, status: s }).total]));
    expect(Object.values(byStatus).reduce((a, b) => a + b, 0)).toBe(TOTAL);
    for (const status of TASK_STATUSES) {
      const column = page.getByTestId(`board-column-${status}`);
      await expect.poll(() => column.getAttribute('data-total')).toBe(String(byStatus[status]));
      const cards = await column.getByTestId('task-card').count();
      expect(cards).toBeGreaterThan(2);
      expect(cards).toBeLessThan(WINDOW_MAX / 2);
    }
    await page.locator('.view-subtitle').getByText('10,000 tasks').waitFor();
    const cardHeight = await page.getByTestId('task-card').first().evaluate((el) => el.getBoundingClientRect().height);
    expect(cardHeight).toBe(104);
    await app.screenshot('scale-board');

    // The last Done card is reachable by scrolling its column.
    const lastDone = core.tasks.page({ limit: 1, status: 'done', offset: byStatus.done! - 1 }).items[0]!;
    await page.getByTestId('board-cards-done').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    const lastCard = page.locator(`[data-testid="board-column-done"] [data-task-id="${lastDone.id}"]`);
    await lastCard.waitFor();
    expect(await lastCard.isVisible()).toBe(true);
    expect(await page.getByTestId('board-column-done').getByTestId('task-card').count()).toBeLessThan(WINDOW_MAX / 2);

    // Filtering narrows every column to the database's counts.
    await page.keyboard.press('/');
    await page.keyboard.type('task 0900');
    for (const status of TASK_STATUSES) {
      const expected = core.tasks.page({ limit: 1, status, text: 'task 0900' }).total;
      await expect.poll(() => page.getByTestId(`board-column-${status}`).getAttribute('data-total')).toBe(String(expected));
    }
    await expect.poll(() => page.getByTestId('task-card').count()).toBe(10); // 09000–09009

    // Alt+Right moves a card to the next column, in the database too.
    const todoCard = page.getByTestId('board-column-todo').getByTestId('task-card').first();
    const id = (await todoCard.getAttribute('data-task-id'))!;
    await todoCard.focus();
    await page.keyboard.press('Alt+ArrowRight');
    await page.locator(`[data-testid="board-column-in_progress"] [data-task-id="${id}"]`).waitFor();
    await expect.poll(() => core.tasks.get(id).status).toBe('in_progress');
    await expect.poll(() => page.locator(`[data-testid="board-column-todo"] [data-task-id="${id}"]`).count()).toBe(0);
    await app.screenshot('scale-board-filtered');
    expect(app.problems).toEqual([]);
  });
});
