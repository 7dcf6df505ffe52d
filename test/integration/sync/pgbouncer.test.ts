/**
 * Direct-mode sync through PgBouncer in transaction pooling mode (issue 16): many laptops, each
 * with its own login, share a few PostgreSQL server connections. Between two statements of a sync
 * the server connection may change, so nothing the engine does may rely on session state; the
 * person still comes from `session_user` (PgBouncer keeps one pool per login, capped for the whole
 * database by `max_db_connections`).
 *
 * Login roles are cluster-wide, so every name carries a random suffix and every role made here is
 * dropped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../../core/admin';
import { migratePg } from '../../../core/sync/central/migrate-pg';
import { startPgBouncer, type PgBouncer } from '../../support/pgbouncer';
import { tempCentral } from '../../support/pg';
import { expectConverged, openReplica, type Replica } from '../../support/sync-harness';

const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const POOL = 3;
const LAPTOPS = 8;
const sfx = randomBytes(4).toString('hex');
const login = (i: number) => `fleet${i}_${sfx}`;

let central: Awaited<ReturnType<typeof tempCentral>>;
let bouncer: PgBouncer;
const replicas: Replica[] = [];

beforeAll(async () => {
  central = await tempCentral();
  for (let i = 0; i < LAPTOPS; i += 1) {
    await addUser(central.client, { username: login(i), email: `${login(i)}@example.com`, fullName: `Laptop ${i}`, role: 'admin', password: `pw-${login(i)}` });
  }
  bouncer = await startPgBouncer({ target: central.url, poolSize: POOL, logins: Array.from({ length: LAPTOPS }, (_, i) => login(i)) });
}, 120_000);

afterAll(async () => {
  for (const r of replicas) await r.dispose().catch(() => undefined);
  await bouncer?.destroy();
  await central?.drop();
  const a = new pg.Client({ connectionString: ADMIN_URL });
  await a.connect();
  try {
    const { rows } = await a.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`%\\_${sfx}`]);
    for (const { rolname } of rows) {
      await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [rolname]);
      await a.query(`DROP ROLE IF EXISTS ${a.escapeIdentifier(rolname)}`);
    }
  } finally {
    await a.end();
  }
});

/** The laptop's URL: its own login, through the bouncer. */
function bouncerUrl(role: string): string {
  const u = new URL(bouncer.urlFor(central.url));
  u.username = role;
  u.password = `pw-${role}`;
  return u.toString();
}

/**
 * Samples the PostgreSQL server connections to the test database every few milliseconds (from a
 * connection of its own, excluded along with the test's own admin connection).
 */
async function watchServerConnections(database: string, exclude: number[], poolSize: number) {
  const monitor = new pg.Client({ connectionString: ADMIN_URL });
  await monitor.connect();
  const self = Number((await monitor.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
  const pids = [...exclude, self];
  let max = 0;
  let maxActive = 0;
  let samples = 0;
  const over: string[] = [];
  const seen = new Set<number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await monitor.query<{ pid: number; state: string | null; usename: string; since: number }>(
        `SELECT pid, state, usename, extract(epoch FROM clock_timestamp() - backend_start)::float AS since FROM pg_stat_activity
         WHERE datname = $1 AND backend_type = 'client backend' AND NOT (pid = ANY($2::int[]))`,
        [database, pids],
      );
      max = Math.max(max, rows.length);
      maxActive = Math.max(maxActive, rows.filter((r) => r.state !== 'idle').length);
      if (rows.length > poolSize) over.push(rows.map((r) => `${r.pid}:${r.usename}:${r.state}:${r.since.toFixed(3)}`).join(' '));
      for (const r of rows) seen.add(r.pid);
      samples += 1;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await monitor.end();
      return { max, maxActive, samples, distinctBackends: seen.size, over };
    },
  };
}

let transientRetries = 0;

/**
 * One laptop's sync; a push that lost a deadlock to another laptop's fails as a whole (nothing
 * refused, see push-transient.test.ts) and the laptop syncs again, as it would on its next
 * interval.
 */
async function syncLaptop(r: Replica) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await r.sync();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= 5 || (code !== '40P01' && code !== '40001')) throw error;
      transientRetries += 1;
    }
  }
}

const adminPid = async () => Number((await central.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);

describe('direct-mode sync through PgBouncer (transaction pooling)', () => {
  it(`${LAPTOPS} laptops with their own logins edit concurrently through a pool of ${POOL} server connections and converge`, { timeout: 180_000 }, async () => {
    for (let i = 0; i < LAPTOPS; i += 1) replicas.push(openReplica(central, `L${i}`, { url: bouncerUrl(login(i)) }));
    const [first] = replicas as [Replica, ...Replica[]];
    // The first laptop made the project before connecting; it uploads it.
    const project = first.core.projects.create({ name: 'Pooled launch' });
    const tasks = Array.from({ length: LAPTOPS }, (_, i) => first.core.tasks.create({ title: `Pooled task ${i}`, projectId: project.id }));

    const watch = await watchServerConnections(central.name, [await adminPid()], POOL);
    const firstRun = await first.sync();
    expect(firstRun.pushed).toBeGreaterThan(0);
    // Everyone else bootstraps, all at once, each signed in as their own login through the pool.
    const joined = await Promise.all(replicas.slice(1).map(syncLaptop));
    expect(joined.every((r) => r.bootstrapped)).toBe(true);
    for (const [i, r] of replicas.entries()) expect(r.engine.status().signedIn?.login).toBe(login(i));

    // Concurrent edits: each laptop retitles its own task, all of them change the priority of
    // task 0 (conflicts, one winner), and each comments on task 0; then all sync at once.
    for (let round = 0; round < 3; round += 1) {
      for (const [i, r] of replicas.entries()) {
        r.clock.advance(60_000 + i * 1_000);
        r.core.tasks.update({ id: tasks[i]!.id, title: `Pooled task ${i} (round ${round})` });
        r.core.tasks.update({ id: tasks[0]!.id, priority: (['low', 'medium', 'high', 'urgent'] as const)[(i + round) % 4] });
        r.core.comments.add({ taskId: tasks[0]!.id, content: `from L${i} in round ${round}` });
      }
      const results = await Promise.all(replicas.map(syncLaptop));
      expect(results.reduce((n, r) => n + r.pushed, 0)).toBeGreaterThanOrEqual(LAPTOPS * 3);
      for (const r of replicas) expect(r.core.sync.outbox.pendingCount(), `${r.name} still has pending changes`).toBe(0);
      expect(replicas.flatMap((r) => r.core.sync.outbox.rejected().map((e) => `${r.name}: ${e.error}`))).toEqual([]);
    }
    // Two more rounds, one laptop after another, let every laptop see every other's pushes.
    for (let round = 0; round < 2; round += 1) for (const r of replicas) await r.sync();
    const seen = await watch.stop();

    await expectConverged(central, replicas);
    const { rows } = await central.query<{ n: string }>('SELECT count(*)::text AS n FROM comments WHERE task_id = $1', [tasks[0]!.id]);
    expect(Number(rows[0]?.n)).toBe(LAPTOPS * 3);
    // The laptops never held more server connections than the pool, though 8 of them synced at once.
    expect(seen.samples).toBeGreaterThan(10);
    expect(seen.max).toBeGreaterThan(0);
    // At most POOL server connections at work. PostgreSQL may list one more: when a login with no
    // connection of its own needs one, PgBouncer closes an idle connection of another login and
    // opens one for it at once, and the closed backend shows (idle) until it has exited.
    expect(seen.maxActive).toBeLessThanOrEqual(POOL);
    expect(seen.max, seen.over.slice(0, 5).join('\n')).toBeLessThanOrEqual(POOL + 1);
    console.info(`[pgbouncer] ${LAPTOPS} laptops, pool ${POOL}: at most ${seen.max} server connections (${seen.maxActive} not idle) in ${seen.samples} samples (${seen.distinctBackends} distinct backends over the run), ${transientRetries} syncs retried after losing a deadlock`);
    const pools = await bouncer.admin('SHOW POOLS');
    expect(pools.filter((p) => String(p.database) === central.name).length).toBeGreaterThanOrEqual(LAPTOPS);
  });

  it('the central migration through the pooler leaves no session advisory lock behind when its statements land on different server connections', async () => {
    // Another client takes the server connection each statement of the migration has just used
    // (PgBouncer hands out the most recently used idle connection), so consecutive statements
    // outside a transaction run on different server connections — as they may under load.
    const url = bouncer.urlFor(central.url);
    const migrator = new pg.Client({ connectionString: url });
    const other = new pg.Client({ connectionString: url });
    await migrator.connect();
    await other.connect();
    let otherInTx = false;
    const query = migrator.query.bind(migrator) as (...args: unknown[]) => Promise<unknown>;
    const interleaved = Object.assign(Object.create(migrator) as pg.Client, {
      async query(...args: unknown[]) {
        const result = await query(...args);
        if (otherInTx) await other.query('COMMIT');
        await other.query('BEGIN');
        await other.query('SELECT 1');
        otherInTx = true;
        return result;
      },
    });
    try {
      await migratePg(interleaved);
    } finally {
      if (otherInTx) await other.query('COMMIT');
      await migrator.end();
      await other.end();
    }
    const { rows } = await central.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = $1`,
      [central.name],
    );
    expect(Number(rows[0]?.n), 'an advisory lock is still held by a pooled server connection').toBe(0);
  });
});
