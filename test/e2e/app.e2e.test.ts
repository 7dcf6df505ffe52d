import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_STATUSES } from '../../shared/enums';
import { startApp, type AppHarness } from './harness';

/**
 * The renderer as built, against a real core on a temp SQLite file, in Debian Chromium. Every
 * step checks both what the user sees and what the database holds.
 */
describe('Coordinator UI end to end', () => {
  let app: AppHarness;

  beforeAll(async () => {
    app = await startApp();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('goes from first launch to a coordinated, commented, assigned task and its notification', { timeout: 180_000 }, async () => {
    const { page, core } = app;
    const byTask = (scope: string, id: string) => page.locator(`${scope} [data-task-id="${id}"]`);

    // --- First launch: empty database → welcome screen → demo organisation.
    await page.goto(app.url);
    await page.getByTestId('welcome').waitFor();
    expect(core.isEmpty()).toBe(true);
    await app.screenshot('welcome');
    await page.getByTestId('seed-demo-button').click();
    await page.getByTestId('nav-my-tasks').waitFor();
    expect(core.isEmpty()).toBe(false);
    await expect.poll(() => page.getByTestId('welcome').count()).toBe(0);

    const me = core.users.current();
    const myEmployeeId = core.currentEmployeeId();
    expect(me).not.toBeNull();
    expect(myEmployeeId).not.toBeNull();
    await expect.poll(() => page.getByTestId('current-user').innerText()).toContain(me!.fullName);
    // Home / Today is the default view; My tasks is one click away.
    await expect.poll(() => page.getByTestId('nav-home').getAttribute('aria-current')).toBe('page');
    await page.getByTestId('nav-my-tasks').click();
    await expect.poll(() => page.getByTestId('nav-my-tasks').getAttribute('aria-current')).toBe('page');

    // --- My tasks: exactly the signed-in user's open tasks.
    const openStatuses = TASK_STATUSES.filter((s) => s !== 'done');
    const myOpen = core.tasks.list({ mine: true, status: openStatuses, limit: 500 });
    expect(myOpen.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('task-row').count()).toBe(myOpen.length);
    for (const task of myOpen) await byTask('', task.id).first().waitFor();
    await app.screenshot('my-tasks');

    // `/` focuses the view's filter; the filter reaches tasks.list as `text`.
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('filter-input');
    const probe = myOpen[0]!;
    await page.keyboard.type(probe.title);
    await expect.poll(() => page.getByTestId('task-row').count()).toBe(myOpen.filter((t) => t.title.includes(probe.title)).length);
    await page.keyboard.type(' zz-no-such-task');
    await page.getByText('No tasks match').waitFor();
    await page.keyboard.press('Escape'); // clears the filter
    await expect.poll(() => page.getByTestId('task-row').count()).toBe(myOpen.length);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    // --- `n` opens the new-task dialog; the core's validation shows next to the field.
    const taskCountBefore = core.tasks.count();
    await page.keyboard.press('n');
    const titleInput = page.getByTestId('new-task-title');
    await titleInput.waitFor();
    await expect.poll(() => titleInput.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByTestId('new-task-submit').click();
    await page.getByText('Title is required').waitFor();
    expect(core.tasks.count()).toBe(taskCountBefore);

    const title = `E2E launch checklist ${Date.now()}`;
    const project = core.projects.list().find((p) => p.name === 'Website Relaunch') ?? core.projects.list()[0]!;
    await titleInput.fill(title);
    await page.getByTestId('new-task-project').selectOption(project.id);
    await page.getByTestId('new-task-priority').selectOption('high');
    await page.getByTestId('new-task-estimate').fill('3.5');
    await page.getByTestId('new-task-submit').click();
    await expect.poll(() => page.getByTestId('new-task-dialog').count()).toBe(0);

    const created = core.tasks.list({ text: title });
    expect(created).toHaveLength(1);
    const taskId = created[0]!.id;
    expect(created[0]).toMatchObject({ status: 'todo', priority: 'high', projectId: project.id, assignedTo: null, estimatedHours: 3.5, createdBy: me!.id });

    // --- Board: drag the card from To do to Testing; the core records the new status.
    await page.getByTestId('nav-board').click();
    const todoCard = byTask('[data-testid="board-column-todo"]', taskId);
    await todoCard.waitFor();
    await todoCard.dragTo(page.getByTestId('board-column-testing'));
    await byTask('[data-testid="board-column-testing"]', taskId).waitFor();
    await expect.poll(() => core.tasks.get(taskId).status).toBe('testing');
    await expect.poll(() => todoCard.count()).toBe(0);
    expect(
      app.calls.some((c) => c.channel === 'tasks.update' && c.ok && JSON.stringify(c.input) === JSON.stringify({ id: taskId, status: 'testing' })),
    ).toBe(true);
    await app.screenshot('board');

    // --- Task detail: open from the board, comment, assign to the current user's employee.
    await byTask('[data-testid="board-column-testing"]', taskId).click();
    const detail = page.getByTestId('task-detail');
    await detail.waitFor();
    expect(await detail.getAttribute('data-task-id')).toBe(taskId);
    await expect.poll(() => page.getByTestId('detail-title').inputValue()).toBe(title);
    await expect.poll(() => page.getByTestId('detail-status').inputValue()).toBe('testing');

    const myComment = 'Checked the staging build, ready for the launch review.';
    await page.getByTestId('comment-input').fill(myComment);
    await page.getByTestId('comment-submit').click();
    await page.getByTestId('comment-item').filter({ hasText: myComment }).waitFor();
    await expect.poll(() => page.getByTestId('comment-input').inputValue()).toBe('');
    const comments = core.comments.list({ taskId });
    expect(comments.map((c) => c.content)).toEqual([myComment]);
    expect(comments[0]!.userId).toBe(me!.id);

    await page.getByTestId('detail-assignee').selectOption(myEmployeeId!);
    await expect.poll(() => core.tasks.get(taskId).assignedTo).toBe(myEmployeeId);
    // The board behind the panel refreshes from the 'data.changed' event.
    await expect
      .poll(() => byTask('[data-testid="board-column-testing"]', taskId).locator('.card-assignee').getAttribute('title'))
      .toBe(me!.fullName);
    await app.screenshot('task-detail');

    await page.getByTestId('history-tab').click();
    await page.getByTestId('task-history').getByText(`set assignee to ${me!.fullName}`).waitFor();
    await page.getByTestId('task-history').getByText('changed status from To do to Testing').waitFor();
    await app.screenshot('task-history');

    // The task now belongs to the current user: My tasks shows it.
    await page.keyboard.press('Escape');
    await expect.poll(() => detail.count()).toBe(0);
    await page.getByTestId('nav-my-tasks').click();
    await byTask('', taskId).waitFor();

    // --- A colleague comments (as sync would deliver it): the current user is notified live.
    const unreadBefore = core.notifications.unreadCount();
    await expect.poll(() => page.getByTestId('unread-badge').innerText()).toBe(String(unreadBefore));
    const colleague = core.users.list().find((u) => u.id !== me!.id && u.fullName === 'Maria Garcia') ?? core.users.list().find((u) => u.id !== me!.id)!;
    core.comments.add({ taskId, content: 'Two small copy fixes left, otherwise good to go.', userId: colleague.id });
    expect(core.notifications.unreadCount()).toBe(unreadBefore + 1);
    await expect.poll(() => page.getByTestId('unread-badge').innerText()).toBe(String(unreadBefore + 1));

    await page.getByTestId('nav-notifications').click();
    const newest = page.getByTestId('notification-item').first();
    await expect.poll(() => newest.innerText()).toContain(`${colleague.fullName} commented on ${title}`);
    expect(await newest.getAttribute('data-read')).toBe('false');
    await app.screenshot('notifications');

    // Clicking marks it read (in the database) and opens its task with the colleague's comment.
    const notification = core.notifications.list({ limit: 1 })[0]!;
    expect(notification.taskId).toBe(taskId);
    await newest.click();
    await expect.poll(() => core.notifications.list({ limit: 1 })[0]!.read).toBe(true);
    await expect.poll(() => detail.getAttribute('data-task-id')).toBe(taskId);
    await expect.poll(() => page.getByTestId('comment-item').count()).toBe(2);
    await expect.poll(() => newest.getAttribute('data-read')).toBe('true');
    await expect.poll(() => page.getByTestId('unread-badge').innerText()).toBe(String(unreadBefore));
    await page.keyboard.press('Escape');

    // Mark all read: the badge goes away and nothing is unread in the database.
    await page.getByTestId('mark-all-read').click();
    await expect.poll(() => core.notifications.unreadCount()).toBe(0);
    await expect.poll(() => page.getByTestId('unread-badge').count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid="notification-item"][data-read="false"]').count()).toBe(0);

    // --- Projects and People reflect the database.
    await page.getByTestId('nav-projects').click();
    const projects = core.projects.list();
    await expect.poll(() => page.getByTestId('project-row').count()).toBe(projects.length);
    const row = page.locator(`[data-testid="project-row"][data-project-id="${project.id}"]`);
    const fresh = core.projects.get(project.id);
    await expect.poll(() => row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe(String(fresh.progress));
    await app.screenshot('projects');

    await page.getByTestId('nav-people').click();
    const employees = core.employees.list();
    await expect.poll(() => page.getByTestId('employee-row').count()).toBe(employees.length);
    // Hierarchy: someone who reports to a report sits two levels deep.
    const grandchild = employees.find((e) => {
      const manager = employees.find((m) => m.id === e.managerId);
      return manager?.managerId && employees.some((t) => t.id === manager.managerId);
    });
    if (grandchild) {
      await expect.poll(() => page.locator(`[data-testid="employee-row"][data-employee-id="${grandchild.id}"]`).getAttribute('data-depth')).toBe('2');
    }
    await app.screenshot('people');

    // Nothing went wrong in the page: no uncaught errors, no CSP violations.
    expect(app.problems).toEqual([]);
  });
});
