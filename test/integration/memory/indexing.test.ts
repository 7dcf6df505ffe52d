import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_MODEL } from '../../../core/memory/embedders/local';
import { memoryIdFor } from '../../../core/memory/sources';
import { tempCore, manualClock } from '../../support/core';

/**
 * Memory rows follow their sources on the write path; the indexer embeds them with the bundled
 * local model (real weights, no network) into sqlite-vec.
 */

type Core = ReturnType<typeof tempCore>;
let core: Core;
const clock = manualClock();

beforeEach(() => {
  core = tempCore({ clock });
  const user = core.users.create({ username: 'ana', email: 'ana@example.com', fullName: 'Ana', role: 'admin' });
  core.session.setCurrentUser(user.id);
});
afterEach(() => core.dispose());

const memoryOf = (table: string, id: string) =>
  core.db.prepare('SELECT * FROM memory_embeddings WHERE source_table = ? AND source_id = ?').get(table, id) as Record<string, unknown> | undefined;
const vectorCount = () => (core.db.prepare('SELECT count(*) AS n FROM memory_vec_512').get() as { n: number }).n;
const outboxFor = (id: string) => core.db.prepare("SELECT op FROM sync_outbox WHERE table_name = 'memory_embeddings' AND row_id = ? ORDER BY seq").all(id) as { op: string }[];

describe('memory rows follow their sources', () => {
  it('a new task gets a memory row with every seed column filled, derived from the source queue and queued for sync', async () => {
    const project = core.projects.create({ name: 'Billing', description: 'Invoices and payment runs' });
    const task = core.tasks.create({ title: 'Fix the invoice layout', description: 'The <b>footer</b> overlaps the total on page two.', projectId: project.id });
    // The edit itself carries no memory row: the source is queued, and the worker derives it.
    expect(memoryOf('tasks', task.id)).toBeUndefined();
    expect(core.db.prepare('SELECT source_table FROM memory_source_queue ORDER BY source_table').all()).toEqual([{ source_table: 'projects' }, { source_table: 'tasks' }]);
    expect(core.memory.refreshSources()).toBe(2);
    expect(core.db.prepare('SELECT count(*) AS n FROM memory_source_queue').get()).toEqual({ n: 0 });
    const mem = memoryOf('tasks', task.id);
    expect(mem).toMatchObject({
      id: memoryIdFor('tasks', task.id, 'Fix the invoice layout\nThe footer overlaps the total on page two.'),
      content: 'Fix the invoice layout\nThe footer overlaps the total on page two.',
      content_type: 'task',
      source_table: 'tasks',
      source_id: task.id,
      summary: 'Fix the invoice layout The footer overlaps the total on page two.',
      access_count: 0,
      last_accessed: null,
      similarity_threshold: 0.7,
      embedding_model: LOCAL_MODEL,
    });
    expect(JSON.parse(String(mem?.keywords))).toEqual(expect.arrayContaining(['invoice', 'layout', 'footer']));
    expect(outboxFor(String(mem?.id))).toEqual([{ op: 'insert' }]);
    expect(memoryOf('projects', project.id)).toMatchObject({ content_type: 'project', content: 'Billing\nInvoices and payment runs' });

    expect(core.memory.status()).toMatchObject({ total: 2, pending: 2, indexed: 0 });
    const result = await core.memory.drain();
    expect(result).toMatchObject({ embedded: 2, failed: 0, error: null });
    expect(core.memory.status()).toMatchObject({ total: 2, pending: 0, indexed: 2, model: LOCAL_MODEL });
    expect(vectorCount()).toBe(2);
  });

  it('re-indexes when the text changes, and only then; memory rows are insert-only', async () => {
    const task = core.tasks.create({ title: 'Order standing desks' });
    await core.memory.drain();
    const id = memoryIdFor('tasks', task.id, 'Order standing desks');
    expect(memoryOf('tasks', task.id)?.id).toBe(id);
    core.tasks.update({ id: task.id, status: 'in_progress', priority: 'high' });
    expect(core.memory.refreshSources()).toBe(0);
    expect(outboxFor(id)).toEqual([{ op: 'insert' }]); // no memory write for a status change
    expect(core.memory.status().pending).toBe(0);
    core.db.prepare('UPDATE memory_embeddings SET access_count = 2, similarity_threshold = 0.8 WHERE id = ?').run(id);
    core.tasks.update({ id: task.id, title: 'Order ergonomic chairs' });
    core.memory.refreshSources();
    const next = memoryIdFor('tasks', task.id, 'Order ergonomic chairs');
    expect(memoryOf('tasks', task.id)).toMatchObject({ id: next, content: 'Order ergonomic chairs', access_count: 2, similarity_threshold: 0.8 });
    expect(outboxFor(id)).toEqual([{ op: 'insert' }, { op: 'delete' }]);
    expect(outboxFor(next)).toEqual([{ op: 'insert' }]);
    expect(core.memory.status().pending).toBe(1);
    await core.memory.drain();
    expect(vectorCount()).toBe(1);
    const { results } = await core.memory.search({ query: 'chairs', mode: 'text' });
    expect(results.map((r) => r.sourceId)).toEqual([task.id]);
    expect((await core.memory.search({ query: 'desks', mode: 'text' })).results).toEqual([]);
  });

  it('removes the memories of a deleted task and of its comments, vectors included', async () => {
    const task = core.tasks.create({ title: 'Plan the offsite' });
    const comment = core.comments.add({ taskId: task.id, content: 'The venue needs a deposit by Friday' });
    core.memory.refreshSources();
    expect(memoryOf('comments', comment.id)).toMatchObject({ content_type: 'comment', content: 'The venue needs a deposit by Friday' });
    await core.memory.drain();
    expect(vectorCount()).toBe(2);
    core.tasks.delete(task.id);
    core.memory.refreshSources();
    expect(memoryOf('tasks', task.id)).toBeUndefined();
    expect(memoryOf('comments', comment.id)).toBeUndefined();
    expect(outboxFor(memoryIdFor('tasks', task.id, 'Plan the offsite')).at(-1)).toEqual({ op: 'delete' });
    expect((await core.memory.search({ query: 'venue deposit' })).results).toEqual([]);
    const drained = await core.memory.drain();
    expect(drained.removed).toBe(2);
    expect(vectorCount()).toBe(0);
    expect(core.db.prepare('SELECT count(*) AS n FROM memory_index').get()).toEqual({ n: 0 });
  });

  it('an edited comment updates its memory', async () => {
    const task = core.tasks.create({ title: 'Draft newsletter' });
    const comment = core.comments.add({ taskId: task.id, content: 'Add the spring dates' });
    core.comments.edit({ id: comment.id, content: 'Add the summer dates' });
    core.memory.refreshSources();
    expect(memoryOf('comments', comment.id)?.content).toBe('Add the summer dates');
  });

  it('counts opened results (access_count, last_accessed) and tells what to open', async () => {
    const task = core.tasks.create({ title: 'Renew the office lease' });
    const comment = core.comments.add({ taskId: task.id, content: 'Landlord wants a two year term' });
    await core.memory.drain();
    const { results } = await core.memory.search({ query: 'landlord term', types: ['comment'] });
    expect(results[0]).toMatchObject({ contentType: 'comment', sourceId: comment.id, taskId: task.id });
    clock.set('2026-03-03T10:00:00.000Z');
    const opened = core.memory.open(results[0]!.id);
    expect(opened).toEqual({ id: results[0]!.id, sourceTable: 'comments', sourceId: comment.id, taskId: task.id, accessCount: 1, lastAccessed: '2026-03-03T10:00:00.000Z' });
    expect(core.memory.open(results[0]!.id).accessCount).toBe(2);
    expect(outboxFor(results[0]!.id).map((r) => r.op)).toEqual(['insert', 'update', 'update']);
    // Counting an access is not a text change: nothing to re-embed.
    expect(core.memory.status().pending).toBe(0);
    expect(() => core.memory.open('00000000-0000-0000-0000-000000000000')).toThrow(/does not exist/);
  });

  it('backfills memory for sources that arrived without one and prunes memories whose source is gone', async () => {
    // Rows written behind the write path, as a pull or an older replica would leave them.
    const now = clock.now().toISOString();
    core.db.prepare("INSERT INTO tasks (id, title, description, created_at, updated_at) VALUES ('0190a000-0000-7000-8000-000000000001', 'Imported from CRM', 'Client wants monthly reports', ?, ?)").run(now, now);
    core.db
      .prepare(
        "INSERT INTO memory_embeddings (id, content, content_type, source_table, source_id, created_at, updated_at) VALUES ('0190a000-0000-7000-8000-0000000000ff', 'Gone', 'task', 'tasks', '0190a000-0000-7000-8000-000000000999', ?, ?)",
      )
      .run(now, now);
    const report = await core.memory.reindex();
    expect(report.sourcesWritten).toBe(2);
    expect(memoryOf('tasks', '0190a000-0000-7000-8000-000000000001')).toMatchObject({ content: 'Imported from CRM\nClient wants monthly reports' });
    expect(memoryOf('tasks', '0190a000-0000-7000-8000-000000000999')).toBeUndefined();
    expect(core.memory.status()).toMatchObject({ total: 1, indexed: 1 });
    // A second run finds nothing to do.
    expect((await core.memory.reindex()).sourcesWritten).toBe(0);
  });

  it('free notes: added, searchable at once, deletable; a note may not delete a task memory', async () => {
    const note = core.memory.addNote({ text: 'Maria prefers invoices as PDF, never as spreadsheets.' });
    expect(note).toMatchObject({ contentType: 'note', summary: 'Maria prefers invoices as PDF, never as spreadsheets.' });
    await core.memory.drain();
    const { results } = await core.memory.search({ query: 'what file format does Maria want for bills' });
    expect(results[0]?.id).toBe(note.id);
    expect(results[0]?.sourceTable).toBeNull();
    const task = core.tasks.create({ title: 'Something' });
    core.memory.refreshSources();
    expect(() => core.memory.deleteNote(memoryIdFor('tasks', task.id, 'Something'))).toThrow(/follows a task/);
    core.memory.deleteNote(note.id);
    expect((await core.memory.search({ query: 'Maria PDF' })).results.map((r) => r.id)).not.toContain(note.id);
  });
});
