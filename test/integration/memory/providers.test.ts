import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_MODEL } from '../../../core/memory/embedders/local';
import { embedderConfigFromName } from '../../../core/memory/embedders/config';
import { tempCore, manualClock } from '../../support/core';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/openai-embeddings-server';

/**
 * The OpenAI-compatible embedder through the real `openai` client against a server on 127.0.0.1:
 * model switching re-embeds in the background, vectors of different models never meet, a failing
 * provider is retried later, and malformed answers never reach the index.
 */

type Core = ReturnType<typeof tempCore>;
let server: FakeOpenAi;
let core: Core;
const clock = manualClock();

beforeEach(async () => {
  server = await startFakeOpenAi({ dims: 64 });
  core = tempCore({ clock });
  core.memory.useApiKey(() => 'sk-test');
});
afterEach(async () => {
  core.dispose();
  await server.close();
});

const remote = () => embedderConfigFromName('openai/test-embed', server.baseURL);
const vectors = (table: string) => core.db.prepare(`SELECT model, count(*) AS n FROM ${table} GROUP BY model ORDER BY model`).all();

describe('OpenAI-compatible embeddings', () => {
  it('switching the model re-embeds every memory; search then uses only the new model', async () => {
    core.tasks.create({ title: 'Renew the parking permits' });
    core.tasks.create({ title: 'Translate the safety manual' });
    await core.memory.drain();
    expect(vectors('memory_vec_512')).toEqual([{ model: LOCAL_MODEL, n: 2 }]);

    const progress: number[] = [];
    const off = core.memory.onProgress((p) => progress.push(p.indexed));
    const report = await core.memory.reindex({ model: remote() });
    off();
    expect(report.model).toBe('openai/test-embed');
    expect(report.result).toMatchObject({ embedded: 2, error: null });
    expect(progress.at(-1)).toBe(2);
    // One vector per memory: the old model's are gone, the new ones sit in a 64-dimension table.
    expect(vectors('memory_vec_512')).toEqual([]);
    expect(vectors('memory_vec_64')).toEqual([{ model: 'openai/test-embed', n: 2 }]);
    expect(server.requests.every((r) => r.model === 'test-embed' && r.auth === 'Bearer sk-test')).toBe(true);

    server.requests.length = 0;
    const { results } = await core.memory.search({ query: 'parking permits', mode: 'vector', k: 1 });
    expect(results[0]?.content).toBe('Renew the parking permits');
    expect(server.requests.map((r) => r.inputs)).toEqual([['parking permits']]); // the query, by the new model
    // The choice is remembered by the replica.
    expect(core.memory.model()).toBe('openai/test-embed');
    expect(core.session.getSetting('memory.embedder')).toContain('test-embed');
  });

  it('a failing provider leaves rows pending with a backoff; they are retried and indexed later', async () => {
    await core.memory.reindex({ model: remote() });
    server.script.push('error500', 'error500', 'error500', 'error500');
    core.tasks.create({ title: 'Call the insurer' });
    const first = await core.memory.drain();
    expect(first.error).toMatch(/The embedding provider failed \(HTTP 500\)/);
    const status = core.memory.status();
    expect(status).toMatchObject({ pending: 1, indexed: 0 });
    expect(status.lastError).toMatch(/HTTP 500/);
    const row = core.db.prepare('SELECT attempts, next_attempt_at FROM memory_index').get() as { attempts: number; next_attempt_at: string };
    expect(row.attempts).toBe(1);
    expect(Date.parse(row.next_attempt_at)).toBeGreaterThan(clock.now().getTime());
    // Not ready before its time: nothing is sent.
    const sent = server.requests.length;
    expect((await core.memory.drain()).idle).toBe(true);
    expect(server.requests.length).toBe(sent);
    // Words still find it meanwhile.
    const offline = await core.memory.search({ query: 'insurer' });
    expect(offline.results[0]?.content).toBe('Call the insurer');
    expect(offline.degraded).toMatch(/Meaning-based search is unavailable/);
    server.script.length = 0;
    clock.advance(60_000);
    expect(await core.memory.drain()).toMatchObject({ embedded: 1, error: null });
    expect(core.memory.status()).toMatchObject({ pending: 0, indexed: 1, lastError: null });
  });

  it('a 429 is retried by the client and succeeds', async () => {
    await core.memory.reindex({ model: remote() });
    server.script.push('rate-limit');
    core.tasks.create({ title: 'Approve the budget' });
    expect(await core.memory.drain()).toMatchObject({ embedded: 1, error: null });
  });

  it('malformed, null-holding or wrong-dimension vectors are refused with a clear error and the index stays intact', async () => {
    await core.memory.reindex({ model: remote() });
    core.tasks.create({ title: 'First task' });
    await core.memory.drain();
    for (const [behaviour, message] of [
      ['malformed', /malformed response/],
      ['nan', /malformed response/],
      ['wrong-dimension', /has 7 dimensions; the model's index expects 64/],
    ] as const) {
      server.script.push(behaviour);
      const task = core.tasks.create({ title: `Task with ${behaviour} vector` });
      const result = await core.memory.drain();
      expect(result.error, behaviour).toMatch(message);
      expect(vectors('memory_vec_64'), behaviour).toEqual([{ model: 'openai/test-embed', n: 1 }]);
      core.tasks.delete(task.id);
      await core.memory.drain();
    }
    expect((await core.memory.search({ query: 'first task', mode: 'vector' })).results[0]?.content).toBe('First task');
    expect(core.db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it('a provider that is down at query time degrades search to words, never an error', async () => {
    core.memory.addNote({ text: 'Keys are at the front desk' });
    await core.memory.drain();
    await core.memory.reindex({ model: embedderConfigFromName('openai/test-embed', 'http://127.0.0.1:9/v1'), wait: false });
    const out = await core.memory.search({ query: 'front desk keys' });
    expect(out.results[0]?.content).toBe('Keys are at the front desk');
    expect(out.degraded).toMatch(/unavailable/);
  });
});
