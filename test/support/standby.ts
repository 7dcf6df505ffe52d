import { rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort, runPgTool, serverOwnedTempDir, type PrivateCluster } from './sync-fault-pgcluster';

/**
 * A hot standby of a private cluster (test/support/sync-fault-pgcluster.ts): `pg_basebackup -R`
 * from the primary into a temp folder, started on a port of its own, streaming the primary's WAL.
 * Replay can be paused and resumed (`pg_wal_replay_pause()`) to make it lag on purpose.
 */
export interface Standby {
  readonly port: number;
  /** The URL of the same database on the standby (read-only). */
  urlFor(primaryUrl: string): string;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the standby has replayed everything the primary had written when called. */
  catchUp(timeoutMs?: number): Promise<void>;
  destroy(): void;
}

export async function startStandby(primary: PrivateCluster): Promise<Standby> {
  const root = serverOwnedTempDir('coordinator-standby-');
  const data = path.join(root, 'data');
  const log = path.join(root, 'server.log');
  const run = (tool: string, args: string[], allowFail = false) => runPgTool(tool, args, { cwd: root, allowFail });
  // -R writes standby.signal and primary_conninfo; -X stream copies the WAL made meanwhile.
  run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c hot_standby=on -c hot_standby_feedback=on`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const primaryAdmin = primary.adminUrl;

  const withClient = async <T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  let destroyed = false;
  const standby: Standby = {
    port,
    urlFor(primaryUrl) {
      const u = new URL(primaryUrl);
      u.port = String(port);
      return u.toString();
    },
    async pauseReplay() {
      await withClient(adminUrl, async (c) => {
        await c.query('SELECT pg_wal_replay_pause()');
        // Pausing takes effect at the next record; wait until it has.
        for (;;) {
          const { rows } = await c.query<{ state: string }>('SELECT pg_get_wal_replay_pause_state() AS state');
          if (rows[0]?.state === 'paused') return;
          await new Promise((r) => setTimeout(r, 10));
        }
      });
    },
    async resumeReplay() {
      await withClient(adminUrl, (c) => c.query('SELECT pg_wal_replay_resume()'));
    },
    async catchUp(timeoutMs = 30_000) {
      const target = await withClient(primaryAdmin, async (c) => (await c.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0]?.lsn);
      const deadline = Date.now() + timeoutMs;
      await withClient(adminUrl, async (c) => {
        for (;;) {
          const { rows } = await c.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [target]);
          if (rows[0]?.ok) return;
          if (Date.now() > deadline) throw new Error(`the standby did not replay up to ${target} within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 10));
        }
      });
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop'], true);
      rmSync(root, { recursive: true, force: true });
    },
  };
  process.once('exit', () => standby.destroy());
  return standby;
}
