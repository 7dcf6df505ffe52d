/** Issue 12 §6: comment numbers stay unique within a task after replicas comment concurrently. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCentral } from '../../support/pg';
import { expectConverged, openReplica, seedOrganisation, syncAll, type Replica } from '../../support/sync-harness';

type Central = Awaited<ReturnType<typeof tempCentral>>;
let central: Central;
let A: Replica;
let B: Replica;
let taskId: string;

beforeEach(async () => {
  central = await tempCentral();
  A = openReplica(central, 'A');
  B = openReplica(central, 'B');
  const org = seedOrganisation(A.core, { people: ['Ana', 'Ben'], tasks: 1 });
  taskId = org.tasks[0]!.id;
  A.core.comments.add({ taskId, content: 'First, seen by everyone' });
  await A.sync();
  await B.sync();
  B.core.session.setCurrentUser(org.users[1]!.id);
});
afterEach(async () => {
  await A.dispose();
  await B.dispose();
  await central.drop();
});

const orders = (r: Replica) => r.core.comments.list({ taskId }).map((c) => [c.commentOrder, c.content]);

describe('comment order after concurrent comments', () => {
  it('two replicas commenting offline both propose #2; after sync the numbers are unique and the same everywhere', async () => {
    A.core.comments.add({ taskId, content: 'From A, offline' });
    B.core.comments.add({ taskId, content: 'From B, offline' });
    B.core.comments.add({ taskId, content: 'From B again' });
    expect(orders(A).map(([n]) => n)).toEqual([1, 2]);
    expect(orders(B).map(([n]) => n)).toEqual([1, 2, 3]);
    await A.sync();
    await B.sync();
    await syncAll([A, B]);
    const numbers = orders(A).map(([n]) => n);
    expect(new Set(numbers).size).toBe(4);
    expect(numbers).toEqual([1, 2, 3, 4]);
    expect(orders(B)).toEqual(orders(A));
    expect(orders(A)[1]).toEqual([2, 'From A, offline']);
    const { rows } = await central.client.query(`SELECT comment_order, count(*)::int AS n FROM comments GROUP BY comment_order HAVING count(*) > 1`);
    expect(rows).toEqual([]);
    await expectConverged(central, [A, B], ['comments']);
  });
});
