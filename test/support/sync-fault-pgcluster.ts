import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migratePg } from '../../core/sync/central/migrate-pg';

/**
 * A private, throwaway PostgreSQL server (initdb in a temp folder, its own port on 127.0.0.1) that a
 * test may restart or stop at will without touching the shared server other tests use. Needs the
 * PostgreSQL server binaries on this machine; when running as root the server runs as the
 * `postgres` OS user. `available()` says whether this is possible here.
 */
export interface PrivateCluster {
  readonly port: number;
  /** The temp folder holding the data directory, the log and the Unix socket. */
  readonly root: string;
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trusted. */
  readonly adminUrl: string;
  /** The postmaster's process id (to read the server's CPU time from /proc). */
  postmasterPid(): number | null;
  /** A fresh database with the central schema migrated in. */
  createCentral(): Promise<string>;
  /** `pg_ctl restart -m fast`: every connection is terminated, the server comes back. */
  restart(): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  isReady(): boolean;
  destroy(): void;
}

export function binDir(): string | null {
  const roots = ['/usr/lib/postgresql'];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    return existsSync(path.join(dir, 'initdb')) ? dir : null;
  } catch {
    return null;
  }
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export function postgresIds(): { uid: number; gid: number } | null {
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) };
  } catch {
    return null;
  }
}

export function privateClusterAvailable(): boolean {
  if (!binDir()) return false;
  if (isRoot()) return postgresIds() !== null && existsSync('/usr/sbin/runuser');
  return true;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL server tool, as the `postgres` OS user when this process is root. */
export function runPgTool(tool: string, args: string[], options: { cwd: string; allowFail?: boolean }) {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found');
  const ids = isRoot() ? postgresIds() : null;
  const [cmd, argv] = ids ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: options.cwd, timeout: 120_000 });
  if (r.status !== 0 && !options.allowFail) throw new Error(`${tool} ${args.join(' ')} failed (${String(r.status)}): ${r.stderr}${r.stdout}`);
  return r;
}

/** A temp folder the server's OS user owns. */
export function serverOwnedTempDir(prefix: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const ids = isRoot() ? postgresIds() : null;
  if (ids) chownSync(root, ids.uid, ids.gid);
  return root;
}

const live = new Set<PrivateCluster>();
process.once('exit', () => {
  for (const c of live) c.destroy();
});

/**
 * `passwords`: logins other than `postgres` must give their password over TCP (SCRAM-SHA-256), as
 * on a team's server; the shared test server trusts every local connection, so a wrong password
 * cannot be told from a right one there. `postgres` stays trusted, for the test's own setup.
 */
export interface PrivateClusterOptions {
  passwords?: boolean;
  /** `max_connections` (default 40). */
  maxConnections?: number;
  /** More server settings, given as `-c name=value` at start (e.g. shared_preload_libraries). */
  settings?: Record<string, string>;
}

export async function startPrivateCluster(opts: PrivateClusterOptions = {}): Promise<PrivateCluster> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found');
  const root = serverOwnedTempDir('coordinator-pgcluster-');
  const data = path.join(root, 'data');
  const log = path.join(root, 'server.log');
  const ids = isRoot() ? postgresIds() : null;
  const run = (tool: string, args: string[], allowFail = false) => runPgTool(tool, args, { cwd: root, allowFail });
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (opts.passwords) {
    // Overwriting keeps the file's owner (the server's OS user) and mode.
    writeFileSync(
      path.join(data, 'pg_hba.conf'),
      'local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost replication postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n',
    );
  }
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=${opts.maxConnections ?? 40}${Object.entries(opts.settings ?? {})
    .map(([k, v]) => ` -c ${k}=${v}`)
    .join('')}`;
  /** Async, so the process under test keeps running while the server goes down and comes back. */
  const runAsync = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [cmd, argv] = ids ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
      execFile(cmd, argv, { cwd: root, timeout: 60_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${tool} ${args.join(' ')} failed: ${error.message} ${stderr}${stdout}`)) : resolve(),
      );
    });
  const startArgs = ['-D', data, '-o', options, '-l', log, '-w', '-t', '60', 'start'];
  run('pg_ctl', startArgs);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let n = 0;
  const cluster: PrivateCluster = {
    port,
    root,
    adminUrl,
    postmasterPid() {
      try {
        const n = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        return Number.isInteger(n) && n > 0 ? n : null;
      } catch {
        return null;
      }
    },
    async createCentral() {
      const name = `coord_private_${(n += 1)}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = `postgres://postgres@127.0.0.1:${port}/${name}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await migratePg(client);
      await client.end();
      return url;
    },
    restart: () => runAsync('pg_ctl', ['-D', data, '-l', log, '-m', 'fast', '-w', '-t', '60', 'restart']),
    stop: (mode = 'fast') => runAsync('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']),
    start: () => runAsync('pg_ctl', startArgs),
    isReady() {
      return run('pg_isready', ['-h', '127.0.0.1', '-p', String(port)], true).status === 0;
    },
    destroy() {
      if (!live.has(cluster)) return;
      live.delete(cluster);
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop'], true);
      rmSync(root, { recursive: true, force: true });
    },
  };
  live.add(cluster);
  return cluster;
}
