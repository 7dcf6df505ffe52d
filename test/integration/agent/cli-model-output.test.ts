/**
 * `coordinator ask` as a child process against an OpenAI-compatible server that misbehaves in every
 * way seen in the wild, through the real `openai` client: one readable line says what went wrong,
 * the question is kept (never recorded as answered), and local search answers meanwhile. Also: how
 * rounds of the tool loop print, and what `--session` accepts.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoordinator } from '../../support/cli';
import { BROKEN_REPLIES, startChatServer, unusedBaseUrl, type BrokenReply, type ChatServer, type Step } from '../../support/openai-chat-server';

describe('coordinator ask when the model server misbehaves', () => {
  let dir: string;
  let db: string;
  let server: ChatServer;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCoordinator(['--db', db, ...args], { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-test', COORDINATOR_AI_MODEL: 'test-model', ...env });
  const latestConversation = () => {
    const sqlite = new Database(db, { readonly: true });
    try {
      return sqlite.prepare('SELECT ai_response AS response, query_type, confidence_score FROM conversation_history ORDER BY created_at DESC, id DESC LIMIT 1').get();
    } finally {
      sqlite.close();
    }
  };
  const QUESTION = 'What is overdue on the website relaunch?';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-cli-model-output-'));
    db = path.join(dir, 'c.db');
    server = await startChatServer();
    expect((await cli(['seed-demo'])).code).toBe(0);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(Object.keys(BROKEN_REPLIES) as BrokenReply[])('%s: one warning line, the question kept, an interim answer from local search', async (kind) => {
    const step: Step = BROKEN_REPLIES[kind];
    // The client retries a 5xx twice; every attempt gets the same broken reply.
    server.script.length = 0;
    server.script.push(step, step, step);
    const r = await cli(['ask', QUESTION]);
    expect(r.code).toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^warning: The AI server [^<>]+; the question is kept \(`coordinator ask --answer-queued` answers it later\)$/)]);
    expect(r.stderr).not.toMatch(/Could not parse|From chunk|SyntaxError|at .*\.js/);
    expect(r.stdout).toMatch(/could not be used, so your question is saved and will be answered when the AI server works again\.\nMeanwhile, these look related:\n- /);
    expect(r.stdout).toMatch(/Website Relaunch/);
    expect(latestConversation()).toEqual({ response: null, query_type: 'queued:question', confidence_score: null });
  });

  it('--json says why the question was kept, and kept questions are answered once the server behaves', async () => {
    server.script.length = 0;
    server.script.push(BROKEN_REPLIES['a stream cut off half-way']);
    const out = JSON.parse((await cli(['ask', QUESTION, '--json'])).stdout);
    expect(out).toMatchObject({ queued: true, actions: [], confidence: null, problem: 'The AI server stopped before finishing its answer' });
    expect(out.sources.length).toBeGreaterThan(0);
    const kept = Object.keys(BROKEN_REPLIES).length + 1;
    server.script.length = 0;
    for (let i = 0; i < kept; i += 1) server.script.push({ reply: 'Two tasks are overdue.' });
    expect(JSON.parse((await cli(['ask', '--answer-queued', '--json'])).stdout)).toEqual({ answered: kept, remaining: 0 });
    expect(latestConversation()).toMatchObject({ response: 'Two tasks are overdue.', query_type: 'question' });
  });

  it('server unreachable: the interim answer from local search is shown', async () => {
    const r = await cli(['ask', QUESTION], { OPENAI_BASE_URL: await unusedBaseUrl() });
    expect(r.code).toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toEqual(['warning: The AI server cannot be reached; the question is kept (`coordinator ask --answer-queued` answers it later)']);
    expect(r.stdout).toMatch(/^The assistant is offline, so your question is saved.*\nMeanwhile, these look related:\n- .*Website Relaunch/s);
    server.script.length = 0;
    server.script.push({ reply: 'Answered.' });
    expect(JSON.parse((await cli(['ask', '--answer-queued', '--json'])).stdout)).toEqual({ answered: 1, remaining: 0 });
  });

  it('two rounds of text print as two paragraphs, not run together', async () => {
    server.script.length = 0;
    server.script.push({ text: 'Let me check the workload first.', tools: [{ name: 'workload', arguments: {} }] }, { reply: 'Here is what I found: nobody is over capacity.' });
    const r = await cli(['ask', 'Who is overloaded?']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Let me check the workload first\.\n\nHere is what I found: nobody is over capacity\.\n/);
  });

  it("the model's search finds a task added by an earlier command (the CLI indexes before searching)", async () => {
    expect((await cli(['task', 'add', '--title', 'Renew the zebra crossing permit'])).code).toBe(0);
    server.script.length = 0;
    server.script.push({ tools: [{ name: 'search_memory', arguments: { query: 'zebra crossing permit' } }] }, { reply: 'Found it.' });
    expect((await cli(['ask', 'Anything about the zebra crossing?', '--json'])).code).toBe(0);
    expect(server.requests.at(-1)!.messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringContaining('Renew the zebra crossing permit') });
  });

  it('tool-call arguments that are not JSON: the model is told, nothing is proposed, its next answer is printed', async () => {
    server.script.length = 0;
    server.script.push({ tools: [{ name: 'propose_update_task', arguments: '{"taskId": "' }] }, { reply: 'I could not make that change.' });
    const r = await cli(['ask', 'Close the launch checklist', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ answer: 'I could not make that change.', queued: false, actions: [] });
    expect(server.requests.at(-1)!.messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringMatching(/not valid JSON/) });
  });

  it('--session must be a session printed after an earlier answer of this replica', async () => {
    const bad = await cli(['ask', 'And now?', '--session', 'nonsense']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('error: --session "nonsense" is not a session id; use the id printed as "Session …" after an earlier answer\n');
    const unknown = await cli(['ask', 'And now?', '--session', '01900000-0000-7000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: There is no conversation 01900000-0000-7000-8000-000000000000 of yours to continue/);
    expect(server.requests.filter((q) => q.messages.at(-1)?.content === 'And now?')).toEqual([]);

    server.script.length = 0;
    server.script.push({ reply: 'Fine.' }, { reply: 'Still fine.' });
    const first = JSON.parse((await cli(['ask', 'Status?', '--json'])).stdout);
    const next = await cli(['ask', 'And now?', '--session', first.sessionId, '--json']);
    expect(JSON.parse(next.stdout)).toMatchObject({ sessionId: first.sessionId, answer: 'Still fine.' });
  });
});
