/**
 * A push that loses a deadlock (or hits any other transient server error) is not the mutation's
 * fault: the push fails as a whole and the replica sends it again, instead of the mutation being
 * recorded as refused for ever. Found running laptops concurrently through PgBouncer (issue 16).
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { tempCentral } from '../../support/pg';
import { seedCentral } from '../../support/sync-fault-utils';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const update = (seq: number, rowId: string, title: string) => ({
  seq, mutationId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`, table: 'tasks', rowId, op: 'update',
  fields: { title }, baseVersion: null, hlc: `${String(Date.now() + 86_400_000 + seq).padStart(15, '0')}:00000:replica-d`, tx: null,
});

describe('transient server errors during a push', () => {
  it('a push chosen as a deadlock victim fails and leaves nothing refused; sent again it applies', async () => {
    const central = await tempCentral();
    cleanups.push(() => central.drop());
    await seedCentral(central.client, { projects: 1, tasks: 2, comments: 0 });
    const ids = (await central.query<{ id: string }>(`SELECT id::text FROM tasks ORDER BY title`)).rows.map((r) => r.id);
    const [t1, t2] = ids as [string, string];
    const other = new pg.Client({ connectionString: central.url });
    const pusher = new pg.Client({ connectionString: central.url });
    await other.connect();
    await pusher.connect();
    cleanups.push(async () => {
      await other.end().catch(() => undefined);
      await pusher.end().catch(() => undefined);
    });
    const mutations = [update(1, t1, 'pushed 1'), update(2, t2, 'pushed 2')];

    // Another writer holds task 2; the push takes task 1 and waits for task 2; the writer then
    // asks for task 1. The push waited first, so its deadlock check runs first: it is the victim.
    await other.query('BEGIN');
    await other.query(`UPDATE tasks SET description = 'held' WHERE id = $1`, [t2]);
    const push = pusher.query<{ reply: unknown }>('SELECT coordinator_push($1, $2::jsonb) AS reply', ['replica-d', JSON.stringify(mutations)]).then(
      (r) => ({ reply: r.rows[0]?.reply, error: null as null | { code?: string } }),
      (error: { code?: string }) => ({ reply: null, error }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const otherWait = other.query(`UPDATE tasks SET description = 'held too' WHERE id = $1`, [t1]).then(() => null, (e: { code?: string }) => e);
    const outcome = await push;
    const otherError = await otherWait;
    await other.query(otherError ? 'ROLLBACK' : 'COMMIT');

    expect(otherError, 'the other writer was not the victim').toBeNull();
    expect(outcome.reply, `the push was answered ${JSON.stringify(outcome.reply)} instead of failing`).toBeNull();
    expect(outcome.error?.code).toBe('40P01');
    const refused = await central.query(`SELECT seq, code, reason FROM sync_rejections WHERE client_id = 'replica-d'`);
    expect(refused.rows).toEqual([]);

    // Sent again (as the replica does on its next sync), it applies.
    const again = await pusher.query<{ reply: { results: { status: string }[] } }>('SELECT coordinator_push($1, $2::jsonb) AS reply', ['replica-d', JSON.stringify(mutations)]);
    expect(again.rows[0]?.reply.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const titles = (await central.query<{ title: string }>(`SELECT title FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY title`, [ids])).rows.map((r) => r.title);
    expect(titles).toEqual(['pushed 1', 'pushed 2']);
  });
});
