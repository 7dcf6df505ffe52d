import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_MODEL } from '../../../core/memory/embedders/local';
import { memoryIdFor } from '../../../core/memory/sources';
import { tempCentral } from '../../support/pg';
import { centralRow, openReplica, seedOrganisation, type Replica } from '../../support/sync-harness';

/**
 * Memory rows sync with the central PostgreSQL like any table (content, type, source, model,
 * keywords, summary, access counts); vectors do not travel — each replica embeds what it pulls.
 */

type Central = Awaited<ReturnType<typeof tempCentral>>;
let central: Central;
let A: Replica;
let B: Replica;

beforeEach(async () => {
  central = await tempCentral();
  A = openReplica(central, 'A');
  B = openReplica(central, 'B');
});
afterEach(async () => {
  for (const r of [A, B]) await r?.dispose().catch(() => undefined);
  await central?.drop();
});

describe('memory sync', () => {
  it('memory rows reach central and another replica, which indexes them locally and finds them', async () => {
    const org = seedOrganisation(A.core, { tasks: 1 });
    const task = A.core.tasks.create({ title: 'Negotiate the cleaning contract', description: 'Current vendor raises prices in May', projectId: org.project.id });
    const note = A.core.memory.addNote({ text: 'The landlord only answers emails on Mondays' });
    A.core.memory.refreshSources();
    await A.sync();

    const memId = memoryIdFor('tasks', task.id, 'Negotiate the cleaning contract\nCurrent vendor raises prices in May');
    const row = await centralRow(central.url, 'memory_embeddings', memId);
    expect(row).toMatchObject({
      content: 'Negotiate the cleaning contract\nCurrent vendor raises prices in May',
      content_type: 'task',
      source_table: 'tasks',
      source_id: task.id,
      embedding_model: LOCAL_MODEL,
      summary: 'Negotiate the cleaning contract Current vendor raises prices in May',
    });
    const { rows: raw } = await central.query('SELECT keywords FROM memory_embeddings WHERE id = $1', [memId]);
    expect(raw[0]?.keywords).toEqual(expect.arrayContaining(['cleaning', 'contract'])); // a jsonb array centrally
    expect(await centralRow(central.url, 'memory_embeddings', note.id)).toMatchObject({ content_type: 'note', source_table: null });

    await B.sync();
    expect(B.core.memory.status()).toMatchObject({ pending: 4, indexed: 0 }); // 2 tasks, 1 project, 1 note
    await B.core.memory.drain();
    const found = await B.core.memory.search({ query: 'which supplier is getting more expensive', k: 3 });
    expect(found.results[0]?.sourceId).toBe(task.id);
    expect((await B.core.memory.search({ query: 'when does the landlord reply', k: 1 })).results[0]?.id).toBe(note.id);

    // Opening a result on B counts centrally; A sees the count after its next pull.
    await A.core.memory.drain();
    B.core.memory.open(memId);
    await B.sync();
    await A.sync();
    expect(A.core.db.prepare('SELECT access_count FROM memory_embeddings WHERE id = ?').get(memId)).toEqual({ access_count: 1 });
    expect(A.core.memory.status().pending).toBe(0); // an access count is not a text change: nothing re-embedded
  });

  it('an edit and a delete on one replica re-index and remove on the other', async () => {
    const org = seedOrganisation(A.core, { tasks: 1 });
    const task = org.tasks[0]!;
    A.core.memory.refreshSources();
    await A.sync();
    await B.sync();
    await B.core.memory.drain();
    A.core.tasks.update({ id: task.id, title: 'Inspect the roof after the storm' });
    A.core.memory.refreshSources();
    await A.sync();
    await B.sync();
    expect(B.core.memory.status().pending).toBe(1);
    await B.core.memory.drain();
    expect((await B.core.memory.search({ query: 'roof storm damage', k: 1 })).results[0]?.sourceId).toBe(task.id);
    A.core.tasks.delete(task.id);
    A.core.memory.refreshSources();
    await A.sync();
    await B.sync();
    expect((await B.core.memory.search({ query: 'roof storm damage', k: 5 })).results.map((r) => r.sourceId)).not.toContain(task.id);
    await B.core.memory.drain();
    expect(B.core.db.prepare('SELECT count(*) AS n FROM memory_vec_512').get()).toEqual({ n: 1 }); // the project's
  });

  it('concurrent title edits leave no conflict on memory and converge on the winning text', async () => {
    const org = seedOrganisation(A.core, { tasks: 1 });
    const task = org.tasks[0]!;
    await A.sync();
    await B.sync();
    B.core.session.setCurrentUser(org.users[1]!.id);
    A.clock.set('2026-03-02T10:05:00.000Z');
    B.clock.set('2026-03-02T10:01:00.000Z');
    A.core.tasks.update({ id: task.id, title: 'Title from A' });
    B.core.tasks.update({ id: task.id, title: 'Title from B' });
    A.core.memory.refreshSources();
    B.core.memory.refreshSources();
    await B.sync();
    await A.sync();
    await B.sync();
    const winner = A.core.tasks.getRow(task.id).title;
    expect(B.core.tasks.getRow(task.id).title).toBe(winner);
    for (const r of [A, B]) expect(r.core.sync.conflicts.list().filter((c) => c.table === 'memory_embeddings')).toEqual([]);
    // The losing text's memory is replaced by each replica's backfill; both derive the same row.
    await A.core.memory.reindex({ wait: false });
    await B.core.memory.reindex({ wait: false });
    await A.sync();
    await B.sync();
    await A.sync();
    const { rows } = await central.query('SELECT id, content FROM memory_embeddings WHERE source_id = $1', [task.id]);
    expect(rows).toEqual([{ id: memoryIdFor('tasks', task.id, `${winner}\nInitial description 1`), content: `${winner}\nInitial description 1` }]);
    for (const r of [A, B]) expect(r.core.db.prepare('SELECT content FROM memory_embeddings WHERE source_id = ?').all(task.id)).toEqual([{ content: `${winner}\nInitial description 1` }]);
  });

  it('two replicas backfilling the same source converge on one memory row centrally', async () => {
    seedOrganisation(A.core, { tasks: 0 });
    await A.sync();
    await B.sync();
    // A task that reached both replicas without a memory row (as a CRM import would).
    const now = new Date().toISOString();
    await central.query("INSERT INTO tasks (id, title, created_at, updated_at) VALUES ('0190b000-0000-7000-8000-000000000001', 'Imported task', $1, $1)", [now]);
    await central.query("DELETE FROM memory_embeddings WHERE source_id = '0190b000-0000-7000-8000-000000000001'");
    await A.sync();
    await B.sync();
    await A.core.memory.reindex({ wait: false });
    await B.core.memory.reindex({ wait: false });
    await A.sync();
    await B.sync();
    const { rows } = await central.query("SELECT id FROM memory_embeddings WHERE source_id = '0190b000-0000-7000-8000-000000000001'");
    expect(rows).toEqual([{ id: memoryIdFor('tasks', '0190b000-0000-7000-8000-000000000001', 'Imported task') }]);
    expect(A.core.sync.outbox.rejected()).toEqual([]);
    expect(B.core.sync.outbox.rejected()).toEqual([]);
  });
});
