import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer, type ChatServer } from '../support/openai-chat-server';
import { startApp, type AppHarness } from './harness';

/**
 * The assistant screen in Chromium against a real core and a scripted OpenAI-compatible server:
 * a streamed, sourced answer; a proposal with its diff that changes nothing until confirmed.
 */
describe('Assistant end to end', () => {
  let app: AppHarness;
  let server: ChatServer;

  beforeAll(async () => {
    server = await startChatServer();
    app = await startApp();
    app.core.demo.seed();
    app.settings.setAi({ baseURL: server.baseURL, model: 'test-model', apiKey: 'sk-e2e' });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await server?.close();
  });

  it('answers with sources, shows a proposal with its diff, and executes it only on Confirm', { timeout: 120_000 }, async () => {
    const { page, core } = app;
    const task = core.tasks.list({ status: ['todo', 'in_progress'], limit: 1 })[0]!;
    const other = core.employees.list().find((e) => e.id !== task.assignedTo && e.userId)!;
    server.script.push({ text: 'Let me look at the open tasks.', tools: [{ name: 'list_tasks', arguments: { limit: 5 } }] });
    server.script.push({ tools: [{ name: 'propose_assign_task', arguments: { taskId: task.id, assignee: other.name } }] });
    server.script.push({ reply: `I suggest handing “${task.title}” to ${other.name}, who has capacity this week.` });

    await page.goto(app.url);
    await page.getByTestId('nav-my-tasks').waitFor();
    await page.keyboard.press('a');
    await page.getByTestId('assistant-input').waitFor();
    await page.getByTestId('assistant-input').fill('Who could take over some work?');
    await page.keyboard.press('Control+Enter');

    await expect.poll(() => page.getByTestId('assistant-answer').innerText(), { timeout: 20_000 }).toContain(`who has capacity this week`);
    // The two rounds of the answer are two paragraphs, not one run-on sentence.
    expect(await page.getByTestId('assistant-answer').innerText()).toMatch(/^Let me look at the open tasks\.\n\nI suggest handing/);
    await expect.poll(() => page.getByTestId('assistant-source').count()).toBeGreaterThan(0);
    const card = page.getByTestId('action-card');
    await card.waitFor();
    expect(await card.innerText()).toContain(`Assign “${task.title}” to ${other.name}`);
    expect(await card.locator('.diff-table').innerText()).toContain(other.name);
    // Proposed, not done.
    expect(core.tasks.get(task.id).assignedTo).toBe(task.assignedTo);
    await app.screenshot('assistant');

    await page.getByTestId('action-confirm').click();
    await expect.poll(() => page.getByTestId('action-status').innerText()).toBe('executed');
    expect(core.tasks.get(task.id).assignedTo).toBe(other.id);

    await page.getByTestId('rate-up').click();
    await expect.poll(() => page.getByTestId('rate-up').getAttribute('aria-pressed')).toBe('true');
    const rated = core.db.prepare('SELECT user_satisfaction FROM conversation_history WHERE user_satisfaction IS NOT NULL').all();
    expect(rated).toEqual([{ user_satisfaction: 1 }]);

    // A source opens its task.
    await page.getByTestId('assistant-source').first().click();
    await page.locator('.detail-panel').waitFor();
    expect(app.problems).toEqual([]);
  });
});
