import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, isRoot, postgresIds } from './sync-fault-pgcluster';

/**
 * A private PgBouncer in transaction pooling mode (Debian's `pgbouncer`), in front of one
 * PostgreSQL server: its own ini in a temp folder, a free port on 127.0.0.1, started as the
 * `postgres` OS user when the test runs as root (PgBouncer refuses to run as root).
 *
 * Clients authenticate with `trust` against the logins listed in its auth file (the PostgreSQL
 * behind it trusts 127.0.0.1, so each server connection logs in as the client's own login and
 * `session_user` stays the person's login, as the row-level security and the push function need).
 * `poolSize` caps the server connections of the whole database (`max_db_connections`), across
 * every login: a pool that needs a connection closes an idle one of another login first.
 */
export interface PgBouncer {
  readonly port: number;
  /** The running PgBouncer's process id (to read its CPU time from /proc), or null. */
  pid(): number | null;
  /** The target URL with host and port replaced by the bouncer's (user and password kept). */
  urlFor(targetUrl: string): string;
  /** Adds logins to the auth file and reloads the configuration. */
  allowLogins(logins: string[]): Promise<void>;
  /** `SHOW POOLS` / `SHOW SERVERS` etc. on the admin console, as rows. */
  admin(command: string): Promise<Record<string, unknown>[]>;
  /** Stops PgBouncer (SIGTERM: every client and server connection is closed at once). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same configuration. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export interface PgBouncerOptions {
  /** A URL of the PostgreSQL server to pool (only its host and port are used). */
  target: string;
  /** Server connections for the whole database (default 5). */
  poolSize?: number;
  /** Logins that may connect (besides `postgres`, always allowed). */
  logins?: string[];
}

const BINARY = '/usr/sbin/pgbouncer';

export function pgBouncerAvailable(): boolean {
  return existsSync(BINARY) && (!isRoot() || (postgresIds() !== null && existsSync('/usr/sbin/runuser')));
}

const quoteLogin = (login: string) => `"${login.replaceAll('"', '""')}" ""`;

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const live = new Set<PgBouncer>();
process.once('exit', () => {
  for (const b of live) void b.destroy();
});

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  if (!pgBouncerAvailable()) throw new Error(`PgBouncer not found at ${BINARY} (apt-get install pgbouncer)`);
  const target = new URL(options.target);
  const poolSize = options.poolSize ?? 5;
  const root = mkdtempSync(path.join(os.tmpdir(), 'coordinator-pgbouncer-'));
  const ids = isRoot() ? postgresIds() : null;
  if (ids) chownSync(root, ids.uid, ids.gid);
  const ini = path.join(root, 'pgbouncer.ini');
  const users = path.join(root, 'userlist.txt');
  const pidFile = path.join(root, 'pgbouncer.pid');
  const logFile = path.join(root, 'pgbouncer.log');
  const port = await freePort();
  const logins = new Set(['postgres', ...(options.logins ?? [])]);
  const writeOwned = (file: string, text: string) => {
    writeFileSync(file, text);
    if (ids) chownSync(file, ids.uid, ids.gid);
  };
  const writeUsers = () => writeOwned(users, [...logins].map(quoteLogin).join('\n') + '\n');
  writeUsers();
  writeOwned(
    ini,
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || '5432'}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${users}`,
      'admin_users = postgres',
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      `max_db_connections = ${poolSize}`,
      'reserve_pool_size = 0',
      'max_client_conn = 5000',
      // Idle server connections of a login are closed after a while, so its slot goes to others.
      'server_idle_timeout = 10',
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${logFile}`,
      `pidfile = ${pidFile}`,
      '',
    ].join('\n'),
  );

  const run = (args: string[]) => {
    const [cmd, argv] = ids ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', BINARY, ...args]] : [BINARY, args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: root, timeout: 30_000 });
    if (r.status !== 0) throw new Error(`pgbouncer ${args.join(' ')} failed (${String(r.status)}): ${r.stderr}${r.stdout}\n${existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : ''}`);
  };
  const pid = (): number | null => {
    if (!existsSync(pidFile)) return null;
    const n = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  };
  const alive = (p: number) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/pgbouncer`;
  const accepts = async () => {
    // The admin console speaks only the simple query protocol.
    const c = new pg.Client({ connectionString: adminUrl });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query({ text: 'SHOW VERSION', queryMode: 'simple' } as pg.QueryConfig);
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  };

  const bouncer: PgBouncer = {
    port,
    pid: () => {
      const p = pid();
      return p !== null && alive(p) ? p : null;
    },
    urlFor(targetUrl) {
      const u = new URL(targetUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async allowLogins(more) {
      for (const l of more) logins.add(l);
      writeUsers();
      await bouncer.admin('RELOAD');
    },
    async admin(command) {
      const c = new pg.Client({ connectionString: adminUrl });
      c.on('error', () => undefined);
      await c.connect();
      try {
        const result = await c.query<Record<string, unknown>>({ text: command, queryMode: 'simple' } as pg.QueryConfig);
        return result.rows;
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    async start() {
      run(['-d', '-q', ini]);
      await waitUntil(accepts, `PgBouncer accepting on port ${port}`);
    },
    async stop() {
      const p = pid();
      if (p === null || !alive(p)) return;
      process.kill(p, 'SIGTERM');
      await waitUntil(async () => !alive(p), `PgBouncer (pid ${p}) exiting`);
    },
    async destroy() {
      if (!live.has(bouncer)) return;
      live.delete(bouncer);
      const p = pid();
      if (p !== null && alive(p)) process.kill(p, 'SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
  live.add(bouncer);
  try {
    await bouncer.start();
  } catch (error) {
    await bouncer.destroy();
    throw error;
  }
  return bouncer;
}
