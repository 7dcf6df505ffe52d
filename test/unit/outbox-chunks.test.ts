import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCore } from '../support/core';

/** Push chunks never split a local transaction that fits in one, so the server can apply it whole. */
describe('outbox push chunks', () => {
  let core: ReturnType<typeof tempCore>;
  beforeEach(() => {
    core = tempCore();
    const user = core.users.create({ username: 'ana', email: 'ana@example.com', fullName: 'Ana', role: 'admin' });
    core.session.setCurrentUser(user.id);
  });
  afterEach(() => core.dispose());

  const groups = (entries: { txId: string | null }[]) => entries.map((e) => e.txId);

  it('records one transaction id per local transaction', () => {
    const project = core.projects.create({ name: 'P' });
    core.writer.transaction(() => {
      core.tasks.create({ title: 'A', projectId: project.id });
      core.tasks.create({ title: 'B', projectId: project.id });
    });
    const pending = core.sync.outbox.allPending().filter((e) => e.table !== 'users');
    const [projectTx, aTx, bTx] = groups(pending);
    expect(aTx).toBe(bTx);
    expect(projectTx).not.toBe(aTx);
    expect(pending.every((e) => typeof e.txId === 'string')).toBe(true);
  });

  it('ends a chunk before a transaction that would not fit, and splits only one larger than a chunk', () => {
    const all = () => core.sync.outbox.allPending();
    const skip = all().length; // the user row
    const project = core.projects.create({ name: 'P' });
    core.writer.transaction(() => {
      for (const t of ['A', 'B', 'C']) core.tasks.create({ title: t, projectId: project.id });
    });
    // skip + 1 (project) + 3 (one transaction): a chunk of skip + 2 would cut the transaction.
    const chunk = core.sync.outbox.nextChunk(skip + 2);
    expect(chunk).toHaveLength(skip + 1);
    expect(chunk.map((e) => e.seq)).toEqual(all().slice(0, skip + 1).map((e) => e.seq));
    // A transaction bigger than the chunk is sent in parts.
    for (const e of all().slice(0, skip + 1)) core.sync.outbox.acknowledge(e.seq);
    expect(core.sync.outbox.nextChunk(2)).toHaveLength(2);
    expect(core.sync.outbox.nextChunk(10)).toHaveLength(3);
  });
});
