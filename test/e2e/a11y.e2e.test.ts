import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppHarness } from './harness';

const require = createRequire(import.meta.url);
/** axe-core's browser bundle, injected into the page as a script (it is not imported in Node). */
const AXE_SOURCE: string = (require('axe-core') as { source: string }).source;

type AxeNode = { target: string[]; failureSummary?: string };
type AxeViolation = { id: string; impact: string | null; help: string; nodes: AxeNode[] };

/** WCAG 2.x A/AA plus axe's best practices; serious and critical findings fail the test. */
async function axe(page: Page): Promise<AxeViolation[]> {
  // A panel still sliding in has translucent text; contrast is judged on the settled page.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  // Evaluated over CDP, not as a <script> tag: the app's CSP (script-src 'self') rightly blocks inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } };
    const r = await w.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return result;
}

const blocking = (violations: AxeViolation[]) => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
const describeViolations = (violations: AxeViolation[]) =>
  violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`);

/**
 * Tabs through the page and reports every focused control that shows no focus indicator
 * (neither an outline nor a box-shadow), and every control Tab never reached.
 */
async function keyboardAudit(page: Page, maxTabs = 400): Promise<{ invisible: string[]; unreached: string[] }> {
  // Start sequential navigation at the top of the document: a focused node removed at once
  // leaves the starting point at the beginning of <body>.
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    const start = document.createElement('span');
    start.tabIndex = -1;
    document.body.prepend(start);
    start.focus();
    start.remove();
  });
  const invisible: string[] = [];
  for (let i = 0; i < maxTabs; i += 1) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      if (el.dataset.a11yReached) return { again: true, key: '', visible: true };
      el.dataset.a11yReached = '1';
      const label = el.getAttribute('aria-label') ?? (el.textContent ?? '').trim().slice(0, 30);
      const key = `${el.tagName.toLowerCase()}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ''}${el.id ? `#${el.id}` : ''}:${label}`;
      const s = getComputedStyle(el);
      const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== 'none' && s.boxShadow !== '');
      return { again: false, key, visible };
    });
    if (!info) continue;
    if (info.again) break; // wrapped around to the first control
    if (!info.visible) invisible.push(info.key);
  }
  // On-screen controls that Tab did not reach (disabled and hidden ones excepted).
  const unreached = await page.evaluate(() => {
    const controls = [...document.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"])')];
    const out = controls
      .filter((el) => !(el as HTMLButtonElement).disabled && el.offsetParent !== null && el.tabIndex >= 0 && !el.dataset.a11yReached)
      // A radio group is one tab stop (arrows move inside it): only its checked radio is reached.
      .filter((el) => !(el instanceof HTMLInputElement && el.type === 'radio' && !el.checked && el.name))
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight;
      })
      // A virtualised collection renders items as it scrolls (focus scrolls it), so items can appear
      // after Tab moved on; it counts as reached when Tab entered it (arrow keys move inside,
      // covered by scale.e2e).
      .filter((el) => {
        const collection = el.closest('.vcards, .vtable');
        return !collection?.querySelector('[data-a11y-reached]');
      })
      .map((el) => `${el.tagName.toLowerCase()}:${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}`);
    for (const el of document.querySelectorAll<HTMLElement>('[data-a11y-reached]')) delete el.dataset.a11yReached;
    return out;
  });
  return { invisible, unreached };
}

const SCREENS = [
  ['my-tasks', 'nav-my-tasks'],
  ['all-tasks', 'nav-all-tasks'],
  ['board', 'nav-board'],
  ['projects', 'nav-projects'],
  ['people', 'nav-people'],
  ['notifications', 'nav-notifications'],
  ['conflicts', 'nav-conflicts'],
  ['settings', 'nav-settings'],
  ['health', 'nav-health'],
  ['assistant', 'nav-assistant'],
  // Last: opening Home runs the due-soon scan, whose new notifications re-render other screens mid-audit.
  ['home', 'nav-home'],
] as const;

describe('Accessibility of every main screen (axe-core, keyboard)', () => {
  let app: AppHarness;

  beforeAll(async () => {
    app = await startApp();
    app.core.demo.seed();
    await app.page.goto(app.url);
    await app.page.getByTestId('nav-my-tasks').waitFor();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  for (const [name, nav] of SCREENS) {
    it(`${name}: no serious or critical axe violations, focus visible on every tabbable control`, { timeout: 60_000 }, async () => {
      const { page } = app;
      await page.getByTestId(nav).click();
      await expect.poll(() => page.getByTestId(nav).getAttribute('aria-current')).toBe('page');
      await page.waitForLoadState('networkidle');
      await page.locator('main [aria-busy="true"], main .loading').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
      expect(describeViolations(blocking(await axe(page)))).toEqual([]);
      const keyboard = await keyboardAudit(page);
      expect(keyboard.invisible.join('\n')).toBe('');
      expect(keyboard.unreached.join('\n')).toBe('');
      await app.screenshot(`a11y-${name}`);
    });
  }

  it('task detail panel and new-task dialog: no serious or critical axe violations', { timeout: 60_000 }, async () => {
    const { page } = app;
    await page.getByTestId('nav-all-tasks').click();
    await page.getByTestId('task-row').first().locator('.row-title').click();
    await page.getByTestId('task-detail').waitFor();
    await page.getByTestId('detail-title').waitFor();
    expect(describeViolations(blocking(await axe(page)))).toEqual([]);
    expect((await keyboardAudit(page)).invisible.join('\n')).toBe('');
    await app.screenshot('a11y-task-detail');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('task-detail').count()).toBe(0);

    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('n');
    await page.getByTestId('new-task-dialog').waitFor();
    expect(describeViolations(blocking(await axe(page)))).toEqual([]);
    expect((await keyboardAudit(page, 40)).invisible.join('\n')).toBe('');
    await app.screenshot('a11y-new-task');
    await page.keyboard.press('Escape');
    expect(app.problems).toEqual([]);
  });
});
