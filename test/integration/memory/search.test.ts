import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIdFor } from '../../../core/memory/sources';
import { tempCore } from '../../support/core';

/** Hybrid search over real FTS5 + sqlite-vec with the bundled local model, and what bad input does. */

type Core = ReturnType<typeof tempCore>;
let core: Core;
const ids: Record<string, string> = {};

beforeAll(async () => {
  core = tempCore();
  const user = core.users.create({ username: 'ana', email: 'ana@example.com', fullName: 'Ana', role: 'admin' });
  core.session.setCurrentUser(user.id);
  const web = core.projects.create({ name: 'Website relaunch' });
  const office = core.projects.create({ name: 'Office move' });
  ids.web = web.id;
  ids.office = office.id;
  ids.invoice = core.tasks.create({ title: 'Invoice template prints the total on the wrong page', projectId: web.id }).id;
  ids.movers = core.tasks.create({ title: 'Book a removal company for the relocation', projectId: office.id }).id;
  ids.wifi = core.tasks.create({ title: 'Set up wireless internet in the new building', projectId: office.id }).id;
  ids.seo = core.tasks.create({ title: 'Improve search engine ranking of product pages', projectId: web.id }).id;
  ids.comment = core.comments.add({ taskId: ids.movers, content: 'The removal firm needs the lift booked on Saturday' }).id;
  ids.japanese = core.memory.addNote({ text: '請求書のレイアウトを修正する 🧾' }).id;
  ids.emoji = core.memory.addNote({ text: '🎉🎉 launch party 🚀' }).id;
  await core.memory.drain();
});
afterAll(() => core.dispose());

const sources = async (input: Record<string, unknown>) => (await core.memory.search(input)).results.map((r) => r.sourceId ?? r.id);

describe('hybrid search', () => {
  it('finds a paraphrase that shares no words with the task (vector side)', async () => {
    const { results } = await core.memory.search({ query: 'hire movers', k: 3 });
    expect(results[0]?.sourceId).toBe(ids.movers);
    expect(results[0]?.matchedBy).toContain('vector');
  });

  it('fuses words and meaning, highlighting the matched words', async () => {
    const { results, degraded } = await core.memory.search({ query: 'invoice total wrong page' });
    expect(degraded).toBeNull();
    expect(results[0]).toMatchObject({ sourceId: ids.invoice, contentType: 'task', taskId: ids.invoice, projectId: ids.web });
    expect(results[0]?.matchedBy).toEqual(['text', 'vector']);
    const s = results[0]!.snippet;
    expect(s.highlights.map(([a, b]) => s.text.slice(a, b).toLowerCase())).toEqual(['invoice', 'total', 'wrong', 'page']);
    for (let i = 1; i < results.length; i += 1) expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score);
  });

  it('text-only and vector-only modes use one side each', async () => {
    const text = await core.memory.search({ query: 'removal', mode: 'text' });
    expect(text.results.every((r) => r.matchedBy.join() === 'text')).toBe(true);
    expect(text.results.map((r) => r.sourceId).sort()).toEqual([ids.movers, ids.comment].sort());
    const vector = await core.memory.search({ query: 'removal', mode: 'vector' });
    expect(vector.results.every((r) => r.matchedBy.join() === 'vector')).toBe(true);
  });

  it('filters by content type, project and date on both sides', async () => {
    expect(await sources({ query: 'removal company lift', types: ['comment'] })).toEqual([ids.comment]);
    const inOffice = await sources({ query: 'internet pages invoice removal', projectId: ids.office });
    expect(inOffice.length).toBeGreaterThan(0);
    expect(inOffice.every((id) => [ids.movers, ids.wifi, ids.comment, ids.office].includes(id as string))).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    expect((await sources({ query: 'removal', to: '2000-01-01' })).length).toBe(0);
    expect((await sources({ query: 'removal', from: today, to: today })).length).toBeGreaterThan(0);
    expect(await sources({ query: 'invoice', types: ['project'] })).not.toContain(ids.invoice);
  });

  it("respects a memory's similarity_threshold for vector matches (text matches still count)", async () => {
    const movers = memoryIdFor('tasks', ids.movers as string, 'Book a removal company for the relocation');
    expect(await sources({ query: 'hire movers', mode: 'vector', k: 3 })).toContain(ids.movers);
    core.db.prepare('UPDATE memory_embeddings SET similarity_threshold = 1.01 WHERE id = ?').run(movers);
    try {
      expect(await sources({ query: 'hire movers', mode: 'vector', k: 10 })).not.toContain(ids.movers);
      expect(await sources({ query: 'removal company', k: 10 })).toContain(ids.movers);
    } finally {
      core.db.prepare('UPDATE memory_embeddings SET similarity_threshold = 0.7 WHERE id = ?').run(movers);
    }
  });

  it('similar tasks and possible duplicates', async () => {
    const similar = await core.memory.similarTasks({ taskId: ids.movers, k: 3 });
    expect(similar.map((r) => r.sourceId)).not.toContain(ids.movers);
    expect(similar.every((r) => r.contentType === 'task')).toBe(true);
    const dups = await core.memory.duplicates({ title: 'Book removal company for relocating' });
    expect(dups[0]?.sourceId).toBe(ids.movers);
    expect(dups[0]?.similarity).toBeGreaterThan(0.7);
    await expect(core.memory.similarTasks({ taskId: '00000000-0000-4000-8000-000000000000' })).rejects.toThrow(/does not exist/);
  });
});

describe('bad input', () => {
  it('refuses an empty or whitespace query and an over-long one with a clear error', async () => {
    await expect(core.memory.search({ query: '' })).rejects.toThrow(/Invalid search: query is required/);
    await expect(core.memory.search({ query: '   \n' })).rejects.toThrow(/query is required/);
    await expect(core.memory.search({ query: 'x'.repeat(1_048_576) })).rejects.toThrow(/query must be at most 2000 characters/);
    await expect(core.memory.search({ query: 'a', k: 0 })).rejects.toThrow(/Invalid search: k/);
    await expect(core.memory.search({ query: 'a', types: ['email'] })).rejects.toThrow(/Invalid search: types/);
  });

  it('treats FTS and SQL syntax in a query as text', async () => {
    for (const query of ['"', '"unbalanced', '*', 'invoice*', 'NEAR', 'NEAR(invoice page)', '-invoice', 'invoice -page', 'a OR', 'AND NOT', "'; DROP TABLE tasks; --", 'col:invoice', '(((', '^start']) {
      const out = await core.memory.search({ query });
      expect(Array.isArray(out.results), query).toBe(true);
    }
    expect(await sources({ query: '"invoice"* -template', mode: 'text' })).toContain(ids.invoice);
    expect(core.tasks.list({})).toHaveLength(4);
  });

  it('finds non-Latin and emoji text, and never splits a character in snippets', async () => {
    expect(await sources({ query: '請求書のレイアウトを修正する', mode: 'text' })).toEqual([ids.japanese]);
    expect(await sources({ query: 'launch party', mode: 'text' })).toEqual([ids.emoji]);
    const onlyEmoji = await core.memory.search({ query: '🎉' });
    expect(onlyEmoji.results.every((r) => r.matchedBy.join() === 'vector')).toBe(true); // no words: vector side only
    for (const r of (await core.memory.search({ query: 'レイアウト 🧾 party' })).results) expect(r.snippet.text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('refuses an empty or 1 MB note; indexes a 100k-character description by its start', async () => {
    expect(() => core.memory.addNote({ text: '' })).toThrow(/Invalid note: text is required/);
    expect(() => core.memory.addNote({ text: 'x'.repeat(1_048_576) })).toThrow(/Invalid note: text must be at most 100000 characters/);
    const long = core.tasks.create({ title: 'Very long brief', description: `Quarterly warehouse audit. ${'lorem ipsum '.repeat(8_000)}` });
    await core.memory.drain();
    expect(core.memory.status().failed).toBe(0);
    expect(await sources({ query: 'quarterly warehouse audit', k: 3 })).toContain(long.id);
    core.tasks.delete(long.id);
    await core.memory.drain();
  });
});
