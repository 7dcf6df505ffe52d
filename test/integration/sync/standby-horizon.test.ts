/**
 * Pulls served by a streaming standby (issue 16): the visibility horizon (pg_snapshot_xmin) read on
 * a hot standby must keep the out-of-order-commit guarantee of the primary — a reader paging the
 * change log with `readHorizon`/`readChanges` (core/sync/central/pull.ts) on the standby, as the
 * sync engine's pull does, reads every committed change exactly once, however the writers on the
 * primary interleave and however far behind the standby is.
 *
 * Why it holds: a standby builds its snapshots from the transactions it knows to be running
 * (KnownAssignedXids). Replaying a record of transaction X marks every xid below X not seen yet as
 * running too, a commit record removes its transaction only once its commit status is written,
 * and replay only moves forward. So on one standby, an xid below the horizon has finished and its
 * changes are visible — a lagging standby only shows an older horizon. What is NOT safe is taking
 * the horizon from one server and the changes from another (see the last test).
 *
 * A private primary (test/support/sync-fault-pgcluster.ts) and its standby made with
 * `pg_basebackup -R` (test/support/standby.ts); replay is paused and resumed to make it lag.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChangePage, readChanges, readHorizon, type ChangeRef } from '../../../core/sync/central/pull';
import type { Cursor } from '../../../core/sync/state';
import { startPrivateCluster, type PrivateCluster } from '../../support/sync-fault-pgcluster';
import { startStandby, type Standby } from '../../support/standby';
import { prng } from '../../support/sync-fault-utils';

const SEED = Number(process.env.SYNC_STANDBY_SEED ?? Date.now() % 1_000_000);

let primary: PrivateCluster;
let standby: Standby;

beforeAll(async () => {
  primary = await startPrivateCluster();
  standby = await startStandby(primary);
}, 120_000);

afterAll(() => {
  standby?.destroy();
  primary?.destroy();
});

const key = (c: { xid: string; version: number }) => `${c.xid}/${c.version}`;

/**
 * A reader paging the change log as the engine's pull does (engine.ts `pull`): horizon, one page
 * below it after the cursor, the cursor to the last change read — or up to the horizon when the
 * page was short and the horizon is past it. Counts every change it reads.
 */
function changeReader(db: pg.Client, start: Cursor, pageSize: number, read: (db: pg.Client, cursor: Cursor) => Promise<{ horizon: string; changes: ChangeRef[] }>) {
  let cursor = start;
  const seen = new Map<string, number>();
  return {
    seen,
    cursor: () => cursor,
    async pull(): Promise<number> {
      let n = 0;
      for (;;) {
        const { horizon, changes } = await read(db, cursor);
        if (changes.length === 0) {
          if (BigInt(horizon) > BigInt(cursor.xid)) cursor = { xid: horizon, version: -1 };
          return n;
        }
        for (const c of changes) seen.set(key(c), (seen.get(key(c)) ?? 0) + 1);
        n += changes.length;
        const last = changes[changes.length - 1] as ChangeRef;
        const caughtUp = changes.length < pageSize && BigInt(horizon) > BigInt(last.xid);
        cursor = caughtUp ? { xid: horizon, version: -1 } : { xid: last.xid, version: last.version };
        if (changes.length < pageSize) return n;
      }
    },
  };
}

/** The engine's two statements, on one connection. */
const twoStatements = (pageSize: number) => async (db: pg.Client, cursor: Cursor) => {
  const horizon = await readHorizon(db);
  return { horizon, changes: await readChanges(db, cursor, horizon, pageSize) };
};

async function connect(url: string, name: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: name });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

interface Writer {
  client: pg.Client;
  inTx: boolean;
}

async function setup() {
  const url = await primary.createCentral();
  const admin = await connect(url, 'standby-test-admin');
  await standby.catchUp();
  const reader = await connect(standby.urlFor(url), 'standby-reader');
  const start: Cursor = { xid: await readHorizon(reader), version: -1 };
  const writers: Writer[] = [];
  for (let i = 0; i < 3; i += 1) writers.push({ client: await connect(url, `standby-writer-${i}`), inTx: false });
  return {
    url,
    admin,
    reader,
    start,
    writers,
    async committedAfter(cursor: Cursor): Promise<string[]> {
      const { rows } = await admin.query<{ xid: string; version: string }>(
        `SELECT xid::text, version::text FROM sync_changes WHERE (xid, version) > ($1::xid8, $2::bigint) ORDER BY xid, version`,
        [cursor.xid, cursor.version],
      );
      return rows.map((r) => `${r.xid}/${r.version}`);
    },
    async close() {
      for (const w of writers) {
        if (w.inTx) await w.client.query('ROLLBACK').catch(() => undefined);
        await w.client.end().catch(() => undefined);
      }
      await reader.end();
      await admin.end();
    },
  };
}

const insertTask = (w: Writer, title: string) => w.client.query(`INSERT INTO tasks (id, title) VALUES (gen_random_uuid(), $1)`, [title]);

describe('the pull horizon on a streaming standby', () => {
  it('an early xid committing after a later one: the standby reader waits for it, then reads both once', { timeout: 60_000 }, async () => {
    const s = await setup();
    try {
      const [w1, w2] = s.writers as [Writer, Writer];
      const reader = changeReader(s.reader, s.start, 2, twoStatements(2));
      await w1.client.query('BEGIN');
      const early = (await w1.client.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x; // no WAL yet
      await w2.client.query('BEGIN');
      await insertTask(w2, 'B (later xid, commits first)');
      await w2.client.query('COMMIT');
      await standby.catchUp();
      await reader.pull();
      // The standby never saw w1's xid in the WAL, yet treats it as running: B waits behind it.
      expect(reader.seen.size).toBe(0);
      expect(BigInt(reader.cursor().xid) <= BigInt(early)).toBe(true);
      await insertTask(w1, 'A (early xid, commits last)');
      await w1.client.query('COMMIT');
      await standby.catchUp();
      await reader.pull();
      const expected = await s.committedAfter(s.start);
      expect(expected).toHaveLength(2);
      expect([...reader.seen.keys()].sort()).toEqual([...expected].sort());
      expect([...reader.seen.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('randomised interleaved writers on the primary, a reader paging on the standby, replay paused and resumed: every change read exactly once', { timeout: 180_000 }, async () => {
    const rng = prng(SEED);
    console.info(`[standby-horizon] seed ${SEED}`);
    const s = await setup();
    let paused = false;
    try {
      const reader = changeReader(s.reader, s.start, 3, twoStatements(3));
      let pulls = 0;
      let pausedPulls = 0;
      let committed = 0;
      let lastCursor = s.start;
      for (let step = 0; step < 400; step += 1) {
        const roll = rng.next();
        const w = rng.pick(s.writers);
        if (roll < 0.08) {
          if (paused) await standby.resumeReplay();
          else await standby.pauseReplay();
          paused = !paused;
        } else if (roll < 0.3) {
          await reader.pull();
          pulls += 1;
          if (paused) pausedPulls += 1;
          const cursor = reader.cursor();
          expect(BigInt(cursor.xid) > BigInt(lastCursor.xid) || (cursor.xid === lastCursor.xid && cursor.version >= lastCursor.version)).toBe(true);
          lastCursor = cursor;
        } else if (!w.inTx) {
          await w.client.query('BEGIN');
          w.inTx = true;
          if (rng.next() < 0.5) await w.client.query('SELECT pg_current_xact_id()');
        } else if (roll < 0.8) {
          await insertTask(w, `t${step}`);
        } else {
          const how = rng.next() < 0.8 ? 'COMMIT' : 'ROLLBACK';
          await w.client.query(how);
          w.inTx = false;
          if (how === 'COMMIT') committed += 1;
        }
      }
      for (const w of s.writers) {
        if (w.inTx) await w.client.query('COMMIT');
        w.inTx = false;
      }
      if (paused) await standby.resumeReplay();
      paused = false;
      await standby.catchUp();
      // Below the horizon once nothing is in flight: one more pull reads the rest.
      await reader.pull();
      const expected = await s.committedAfter(s.start);
      const twice = [...reader.seen.entries()].filter(([, n]) => n > 1).map(([k]) => k);
      const missing = expected.filter((k) => !reader.seen.has(k));
      const extra = [...reader.seen.keys()].filter((k) => !expected.includes(k));
      expect({ missing, twice, extra }).toEqual({ missing: [], twice: [], extra: [] });
      console.info(`[standby-horizon] ${expected.length} changes from ${committed} committed transactions, ${pulls} pulls (${pausedPulls} with replay paused), all read once`);
      expect(expected.length).toBeGreaterThan(20);
      expect(pausedPulls).toBeGreaterThan(0);
    } finally {
      if (paused) await standby.resumeReplay();
      await s.close();
    }
  });

  it('the horizon from the primary with the changes from a lagging standby skips changes; one statement on either server does not', { timeout: 60_000 }, async () => {
    const s = await setup();
    try {
      const primaryReader = await connect(s.url, 'primary-reader');
      try {
        // Mixed: a pool that sends the horizon query to the primary and the page to the standby.
        const mixed = changeReader(s.reader, s.start, 100, async (standbyDb, cursor) => {
          const horizon = await readHorizon(primaryReader);
          return { horizon, changes: await readChanges(standbyDb, cursor, horizon, 100) };
        });
        const single = changeReader(s.reader, s.start, 100, (db, cursor) => readChangePage(db, cursor, 100));
        await standby.pauseReplay();
        const [w] = s.writers as [Writer];
        await w.client.query('BEGIN');
        await insertTask(w, 'written while the standby lags');
        await w.client.query('COMMIT');
        await mixed.pull();
        await single.pull();
        await standby.resumeReplay();
        await standby.catchUp();
        await mixed.pull();
        await single.pull();
        const expected = await s.committedAfter(s.start);
        expect(expected).toHaveLength(1);
        // The mixed reader moved its cursor to the primary's horizon past a change the standby had not replayed.
        expect(mixed.seen.size).toBe(0);
        expect([...single.seen.keys()]).toEqual(expected);
      } finally {
        await primaryReader.end();
      }
    } finally {
      await s.close();
    }
  });
});
