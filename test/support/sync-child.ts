/**
 * A replica's sync running in its own process, so tests can SIGKILL it at any point.
 *
 *   node --import tsx test/support/sync-child.ts '<json ChildConfig>'   (the tests run it bundled: test/support/cli-bundle.ts)
 *
 * Opens the replica file, connects to the central database and runs `syncOnce()` in a loop. Every
 * event is one stdout line starting with `@@` followed by JSON (progress, result, error, done), so
 * the parent can tell "pushing" from "bootstrapping" from "pulling" and kill deliberately.
 * With `untilCaughtUp`, it exits 0 once the outbox is empty and the replica's cursor has reached
 * the last entry of the central change log; otherwise it loops until `maxRuns`.
 */
import pg from 'pg';
import { openCore } from '../../core/app/core';
import { installFault, type FaultSpec } from './sync-fault-inject';

export interface ChildConfig {
  dbFile: string;
  url: string;
  pushChunkSize?: number;
  pullPageSize?: number;
  bootstrapPageSize?: number;
  /** Stop after this many sync runs (default 200). */
  maxRuns?: number;
  /** Exit 0 when nothing is pending and the cursor is at the end of the central change log. */
  untilCaughtUp?: boolean;
  /** Pause between runs, ms (default 20). */
  pauseMs?: number;
  fault?: FaultSpec;
  /** Wait this long after each progress event (ms): widens the windows a parent can kill in. */
  slowProgressMs?: number;
}

const emit = (event: Record<string, unknown>) => {
  process.stdout.write(`@@${JSON.stringify({ t: Date.now(), ...event })}\n`);
};

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  if (config.fault) installFault(config.fault, emit);
  const core = openCore({ dbFile: config.dbFile });
  const engine = core.sync.connect({
    central: { url: config.url },
    firstConnect: 'upload',
    pushChunkSize: config.pushChunkSize,
    pullPageSize: config.pullPageSize,
    bootstrapPageSize: config.bootstrapPageSize,
    onProgress: (p) => emit({ ev: 'progress', ...p }),
    ...(config.slowProgressMs ? { yieldBetweenPages: () => new Promise<void>((r) => setTimeout(r, config.slowProgressMs)) } : {}),
  });
  emit({ ev: 'ready', pid: process.pid, pending: core.sync.outbox.pendingCount(), cursor: core.sync.state.cursor(), bootstrap: core.sync.state.bootstrap() });

  /** Asks central (a fresh connection each time, so a cut link cannot wedge it) for the newest change. */
  const caughtUp = async (): Promise<boolean> => {
    if (core.sync.outbox.pendingCount() > 0) return false;
    const cursor = core.sync.state.cursor();
    if (!cursor) return false;
    const probe = new pg.Client({ connectionString: config.url, connectionTimeoutMillis: 5_000 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      const { rows } = await probe.query<{ xid: string; version: string }>('SELECT xid::text AS xid, version::text AS version FROM sync_changes ORDER BY xid DESC, version DESC LIMIT 1');
      const last = rows[0];
      if (!last) return true;
      const cx = BigInt(cursor.xid);
      const lx = BigInt(last.xid);
      return cx > lx || (cx === lx && BigInt(cursor.version) >= BigInt(last.version));
    } finally {
      await probe.end().catch(() => undefined);
    }
  };

  const maxRuns = config.maxRuns ?? 200;
  let code = 1;
  for (let run = 1; run <= maxRuns; run += 1) {
    emit({ ev: 'run', run });
    try {
      const r = await engine.syncOnce();
      emit({ ev: 'result', run, pushed: r.pushed, pulled: r.pulled, rejected: r.rejected, conflicts: r.conflicts, skipped: r.skipped.length, bootstrapped: r.bootstrapped, status: engine.status() });
    } catch (error) {
      emit({ ev: 'error', run, message: error instanceof Error ? error.message : String(error), status: engine.status() });
    }
    if (config.untilCaughtUp) {
      try {
        if (await caughtUp()) {
          code = 0;
          break;
        }
      } catch (error) {
        emit({ ev: 'probe-error', message: error instanceof Error ? error.message : String(error) });
      }
    }
    await new Promise((r) => setTimeout(r, config.pauseMs ?? 20));
  }
  emit({ ev: 'done', code, status: engine.status() });
  await engine.close();
  core.close();
  process.exitCode = code;
}

main().catch((error: unknown) => {
  emit({ ev: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 2;
});
