import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migratePg } from '../../core/sync/central/migrate-pg';

/** The server that benchmarks create their throwaway databases on. */
export const ADMIN_URL = process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface BenchCentral {
  name: string;
  url: string;
  /** A connection owned by the benchmark (fixture loading, remote writes, checks). */
  client: pg.Client;
  /** Seconds spent creating and migrating the database. */
  setupSeconds: number;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh `coord_bench_<random>` database with the central schema migrated in. */
export async function createBenchCentral(): Promise<BenchCentral> {
  const started = performance.now();
  const name = `coord_bench_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(ADMIN_URL, name);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await client.end().catch(() => undefined);
    await admin(async (a) => {
      await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await a.query(`DROP DATABASE IF EXISTS ${name}`);
    });
  };
  try {
    await client.connect();
    await migratePg(client);
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  return { name, url, client, setupSeconds: (performance.now() - started) / 1000, drop };
}

/**
 * Per-function call counts and times from pg_stat_user_functions (needs track_functions = 'all'
 * for the sessions being measured; set on the database before they connect).
 */
export async function functionStats(client: pg.Client): Promise<Map<string, { calls: number; totalMs: number; selfMs: number }>> {
  const { rows } = await client.query<{ funcname: string; calls: string; total_time: number; self_time: number }>(
    'SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions',
  );
  return new Map(rows.map((r) => [r.funcname, { calls: Number(r.calls), totalMs: Number(r.total_time), selfMs: Number(r.self_time) }]));
}

/**
 * Waits (up to `timeoutMs`) until every transaction up to `xid` is below the cluster-wide
 * snapshot horizon the sync engine reads changes under. Any open transaction on the server,
 * in any database (e.g. a CREATE DATABASE by a parallel test run), holds that horizon back.
 * Returns the milliseconds waited.
 */
export async function waitForHorizon(client: pg.Client, xid: string, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const { rows } = await client.query<{ visible: boolean }>('SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 AS visible', [xid]);
    if (rows[0]?.visible) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`the snapshot horizon did not pass xid ${xid} within ${timeoutMs / 1000} s (a long transaction is open on the server)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
