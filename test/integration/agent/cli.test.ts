import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoordinator } from '../../support/cli';
import { startChatServer, unusedBaseUrl, type ChatServer } from '../../support/openai-chat-server';

describe('coordinator ask / actions', () => {
  let dir: string;
  let db: string;
  let server: ChatServer;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCoordinator(['--db', db, ...args], { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-test', COORDINATOR_AI_MODEL: 'test-model', ...env });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-cli-agent-'));
    db = path.join(dir, 'c.db');
    server = await startChatServer();
    expect((await cli(['seed-demo'])).code).toBe(0);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks, lists the proposals, confirms one and rejects another', async () => {
    const tasks = JSON.parse((await cli(['task', 'list', '--json'])).stdout) as { id: string; title: string; status: string }[];
    const [a, b] = tasks.filter((t) => t.status !== 'done');
    server.script.push({ tools: [{ name: 'project_status', arguments: {} }] });
    server.script.push({ tools: [{ name: 'propose_update_task', arguments: { taskId: a!.id, priority: 'urgent' } }, { name: 'propose_comment', arguments: { taskId: b!.id, content: 'Any news?' } }] });
    server.script.push({ reply: 'Two suggestions are waiting for you.' });
    const asked = await cli(['ask', 'What needs attention?', '--json']);
    expect(asked.code).toBe(0);
    const out = JSON.parse(asked.stdout);
    expect(out).toMatchObject({ answer: 'Two suggestions are waiting for you.', queued: false });
    expect(out.sources.length).toBeGreaterThan(0);
    expect(out.actions).toEqual([
      expect.objectContaining({ actionType: 'update_task', targetType: 'task', targetId: a!.id, executed: false, actionData: expect.objectContaining({ input: { priority: 'urgent' } }) }),
      expect.objectContaining({ actionType: 'add_comment', targetType: 'task', targetId: b!.id, executed: false }),
    ]);
    for (const key of ['id', 'actionType', 'targetType', 'targetId', 'actionData', 'executed']) expect(out.actions[0]).toHaveProperty(key);

    const pending = JSON.parse((await cli(['actions', 'list', '--pending', '--json'])).stdout);
    expect(pending).toHaveLength(2);
    const confirmed = JSON.parse((await cli(['actions', 'confirm', out.actions[0].id, '--json'])).stdout);
    expect(confirmed).toMatchObject({ executed: true, status: 'executed' });
    expect(JSON.parse((await cli(['task', 'show', a!.id, '--json'])).stdout).priority).toBe('urgent');
    const rejected = await cli(['actions', 'reject', out.actions[1].id.slice(-12)]);
    expect(rejected.stdout).toMatch(/^Rejected: Comment on/);
    expect(JSON.parse((await cli(['actions', 'list', '--pending', '--json'])).stdout)).toEqual([]);
    const again = await cli(['actions', 'confirm', out.actions[1].id, '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).error.code).toBe('CONFLICT');
  });

  it('keeps a question when the AI server is down and answers it later', async () => {
    const down = await cli(['ask', 'Who is overloaded?', '--json'], { OPENAI_BASE_URL: await unusedBaseUrl() });
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ queued: true, actions: [] });
    server.script.push({ reply: 'Nobody.' });
    expect(JSON.parse((await cli(['ask', '--answer-queued', '--json'])).stdout)).toEqual({ answered: 1, remaining: 0 });
  });

  it('without a configured model server the error says what to set', async () => {
    const r = await cli(['ask', 'hello'], { OPENAI_BASE_URL: 'not a url' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Invalid AI settings: baseURL/);
  });
});
