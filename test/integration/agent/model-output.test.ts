/**
 * What the agent does with whatever an OpenAI-compatible server sends back, through the real
 * `openai` client: a broken reply is never taken for an answer — the question is kept for retry,
 * local search answers meanwhile, and the reason is one readable line. Rounds of the tool loop are
 * kept apart in the streamed text and in the recorded answer.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentWorld, type AgentWorld } from '../../support/agent-world';
import { BROKEN_REPLIES, startChatServer, type BrokenReply, type ChatServer, type Step } from '../../support/openai-chat-server';

let w: AgentWorld;
let server: ChatServer;

beforeEach(async () => {
  w = agentWorld();
  server = await startChatServer();
  w.useServer(server.baseURL, { maxRetries: 0 });
});
afterEach(async () => {
  await server.close();
  w.dispose();
});

const historyRow = (id: string) =>
  w.core.db.prepare('SELECT ai_response AS response, query_type, confidence_score FROM conversation_history WHERE id = ?').get(id) as { response: string | null; query_type: string; confidence_score: number | null };

describe('a broken reply from the model server', () => {
  it.each(Object.keys(BROKEN_REPLIES) as BrokenReply[])('%s: keeps the question, answers from local search and says why in one line', async (kind) => {
    await w.core.memory.drain();
    server.script.push(BROKEN_REPLIES[kind]);
    const deltas: string[] = [];
    const r = await w.agent.ask({ question: 'What is overdue on the invoice layout?' }, { onDelta: (d) => deltas.push(d) });

    expect(r.queued).toBe(true);
    expect(r.problem).toMatch(/^The AI server /);
    expect(r.problem).not.toMatch(/[\r\n<>]/);
    expect(r.problem!.length).toBeLessThanOrEqual(240);
    // The interim answer is the local search, not whatever half-answer had streamed.
    expect(r.answer).toMatch(/saved and will be answered/);
    expect(r.answer).toMatch(/Fix invoice layout/);
    expect(r.sources.map((s) => s.id)).toContain(w.tasks.overdue.id);
    expect(r.confidence).toBeNull();
    expect(historyRow(r.conversationId)).toEqual({ response: null, query_type: 'queued:question', confidence_score: null });
    expect(w.agent.history.queued().map((q) => q.id)).toEqual([r.conversationId]);
    expect(w.core.db.prepare('SELECT count(*) AS n FROM ai_actions').get()).toEqual({ n: 0 });

    // Once the server behaves, the kept question is answered.
    server.script.push({ reply: 'The totals column is cut off on A4.' });
    expect(await w.agent.answerQueued()).toEqual({ answered: 1, remaining: 0 });
    expect(historyRow(r.conversationId)).toMatchObject({ response: 'The totals column is cut off on A4.', query_type: 'question' });
  });

  it('kept questions: a failing server stops the retry for now; a reply broken for one question does not hold back the next', async () => {
    server.script.push(BROKEN_REPLIES['a stream cut off half-way'], BROKEN_REPLIES['an empty answer']);
    const first = await w.agent.ask({ question: 'Status?' });
    const second = await w.agent.ask({ question: 'Who is overloaded?' });
    expect([first.queued, second.queued]).toEqual([true, true]);

    server.script.push(BROKEN_REPLIES['an HTML error page (502)']);
    expect(await w.agent.answerQueued()).toEqual({ answered: 0, remaining: 2 });
    expect(server.requests).toHaveLength(3);

    server.script.push(BROKEN_REPLIES['an answer cut off at the length limit'], { reply: 'Nobody is.' });
    expect(await w.agent.answerQueued()).toEqual({ answered: 1, remaining: 1 });
    expect(historyRow(first.conversationId).response).toBeNull();
    expect(historyRow(second.conversationId).response).toBe('Nobody is.');
  });

  it('a broken reply after a tool round withdraws that run\'s proposals, so the retry does not show them twice', async () => {
    const propose = { tools: [{ name: 'propose_update_task', arguments: { taskId: w.tasks.open.id, priority: 'urgent' } }] };
    server.script.push(propose, BROKEN_REPLIES['a stream with an invalid chunk']);
    const r = await w.agent.ask({ question: 'Make analytics urgent' });
    expect(r.queued).toBe(true);
    expect(r.actions).toEqual([]);
    const [withdrawn] = w.agent.actions.list({});
    expect(withdrawn).toMatchObject({ status: 'failed', executed: false, result: expect.stringMatching(/^Withdrawn: the answer it belonged to broke off/) });
    expect(() => w.agent.actions.confirm(withdrawn!.id)).toThrow(/already failed/);
    expect(w.core.tasks.get(w.tasks.open.id).priority).not.toBe('urgent');

    server.script.push(propose, { reply: 'Proposed making it urgent.' });
    expect(await w.agent.answerQueued()).toEqual({ answered: 1, remaining: 0 });
    expect(w.agent.actions.list({ pending: true })).toHaveLength(1);
  });

  it('tool-call arguments that are not JSON are answered to the model, never executed, and the model may recover', async () => {
    server.script.push({ tools: [{ name: 'propose_update_task', arguments: '{"taskId": "' }] });
    server.script.push({ reply: 'I could not make that change.' });
    const r = await w.agent.ask({ question: 'Close the analytics task' });
    expect(r.queued).toBe(false);
    expect(r.answer).toBe('I could not make that change.');
    const tool = server.requests[1]!.messages.find((m) => m.role === 'tool');
    expect(tool?.content).toMatch(/not valid JSON/);
    expect(w.core.db.prepare('SELECT count(*) AS n FROM ai_actions').get()).toEqual({ n: 0 });
  });

  it('a timeout stays an error (not kept), and a refused key names the key', async () => {
    w.useServer(server.baseURL, { timeoutMs: 1000, maxRetries: 0 });
    server.script.push({ stallMs: 3000 });
    await expect(w.agent.ask({ question: 'Status?' })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/did not answer in time/) });
    server.script.push({ status: 401, message: 'bad key' });
    await expect(w.agent.ask({ question: 'Status?' })).rejects.toMatchObject({ message: expect.stringMatching(/refused the API key/) });
    expect(w.agent.history.queued()).toEqual([]);
  });
});

describe('tolerated variations of good replies', () => {
  it('tool calls sent whole without an index, and a usage-only chunk with empty choices, are understood', async () => {
    const call = (id: string, name: string, args: unknown) => ({ id, type: 'function', function: { name, arguments: JSON.stringify(args) } });
    server.script.push({
      events: [
        { choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [call('a', 'workload', {}), call('b', 'get_task', { id: w.tasks.open.id })] }, finish_reason: null }] },
        { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
        { choices: [] },
      ],
      done: true,
    });
    server.script.push({ reply: 'Tom has the analytics task.' });
    const r = await w.agent.ask({ question: 'What is Tom doing?' });
    expect(r).toMatchObject({ queued: false, answer: 'Tom has the analytics task.' });
    expect(server.requests[1]!.messages.filter((m) => m.role === 'tool')).toHaveLength(2);
  });
});

describe('rounds of the tool loop', () => {
  it('text from two rounds is separated, and what streamed is exactly the recorded answer', async () => {
    server.script.push({ text: 'Let me look at the workload.', tools: [{ name: 'workload', arguments: {} }] });
    server.script.push({ reply: 'Here is what I found: nobody is over capacity.' });
    const deltas: string[] = [];
    const r = await w.agent.ask({ question: 'Who is overloaded?' }, { onDelta: (d) => deltas.push(d) });
    expect(r.answer).toBe('Let me look at the workload.\n\nHere is what I found: nobody is over capacity.');
    expect(deltas.join('')).toBe(r.answer);
    expect(w.agent.history.get(r.conversationId).response).toBe(r.answer);
  });

  it('for any rounds of text (blank, padded, multi-line), the stream is exactly the answer and rounds are a blank line apart', async () => {
    const words = fc.stringMatching(/^[A-Za-z][A-Za-z .,\n]{0,40}[a-z.]$/);
    const padding = fc.constantFrom('', ' ', '\n', '  \n ');
    const roundText = fc.oneof(fc.constantFrom('', ' ', '\n\n'), fc.tuple(padding, words, padding).map(([a, b, c]) => a + b + c));
    await fc.assert(
      fc.asyncProperty(fc.array(roundText, { minLength: 0, maxLength: 3 }), fc.tuple(padding, words, padding).map(([a, b, c]) => a + b + c), async (toolRounds, last) => {
        server.script.length = 0;
        for (const text of toolRounds) server.script.push({ text, tools: [{ name: 'workload', arguments: {} }] } satisfies Step);
        server.script.push({ reply: last });
        const deltas: string[] = [];
        const r = await w.agent.ask({ question: 'Who is overloaded?' }, { onDelta: (d) => deltas.push(d) });
        const expected = [...toolRounds, last].map((t) => t.trim()).filter(Boolean).join('\n\n');
        expect(r.answer).toBe(expected);
        expect(deltas.join('')).toBe(r.answer);
      }),
      { numRuns: 25 },
    );
  });
});

describe('sessions', () => {
  it('a session id that is not a UUID, or names no conversation of this user, is refused before anything is asked', async () => {
    await expect(w.agent.ask({ question: 'Status?', sessionId: 'nonsense' })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/sessionId/) });
    await expect(w.agent.ask({ question: 'Status?', sessionId: '01900000-0000-7000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no conversation/i) });
    expect(server.requests).toEqual([]);
    expect(w.core.db.prepare('SELECT count(*) AS n FROM conversation_history').get()).toEqual({ n: 0 });

    server.script.push({ reply: 'Fine.' }, { reply: 'Still fine.' });
    const first = await w.agent.ask({ question: 'Status?' });
    await expect(w.agent.ask({ question: 'And now?', sessionId: first.sessionId })).resolves.toMatchObject({ sessionId: first.sessionId, answer: 'Still fine.' });
    // Another person cannot continue (and so read) this session.
    w.core.session.setCurrentUser(w.users[1]!.id);
    await expect(w.agent.ask({ question: 'What did Alex ask?', sessionId: first.sessionId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
