/** The bounded history of acknowledged mutations (docs/sync-identity.md). */
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_DAYS, HISTORY_MAX } from '../../core/sync/outbox';
import { tempCore } from '../support/core';

let core: ReturnType<typeof tempCore>;
afterEach(() => core?.dispose());

const addPending = (n: number, createdAt = '2026-03-01T00:00:00.000Z') => {
  const insert = core.db.prepare(
    `INSERT INTO sync_outbox (mutation_id, table_name, row_id, op, fields, hlc, status, created_at) VALUES (?, 'tasks', ?, 'update', '{}', '1', 'pending', ?)`,
  );
  core.db.transaction(() => {
    for (let i = 0; i < n; i += 1) insert.run(`m-${i}-${Math.random()}`, `r-${i}`, createdAt);
  })();
};

describe('acknowledged mutations', () => {
  it('move from the outbox to the history with the time of the acknowledgement', () => {
    core = tempCore();
    addPending(2);
    const [first] = core.sync.outbox.allPending();
    core.sync.outbox.acknowledge(first!.seq, '2026-03-02T10:00:00.000Z');
    expect(core.sync.outbox.pendingCount()).toBe(1);
    expect(core.db.prepare('SELECT seq, mutation_id AS id, acked_at AS at FROM sync_outbox_history').all()).toEqual([
      { seq: first!.seq, id: first!.mutationId, at: '2026-03-02T10:00:00.000Z' },
    ]);
  });

  it(`are kept ${HISTORY_DAYS} days and at most ${HISTORY_MAX}, newest first`, () => {
    core = tempCore();
    addPending(HISTORY_MAX + 5);
    const entries = core.sync.outbox.allPending();
    core.db.transaction(() => {
      entries.forEach((e, i) => core.sync.outbox.acknowledge(e.seq, i < 3 ? '2026-01-01T00:00:00.000Z' : '2026-03-01T00:00:00.000Z'));
    })();
    core.sync.outbox.pruneHistory(new Date('2026-03-02T00:00:00.000Z'));
    expect(core.sync.outbox.historyCount()).toBe(HISTORY_MAX);
    const { oldest } = core.db.prepare('SELECT min(seq) AS oldest FROM sync_outbox_history').get() as { oldest: number };
    expect(oldest).toBe(entries[5]!.seq);
    core.sync.outbox.pruneHistory(new Date(Date.parse('2026-03-01T00:00:00.000Z') + (HISTORY_DAYS + 1) * 86_400_000));
    expect(core.sync.outbox.historyCount()).toBe(0);
  });

  it('are re-queued before the pending ones, in their original order, for a new replica identity', () => {
    core = tempCore();
    addPending(4);
    const [a, b, c, d] = core.sync.outbox.allPending();
    core.sync.outbox.acknowledge(a!.seq);
    core.sync.outbox.acknowledge(b!.seq);
    const { base, replayed, pending } = core.db.transaction(() => core.sync.outbox.requeue({ history: true }))();
    expect({ replayed, pending }).toEqual({ replayed: 2, pending: 2 });
    const requeued = core.sync.outbox.allPending();
    expect(requeued.map((e) => e.mutationId)).toEqual([a, b, c, d].map((e) => e!.mutationId));
    expect(requeued.map((e) => e.seq - base)).toEqual([1, 2, 3, 4]);
    expect(core.sync.outbox.historyCount()).toBe(0);
  });
});
