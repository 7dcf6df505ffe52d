import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * What one PostgreSQL server spends during a measured window: CPU of its processes from /proc,
 * statement time from pg_stat_statements (when preloaded) and pg_stat_database, and the client
 * connections of one database sampled from pg_stat_activity.
 */

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  own: number;
  /** cutime + cstime: reaped children (exited backends, for the postmaster). */
  children: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(fields[i - 3]);
    return { ppid: n(4), own: n(14) + n(15), children: n(16) + n(17) };
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by a PostgreSQL server: the postmaster, its live children (backends,
 * walwriter, autovacuum…) and the children that have exited (counted in the postmaster's cutime
 * once reaped). Differences of two readings give the CPU of a window.
 */
export function serverCpuSeconds(postmasterPid: number): number {
  const master = procStat(postmasterPid);
  if (!master) return Number.NaN;
  let ticks = master.own + master.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.ppid === postmasterPid) ticks += stat.own;
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds of one process (e.g. PgBouncer). */
export function processCpuSeconds(pid: number | null): number {
  if (pid === null) return 0;
  const stat = procStat(pid);
  return stat ? stat.own / TICKS_PER_SECOND : Number.NaN;
}

export interface DatabaseTime {
  /** Top-level statement execution time (pg_stat_statements), ms; NaN without the extension. */
  statementMs: number;
  statements: number;
  /** pg_stat_database: committed transactions, backends opened, time in sessions (ms). */
  commits: number;
  sessions: number;
  activeMs: number;
}

export async function readDatabaseTime(admin: pg.Client, database: string): Promise<DatabaseTime> {
  const { rows } = await admin.query<{ commits: string; sessions: string; active: number }>(
    `SELECT xact_commit::text AS commits, sessions::text AS sessions, active_time AS active FROM pg_stat_database WHERE datname = $1`,
    [database],
  );
  let statementMs = Number.NaN;
  let statements = Number.NaN;
  try {
    const s = await admin.query<{ ms: number | null; calls: string | null }>(
      `SELECT sum(total_exec_time) AS ms, sum(calls)::text AS calls FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)`,
      [database],
    );
    statementMs = Number(s.rows[0]?.ms ?? 0);
    statements = Number(s.rows[0]?.calls ?? 0);
  } catch {
    // pg_stat_statements not preloaded: pg_stat_database's active time stands in.
  }
  return { statementMs, statements, commits: Number(rows[0]?.commits ?? 0), sessions: Number(rows[0]?.sessions ?? 0), activeMs: Number(rows[0]?.active ?? 0) };
}

/** Samples the client connections of `database` every `everyMs` until stopped: open, and busy (in a statement or a transaction). */
export function sampleConnections(adminUrl: string, database: string, everyMs = 200) {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'fleet-sampler' });
  client.on('error', () => undefined);
  let max = 0;
  let sum = 0;
  let busySum = 0;
  let busyMax = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ n: number; busy: number }>(
        `SELECT count(*)::int AS n, (count(*) FILTER (WHERE state <> 'idle'))::int AS busy
         FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND application_name <> 'fleet-bench'`,
        [database],
      );
      const n = rows[0]?.n ?? 0;
      const busy = rows[0]?.busy ?? 0;
      max = Math.max(max, n);
      sum += n;
      busyMax = Math.max(busyMax, busy);
      busySum += busy;
      samples += 1;
      await new Promise((r) => setTimeout(r, everyMs));
    }
    await client.end();
  })();
  return {
    async stop(): Promise<{ max: number; mean: number; busyMax: number; busyMean: number }> {
      running = false;
      await loop;
      return { max, mean: samples ? sum / samples : 0, busyMax, busyMean: samples ? busySum / samples : 0 };
    },
  };
}

/** The statements that took the most time in `database` since the last reset, summed over logins (pg_stat_statements). */
export async function topStatements(admin: pg.Client, database: string, limit = Number(process.env.FLEET_TOP ?? 8)): Promise<{ query: string; calls: number; rows: number; totalMs: number }[]> {
  try {
    const { rows } = await admin.query<{ query: string; calls: string; rows: string; ms: number }>(
      `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query, sum(calls)::text AS calls, sum(rows)::text AS rows, sum(total_exec_time) AS ms
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)
       GROUP BY 1 ORDER BY 4 DESC LIMIT $2`,
      [database, limit],
    );
    return rows.map((r) => ({ query: r.query, calls: Number(r.calls), rows: Number(r.rows), totalMs: r.ms }));
  } catch {
    return [];
  }
}
