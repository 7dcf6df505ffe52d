import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/common/ids';
import { TASK_STATUSES } from '../../shared/enums';
import { SHORTCUTS } from '../../renderer/src/lib/shortcuts';
import { startApp, type AppHarness } from './harness';

/**
 * The coordinator's day in the built renderer against a real core: Home, shortcuts and the help
 * overlay, the command palette, workload bars with drag (and keyboard) reassignment, the project
 * timeline, notification preferences, dark mode, and a screenshot of every main screen.
 */
describe("a coordinator's day", () => {
  let app: AppHarness;
  const OPEN = TASK_STATUSES.filter((s) => s !== 'done');
  const today = new Date().toISOString().slice(0, 10); // the harness browser runs in UTC
  const current = () => app.page.evaluate(() => document.querySelector('[aria-current="page"]')?.getAttribute('data-testid'));

  beforeAll(async () => {
    app = await startApp();
    app.core.demo.seed();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('opens on Home with my day computed from the database', { timeout: 120_000 }, async () => {
    const { page, core } = app;
    const now = new Date().toISOString();
    core.db
      .prepare(`INSERT INTO ai_actions (id, prompt, action_type, action_data, status, executed, created_at, updated_at) VALUES (?, 'Move the launch review', 'update_task', '{}', 'pending', 0, ?, ?)`)
      .run(newId(), now, now);
    await page.goto(app.url);
    await page.getByTestId('home-screen').waitFor();
    expect(await current()).toBe('nav-home');

    const mine = core.tasks.list({ mine: true, status: OPEN, limit: 10_000 });
    expect(mine.length).toBeGreaterThan(0);
    const overdue = mine.filter((t) => t.dueDate !== null && t.dueDate < today).length;
    await expect.poll(() => page.getByTestId('stat-open-value').innerText()).toBe(String(mine.length));
    await expect.poll(() => page.getByTestId('stat-overdue-value').innerText()).toBe(String(overdue));
    await expect.poll(() => page.getByTestId('stat-unread-value').innerText()).toBe(String(core.notifications.unreadCount()));
    await expect.poll(() => page.getByTestId('stat-ai-value').innerText()).toBe('1');
    await page.getByTestId('home-ai-action').filter({ hasText: 'Move the launch review' }).waitFor();
    await expect.poll(() => page.getByTestId('home-sync-state').innerText()).toContain('Local only');
    expect(await page.getByTestId('home-my-open').getByTestId('home-task').count()).toBe(Math.min(20, mine.length));

    // A task on Home opens its detail panel.
    const first = page.getByTestId('home-my-open').getByTestId('home-task').first();
    const firstId = await first.getAttribute('data-task-id');
    await first.click();
    await expect.poll(() => page.getByTestId('task-detail').getAttribute('data-task-id')).toBe(firstId);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('task-detail').count()).toBe(0);

    // Live: a new overdue task for me moves the counts without a reload.
    const myEmployee = core.currentEmployeeId()!;
    core.tasks.create({ title: 'Late e2e item', assignedTo: myEmployee, dueDate: '2020-01-01' });
    await expect.poll(() => page.getByTestId('stat-overdue-value').innerText()).toBe(String(overdue + 1));
    await app.screenshot('home');
  });

  it('lists every shortcut in the help overlay and follows g-sequences', { timeout: 60_000 }, async () => {
    const { page } = app;
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('?');
    await page.getByTestId('help-overlay').waitFor();
    expect(await page.getByTestId('help-shortcut').count()).toBe(SHORTCUTS.length);
    expect(await page.getByTestId('help-overlay').innerText()).toContain('Command palette');
    await app.screenshot('help-overlay');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('help-overlay').count()).toBe(0);

    await page.keyboard.press('g');
    await page.keyboard.press('p');
    await expect.poll(current).toBe('nav-projects');
    await page.keyboard.press('g');
    await page.keyboard.press('e');
    await expect.poll(current).toBe('nav-people');
    await page.keyboard.press('g');
    await page.keyboard.press('h');
    await expect.poll(current).toBe('nav-home');
    // `g` then a key that is no screen ends the sequence: the following `p` alone does nothing.
    await page.keyboard.press('g');
    await page.keyboard.press('x');
    await page.keyboard.press('p');
    expect(await current()).toBe('nav-home');
  });

  it('jumps to a task by fuzzy abbreviation and runs a command on it from the palette', { timeout: 90_000 }, async () => {
    const { page, core } = app;
    const task = core.tasks.create({ title: 'Quarterly zeppelin inspection', status: 'todo' });
    await page.keyboard.press('Control+k');
    const input = page.getByTestId('palette-input');
    await input.waitFor();
    await input.fill('qzep');
    const firstTask = page.getByTestId('palette-task').first();
    await expect.poll(() => firstTask.getAttribute('data-kind')).toBe(task.id);
    expect(await firstTask.locator('mark').count()).toBeGreaterThan(0);
    await app.screenshot('palette');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('task-detail').getAttribute('data-task-id')).toBe(task.id);
    await expect.poll(() => page.getByTestId('command-palette').count()).toBe(0);

    // With the task open, "status testing" is a command; Enter runs it.
    await page.keyboard.press('Control+k');
    await input.fill('status testing');
    await expect.poll(() => page.getByTestId('palette-command').first().getAttribute('data-kind')).toBe('status-testing');
    await page.keyboard.press('Enter');
    await expect.poll(() => core.tasks.get(task.id).status).toBe('testing');
    await expect.poll(() => page.getByTestId('detail-status').inputValue()).toBe('testing');
    await page.keyboard.press('Escape');

    // A go-to command, chosen with the arrow keys.
    await page.keyboard.press('Control+k');
    await input.fill('go to setings');
    await expect.poll(() => page.getByTestId('palette-command').first().getAttribute('data-kind')).toBe('go-settings');
    await page.keyboard.press('Enter');
    await expect.poll(current).toBe('nav-settings');
    expect(app.problems).toEqual([]);
  });

  it('shows workload bars and reassigns by drag and by keyboard', { timeout: 120_000 }, async () => {
    const { page, core } = app;
    await page.getByTestId('nav-people').click();
    await page.getByTestId('people-tab-workload').click();
    await page.getByTestId('workload').waitFor();
    const employees = core.employees.list().filter((e) => e.isActive);
    await expect.poll(() => page.getByTestId('workload-person').count()).toBe(employees.length);
    const openOf = (id: string) => core.tasks.list({ assignedTo: id, status: OPEN, limit: 10_000 }).length;
    const row = (id: string) => page.locator(`[data-testid="workload-person"][data-employee-id="${id}"]`);
    for (const e of employees) {
      await expect.poll(() => row(e.id).getByTestId('bar-open').getAttribute('data-value')).toBe(String(openOf(e.id)));
    }
    await app.screenshot('workload');

    const busy = [...employees].sort((a, b) => openOf(b.id) - openOf(a.id));
    const from = busy[0]!;
    const to = busy[busy.length - 1]!;
    const third = busy[1]!;
    const fromOpen = openOf(from.id);
    const toOpen = openOf(to.id);
    const chip = row(from.id).getByTestId('workload-chip').first();
    const taskId = (await chip.getAttribute('data-task-id'))!;
    await chip.dragTo(row(to.id));
    await expect.poll(() => core.tasks.get(taskId).assignedTo).toBe(to.id);
    await expect.poll(() => row(to.id).getByTestId('bar-open').getAttribute('data-value')).toBe(String(toOpen + 1));
    await expect.poll(() => row(from.id).getByTestId('bar-open').getAttribute('data-value')).toBe(String(fromOpen - 1));
    expect(app.calls.some((c) => c.channel === 'tasks.update' && c.ok && JSON.stringify(c.input) === JSON.stringify({ id: taskId, assignedTo: to.id }))).toBe(true);

    // Keyboard: focus a chip, Enter opens "Move to…", choose a person, Enter on Move.
    const next = row(from.id).getByTestId('workload-chip').first();
    const nextId = (await next.getAttribute('data-task-id'))!;
    await next.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('move-task-dialog').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('move-task-target');
    await page.getByTestId('move-task-target').selectOption(third.id);
    await page.getByTestId('move-task-submit').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => core.tasks.get(nextId).assignedTo).toBe(third.id);
    await expect.poll(() => page.getByTestId('move-task-dialog').count()).toBe(0);
    expect(app.problems).toEqual([]);
  });

  it('draws a project timeline with its deadline', { timeout: 60_000 }, async () => {
    const { page, core } = app;
    await page.getByTestId('nav-projects').click();
    const project = core.projects.list().find((p) => p.deadline && p.totalTasks > 0)!;
    const tasks = core.tasks.list({ projectId: project.id, limit: 500 });
    const start = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const end = new Date(Date.now() + 3 * 86_400_000).toISOString();
    core.tasks.update({ id: tasks[0]!.id, startTime: start, endTime: end });
    const dated = core.tasks.list({ projectId: project.id, limit: 500 }).filter((t) => t.dueDate || t.startTime || t.endTime);

    const projectRow = page.locator(`[data-testid="project-row"][data-project-id="${project.id}"]`);
    await projectRow.getByTestId('timeline-toggle').click();
    const timeline = projectRow.getByTestId('project-timeline');
    await timeline.waitFor();
    await expect.poll(() => timeline.getByTestId('timeline-item').count()).toBe(dated.length);
    await expect.poll(() => timeline.locator(`[data-task-id="${tasks[0]!.id}"]`).getAttribute('data-kind')).toBe('span');
    expect(await timeline.getByTestId('timeline-deadline').count()).toBe(1);
    expect(await projectRow.getByTestId('project-deadline').innerText()).not.toBe('');
    const label = await timeline.locator(`[data-task-id="${tasks[0]!.id}"]`).getAttribute('aria-label');
    expect(label).toContain(tasks[0]!.title);
    await app.screenshot('project-timeline');
    await timeline.locator(`[data-task-id="${tasks[0]!.id}"]`).click();
    await expect.poll(() => page.getByTestId('task-detail').getAttribute('data-task-id')).toBe(tasks[0]!.id);
    await page.keyboard.press('Escape');
  });

  it('mutes a notification type: no toast for it, other types still pop up', { timeout: 60_000 }, async () => {
    const { page, core } = app;
    await page.getByTestId('nav-settings').click();
    const box = page.getByTestId('pref-task_commented-inApp');
    await box.waitFor();
    expect(await box.isChecked()).toBe(true);
    await box.uncheck();
    await expect.poll(() => JSON.stringify(core.users.current()!.preferences.notifications ?? {})).toContain('"task_commented":{"inApp":false,"os":true}');
    await expect.poll(() => box.isChecked()).toBe(false);
    await page.getByTestId('retention-card').waitFor();
    await page.getByTestId('embedding-status').waitFor();
    await app.screenshot('settings');

    const me = core.users.current()!;
    const colleague = core.users.list().find((u) => u.id !== me.id)!;
    const myTask = core.tasks.list({ mine: true, status: OPEN, limit: 1 })[0]!;
    const unread = core.notifications.unreadCount();
    core.comments.add({ taskId: myTask.id, content: 'Muted comment', userId: colleague.id });
    await expect.poll(() => page.getByTestId('unread-badge').innerText()).toBe(String(unread + 1));
    // A type that is not muted still pops up (and proves toasts work in this run).
    core.tasks.create({ title: 'Due-soon probe', assignedTo: core.currentEmployeeId()!, dueDate: today });
    expect(core.notifications.scanDueSoon()).toBeGreaterThan(0);
    await page.getByTestId('toast').filter({ hasText: 'Due soon: Due-soon probe' }).waitFor();
    expect(await page.getByTestId('toast').filter({ hasText: 'commented' }).count()).toBe(0);
    expect(core.notifications.list({ limit: 5 }).some((n) => n.type === 'task_commented')).toBe(true); // still in the center
  });

  it('saves a screenshot of every main screen', { timeout: 120_000 }, async () => {
    const { page } = app;
    const screens = ['home', 'my-tasks', 'all-tasks', 'board', 'projects', 'people', 'notifications', 'conflicts', 'assistant', 'settings', 'health'];
    for (const name of screens) {
      await page.getByTestId(`nav-${name}`).click();
      await expect.poll(current).toBe(`nav-${name}`);
      await expect.poll(() => page.locator('main .loading').count()).toBe(0);
      await app.screenshot(`screen-${name}`);
    }
    expect(app.problems).toEqual([]);
  });

  it('switches to dark mode, keeps it across a reload', { timeout: 60_000 }, async () => {
    const { page } = app;
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('theme-dark').check();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(23, 24, 28)');
    await page.reload();
    await page.getByTestId('nav-home').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByTestId('nav-home').click();
    await page.getByTestId('home-screen').waitFor();
    await app.screenshot('home-dark');
    await page.getByTestId('nav-board').click();
    await app.screenshot('board-dark');
    // Shift+D flips back to light.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Shift+D');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    expect(app.problems).toEqual([]);
  });
});
