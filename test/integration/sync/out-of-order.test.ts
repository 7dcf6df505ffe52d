/**
 * The pull cursor and the visibility horizon (docs/sync-protocol.md, "Change log and the pull cursor"): changes are numbered when they are
 * written, but transactions commit in any order. A replica must never move its cursor past a
 * change whose transaction is still in flight, or that change is skipped for ever.
 *
 * Writers here are plain PostgreSQL connections (as an administrator or the CRM bridge would
 * write), holding transactions open on purpose while a replica pulls.
 *
 * Note: the horizon (pg_snapshot_xmin) is cluster-wide, so a write transaction open in ANY
 * database of the server — another test file running in parallel — also holds replicas back.
 * That only makes a replica see less (still safe), so checks that something IS visible poll with a
 * bound instead of expecting it on the first pull. Transactions are kept open only briefly here so
 * other files on the same server are not slowed down.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../core/app/core';
import type { SyncEngine } from '../../../core/sync/engine';
import { tempCore } from '../../support/core';
import { tempCentral } from '../../support/pg';
import { diffReplicaAgainstCentral, prng, seedCentral, sleep } from '../../support/sync-fault-utils';

const SEED = Number(process.env.SYNC_OOO_SEED ?? Date.now() % 1_000_000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Writer {
  client: pg.Client;
  inTx: boolean;
  xid: bigint | null;
}

async function setup(options: { seedTasks?: number; pullPageSize?: number } = {}) {
  const central = await tempCentral();
  cleanups.push(() => central.drop());
  if (options.seedTasks) await seedCentral(central.client, { projects: 1, tasks: options.seedTasks, comments: 0 });
  const core = tempCore();
  const engine = core.sync.connect({ central: { url: central.replicaUrl }, firstConnect: 'upload', pullPageSize: options.pullPageSize ?? 2 });
  cleanups.push(async () => {
    await engine.close();
    core.dispose();
  });
  await engine.syncOnce(); // bootstrap: from here on the replica follows the change log
  expect(core.sync.state.cursor()).not.toBeNull();

  const writers: Writer[] = [];
  const writer = async (): Promise<Writer> => {
    const client = new pg.Client({ connectionString: central.url, application_name: 'ooo-writer' });
    client.on('error', () => undefined);
    await client.connect();
    const w: Writer = { client, inTx: false, xid: null };
    writers.push(w);
    return w;
  };
  cleanups.push(async () => {
    for (const w of writers) {
      if (w.inTx) await w.client.query('ROLLBACK').catch(() => undefined);
      await w.client.end().catch(() => undefined);
    }
  });
  return { central, core, engine, writer, writers };
}

const begin = async (w: Writer, earlyXid: boolean) => {
  await w.client.query('BEGIN');
  w.inTx = true;
  w.xid = null;
  if (earlyXid) w.xid = BigInt((await w.client.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x);
};

/** Inserts a task; returns its change's version and xid (as the writer's own transaction sees them). */
const insertTask = async (w: Writer, title: string): Promise<{ id: string; version: bigint; xid: bigint }> => {
  const { rows } = await w.client.query<{ id: string }>(`INSERT INTO tasks (id, title) VALUES (gen_random_uuid(), $1) RETURNING id::text`, [title]);
  const id = rows[0]!.id;
  const change = (await w.client.query<{ version: string; xid: string }>(`SELECT version::text, xid::text FROM sync_changes WHERE row_id = $1 ORDER BY version DESC LIMIT 1`, [id])).rows[0]!;
  w.xid = BigInt(change.xid);
  return { id, version: BigInt(change.version), xid: BigInt(change.xid) };
};

const end = async (w: Writer, how: 'COMMIT' | 'ROLLBACK') => {
  await w.client.query(how);
  w.inTx = false;
  w.xid = null;
};

const localTitles = (core: Core): Set<string> => new Set((core.db.prepare('SELECT title FROM tasks').all() as { title: string }[]).map((r) => r.title));

/**
 * The cursor is strictly before every change of transaction `xid`: a lower xid, or that xid with the
 * bootstrap sentinel version -1 (a bootstrap starts its cursor at (horizon, -1)).
 */
const before = (cursor: { xid: bigint; version: bigint }, xid: bigint) => cursor.xid < xid || (cursor.xid === xid && cursor.version < 0n);

const cursorOf = (core: Core) => {
  const c = core.sync.state.cursor();
  if (!c) throw new Error('replica has no cursor');
  return { xid: BigInt(c.xid), version: BigInt(c.version) };
};

/** Pulls until `done()` holds (the horizon may be held back by other databases on this server). */
async function pullUntil(engine: SyncEngine, done: () => boolean, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let pulls = 0;
  for (;;) {
    await engine.syncOnce();
    pulls += 1;
    if (done()) return pulls;
    if (Date.now() > deadline) return pulls;
    await sleep(100);
  }
}

describe('pull never skips a change committed out of order', () => {
  it('a lower version committing after a higher one: the replica waits for it', async () => {
    const { central, core, engine, writer } = await setup();
    const w1 = await writer();
    const w2 = await writer();

    await begin(w1, false);
    const a = await insertTask(w1, 'ooo A (writer 1, commits last)');
    await begin(w2, false);
    const b = await insertTask(w2, 'ooo B (writer 2, commits first)');
    expect(a.version).toBeLessThan(b.version); // A was numbered first…
    expect(a.xid).toBeLessThan(b.xid);
    await end(w2, 'COMMIT'); // …but B commits first.
    // Control: a reader paging by version alone would now stand at B's version…
    const naive = BigInt((await central.query<{ v: string }>('SELECT max(version)::text AS v FROM sync_changes')).rows[0]!.v);
    expect(naive).toBe(b.version);

    // A version-only cursor would now advance to B's version and later skip A. The replica must
    // not pass writer 1's in-flight transaction: B sorts after A in (xid, version) order, so the
    // replica may not have B yet either.
    const start = cursorOf(core);
    await engine.syncOnce();
    await engine.syncOnce();
    expect(localTitles(core).has('ooo A (writer 1, commits last)')).toBe(false);
    expect(localTitles(core).has('ooo B (writer 2, commits first)')).toBe(false);
    const held = cursorOf(core);
    expect(before(held, a.xid), `cursor ${held.xid}/${held.version} passed writer 1 (${a.xid})`).toBe(true);
    expect(held.xid >= start.xid).toBe(true);

    await end(w1, 'COMMIT');
    // …and would never see A (its version is below that position).
    expect((await central.query('SELECT 1 FROM sync_changes WHERE version > $1', [naive.toString()])).rowCount).toBe(0);
    await pullUntil(engine, () => localTitles(core).size === 2);
    expect([...localTitles(core)].sort()).toEqual(['ooo A (writer 1, commits last)', 'ooo B (writer 2, commits first)']);
    expect(cursorOf(core).xid).toBeGreaterThanOrEqual(b.xid);
  });

  it('an early xid writing its change late (lower xid, higher version): the replica waits for it', async () => {
    const { central, core, engine, writer } = await setup();
    const w1 = await writer();
    const w2 = await writer();

    await begin(w1, true); // takes its transaction id now…
    const early = w1.xid!;
    await begin(w2, false);
    const b = await insertTask(w2, 'ooo B (later xid, lower version)');
    await end(w2, 'COMMIT');
    const a = await insertTask(w1, 'ooo A (early xid, higher version)'); // …but writes after B committed
    expect(a.xid).toBe(early);
    expect(a.xid).toBeLessThan(b.xid);
    expect(a.version).toBeGreaterThan(b.version);

    // Control: a reader in (xid, version) order WITHOUT the horizon would now read B and stand past
    // A's xid — A, committed later, would sort before its position and be skipped.
    const unguarded = (await central.query<{ xid: string }>(`SELECT xid::text FROM sync_changes ORDER BY xid DESC, version DESC LIMIT 1`)).rows[0]!;
    expect(BigInt(unguarded.xid)).toBe(b.xid);

    await engine.syncOnce();
    await engine.syncOnce();
    // In (xid, version) order A precedes B, so taking B now would skip A.
    expect(localTitles(core).size).toBe(0);
    expect(before(cursorOf(core), a.xid)).toBe(true);

    await end(w1, 'COMMIT');
    await pullUntil(engine, () => localTitles(core).size === 2);
    expect([...localTitles(core)].sort()).toEqual(['ooo A (early xid, higher version)', 'ooo B (later xid, lower version)']);
  });

  it('a rolled-back transaction holding the horizon: nothing of it ever arrives, the rest does', async () => {
    const { core, engine, writer } = await setup();
    const w1 = await writer();
    const w2 = await writer();
    await begin(w1, false);
    await insertTask(w1, 'ooo rolled back');
    await begin(w2, false);
    await insertTask(w2, 'ooo kept');
    await end(w2, 'COMMIT');
    await engine.syncOnce();
    expect(localTitles(core).has('ooo kept')).toBe(false);
    await end(w1, 'ROLLBACK');
    await pullUntil(engine, () => localTitles(core).has('ooo kept'));
    expect([...localTitles(core)]).toEqual(['ooo kept']);
  });

  it('randomised interleavings of three writers and a pulling replica', { timeout: 120_000 }, async () => {
    const rng = prng(SEED);
    console.info(`[out-of-order] seed ${SEED}`);
    const SEEDED = 300;
    const { central, core, engine, writer, writers } = await setup({ seedTasks: SEEDED, pullPageSize: 2 });
    for (let i = 0; i < 3; i += 1) await writer();
    // Seeded tasks each writer may update or delete: every row is touched by one transaction only,
    // so a skipped change cannot be healed by a later change to the same row.
    const fresh = (await central.query<{ id: string }>(`SELECT id::text FROM tasks ORDER BY id`)).rows.map((r) => r.id);

    const committed = new Set<string>(); // titles inserted by committed transactions
    const rolledBack = new Set<string>();
    const pendingByWriter = new Map<Writer, string[]>();
    let lastCursor = cursorOf(core);
    let pullsChecked = 0;
    let heldBack = 0;
    let steps = 0;

    const pullAndCheck = async () => {
      await engine.syncOnce();
      pullsChecked += 1;
      const cursor = cursorOf(core);
      // Monotonic…
      expect(cursor.xid > lastCursor.xid || (cursor.xid === lastCursor.xid && cursor.version >= lastCursor.version)).toBe(true);
      lastCursor = cursor;
      // …and never at or past a transaction that is still open and has written (or taken an xid).
      for (const w of writers) {
        if (!w.inTx) continue;
        const x = (await w.client.query<{ x: string | null }>('SELECT pg_current_xact_id_if_assigned()::text AS x')).rows[0]!.x;
        if (x !== null) {
          expect(before(cursor, BigInt(x)), `cursor ${cursor.xid}/${cursor.version} passed open transaction ${x}`).toBe(true);
          heldBack += 1;
        }
      }
      const titles = localTitles(core);
      for (const t of rolledBack) expect(titles.has(t), `rolled back "${t}" reached the replica`).toBe(false);
      for (const pending of pendingByWriter.values()) for (const t of pending) expect(titles.has(t), `uncommitted "${t}" reached the replica`).toBe(false);
    };

    const ITERATIONS = 60;
    for (let iter = 0; iter < ITERATIONS; iter += 1) {
      const budget = rng.int(6, 14);
      for (let s = 0; s < budget; s += 1) {
        steps += 1;
        const w = rng.pick(writers);
        const roll = rng.next();
        if (roll < 0.25) {
          await pullAndCheck();
        } else if (!w.inTx) {
          await begin(w, rng.next() < 0.5);
          pendingByWriter.set(w, []);
        } else if (roll < 0.75) {
          const kind = rng.next();
          if (kind < 0.6 || fresh.length === 0) {
            const title = `ooo r${iter} s${s} ${rng.int(0, 1e9)}`;
            await insertTask(w, title);
            pendingByWriter.get(w)!.push(title);
          } else if (kind < 0.85) {
            const id = fresh.pop()!;
            await w.client.query(`UPDATE tasks SET title = $1, status = 'testing' WHERE id = $2`, [`ooo updated r${iter} s${s}`, id]);
            w.xid ??= BigInt((await w.client.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x);
          } else {
            const id = fresh.pop()!;
            await w.client.query(`DELETE FROM tasks WHERE id = $1`, [id]);
          }
        } else {
          const how = rng.next() < 0.8 ? 'COMMIT' : 'ROLLBACK';
          await end(w, how);
          for (const t of pendingByWriter.get(w) ?? []) (how === 'COMMIT' ? committed : rolledBack).add(t);
          pendingByWriter.delete(w);
        }
      }
      // Close the iteration: finish every open transaction, then the replica must catch up fully.
      for (const w of writers) {
        if (!w.inTx) continue;
        const how = rng.next() < 0.8 ? 'COMMIT' : 'ROLLBACK';
        await end(w, how);
        for (const t of pendingByWriter.get(w) ?? []) (how === 'COMMIT' ? committed : rolledBack).add(t);
        pendingByWriter.delete(w);
      }
      await pullAndCheck();
    }

    // Everything committed arrives; nothing rolled back does; the replica equals central (a skipped
    // update or delete of a seeded row would show here, as no later change touches that row).
    const { rows } = await central.query<{ n: string }>(`SELECT count(*)::text AS n FROM tasks`);
    await pullUntil(engine, () => localTitles(core).size === Number(rows[0]!.n) && [...committed].every((t) => localTitles(core).has(t)));
    const titles = localTitles(core);
    for (const t of committed) expect(titles.has(t), `committed "${t}" is missing from the replica`).toBe(true);
    for (const t of rolledBack) expect(titles.has(t)).toBe(false);
    expect(await diffReplicaAgainstCentral(core.db, central.url)).toEqual([]);
    console.info(`[out-of-order] ${steps} steps, ${pullsChecked} checked pulls, ${heldBack} times held back by an open writer, ${committed.size} committed / ${rolledBack.size} rolled-back inserts, ${SEEDED - fresh.length} seeded rows changed`);
    expect(committed.size).toBeGreaterThan(10);
    expect(heldBack).toBeGreaterThan(5);
  });
});
