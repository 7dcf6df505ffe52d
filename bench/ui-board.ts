import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { startApp } from '../test/e2e/harness';
import { round, summarise, type Benchmark } from './harness';
import { BARE_FILTER_JS, bareTableHtml } from './support/ui-bare-table';
import { PROBE_SCRIPT } from './support/ui-probe';
import { seedScaleTasks } from '../test/fixtures/ui-seed';

const TASKS = 10_000;
/** Each prefix narrows the match set, so every keystroke (and every Backspace) changes the list. */
const TYPED = '00900';

type Probe = { ready: number | null; last: { dom: number; frame: number } | null; arm(text: string): void };
declare global {
  interface Window {
    __probe: Probe;
  }
}

async function loadTime(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.waitForFunction(() => window.__probe?.ready !== null, undefined, { timeout: 60_000, polling: 50 });
  return page.evaluate(() => window.__probe.ready!);
}

/** Types TYPED then deletes it, one key at a time, each waited for: ms keydown → DOM, → next frame. */
async function typing(page: Page, filter: string, rounds: number): Promise<{ dom: number[]; frame: number[] }> {
  const dom: number[] = [];
  const frame: number[] = [];
  await page.locator(filter).focus();
  for (let r = 0; r < rounds; r += 1) {
    const keys = [...TYPED.split(''), ...TYPED.split('').map(() => 'Backspace')];
    let value = '';
    for (const key of keys) {
      value = key === 'Backspace' ? value.slice(0, -1) : value + key;
      await page.evaluate((text) => window.__probe.arm(text), value);
      await page.keyboard.press(key);
      await page.waitForFunction(() => window.__probe.last !== null, undefined, { timeout: 30_000, polling: 'raf' });
      const last = await page.evaluate(() => window.__probe.last!);
      dom.push(last.dom);
      frame.push(last.frame);
    }
  }
  return { dom, frame };
}

/**
 * The virtualised, paged board against the same 10k rows as a bare HTML table, in one Chromium
 * run on one page: navigation → interactive, and filter keystroke → updated list. The app pays
 * for its JS bundle, the bridge to the core and SQLite paging; the bare table has its data
 * inlined and no script but its filter.
 */
export const uiBoard: Benchmark = {
  name: 'ui-board',
  description: 'board at 10k tasks in Chromium: navigation → interactive and filter keystroke latency, vs a bare 10k-row HTML table',
  async run({ quick }) {
    const loads = quick ? 3 : 7;
    const rounds = quick ? 2 : 5;
    const app = await startApp();
    try {
      const t0 = performance.now();
      seedScaleTasks(app.core, TASKS);
      const seedMs = performance.now() - t0;
      const rows = app.core.tasks.list({ limit: TASKS });
      const html = bareTableHtml(rows);
      const { page } = app;
      await page.route('**/__bench/bare.html', (route) => route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' }));
      await page.route('**/__bench/bare-filter.js', (route) => route.fulfill({ body: BARE_FILTER_JS, contentType: 'text/javascript' }));
      // Open on the board when the app remembers the last view; otherwise the probe clicks it.
      await page.addInitScript({ content: `try { localStorage.setItem('coordinator.view', 'board') } catch {}` });
      await page.addInitScript({ content: PROBE_SCRIPT });
      const bareUrl = new URL('__bench/bare.html', app.url).toString();

      // Warm-up of both (first navigation compiles the bundle), then interleaved samples.
      await loadTime(page, app.url);
      await loadTime(page, bareUrl);
      const boardLoads: number[] = [];
      const bareLoads: number[] = [];
      for (let i = 0; i < loads; i += 1) {
        boardLoads.push(await loadTime(page, app.url));
        bareLoads.push(await loadTime(page, bareUrl));
      }

      const bareKeys = await typing(page, '[data-testid="bare-filter"]', rounds);
      await loadTime(page, app.url);
      const boardKeys = await typing(page, 'main [data-testid="filter-input"]', rounds);
      if (app.problems.length > 0) throw new Error(`page problems: ${app.problems.join('; ')}`);

      const bl = summarise(boardLoads);
      const tl = summarise(bareLoads);
      const bkd = summarise(boardKeys.dom);
      const bkf = summarise(boardKeys.frame);
      const tkd = summarise(bareKeys.dom);
      const tkf = summarise(bareKeys.frame);
      const ms = (v: number) => `${round(v, 1)} ms`;
      return {
        name: 'ui-board',
        metrics: {
          tasks: rows.length,
          interactive_p50_ms: round(bl.p50, 1),
          interactive_max_ms: round(Math.max(...boardLoads), 1),
          keystroke_dom_p50_ms: round(bkd.p50, 2),
          keystroke_frame_p50_ms: round(bkf.p50, 2),
          keystroke_frame_p99_ms: round(bkf.p99, 2),
          keystrokes: boardKeys.dom.length,
        },
        baseline: {
          tasks: rows.length,
          interactive_p50_ms: round(tl.p50, 1),
          interactive_max_ms: round(Math.max(...bareLoads), 1),
          keystroke_dom_p50_ms: round(tkd.p50, 2),
          keystroke_frame_p50_ms: round(tkf.p50, 2),
          keystroke_frame_p99_ms: round(tkf.p99, 2),
          keystrokes: bareKeys.dom.length,
        },
        ratio: round(bl.p50 / tl.p50, 3),
        table: [
          { label: 'tasks in the database', value: String(rows.length), baseline: String(rows.length), note: `seeded in ${round(seedMs, 0)} ms` },
          { label: 'navigation → interactive, p50', value: ms(bl.p50), baseline: ms(tl.p50), note: `${loads} loads each, interleaved; aim: below the bare table` },
          { label: 'navigation → interactive, max', value: ms(Math.max(...boardLoads)), baseline: ms(Math.max(...bareLoads)) },
          { label: 'keystroke → list in DOM, p50', value: ms(bkd.p50), baseline: ms(tkd.p50), note: `${boardKeys.dom.length} keystrokes (type and delete "${TYPED}")` },
          { label: 'keystroke → next frame, p50', value: ms(bkf.p50), baseline: ms(tkf.p50), note: 'aim: < 16 ms' },
          { label: 'keystroke → next frame, p99', value: ms(bkf.p99), baseline: ms(tkf.p99) },
          { label: 'DOM rows/cards rendered', value: String(await page.locator('.task-card').count()), baseline: String(rows.length) },
        ],
      };
    } finally {
      await app.close();
    }
  },
};
