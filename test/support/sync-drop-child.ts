/**
 * Run in a child process by replacement.test.ts: bootstraps an empty replica from the central
 * database given as argv[2] and has the server cut the sync connection between two pages. Reports
 * (one JSON line on stdout) how the first sync failed, whether the next one completed the
 * bootstrap, and any uncaught exception the dropped connection caused. A child process, because
 * an uncaught exception must not take down the test runner.
 */
import pg from 'pg';
import { tempCore } from './core';

const url = process.argv[2];
if (!url) throw new Error('usage: sync-drop-child <central url>');

const uncaught: string[] = [];
process.on('uncaughtException', (error) => {
  uncaught.push(error instanceof Error ? error.message : String(error));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const core = tempCore();
const killer = new pg.Client({ connectionString: url });
killer.on('error', () => undefined);
await killer.connect();
let killed = false;
const engine = core.sync.connect({
  central: { url },
  firstConnect: 'upload',
  bootstrapPageSize: 2,
  yieldBetweenPages: async () => {
    if (killed) return;
    killed = true;
    // The server drops the sync connection while the engine holds it between two pages.
    await killer.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'coordinator' AND pid <> pg_backend_pid()`,
    );
    await sleep(300);
  },
});

let firstError: string | null = null;
try {
  await engine.syncOnce();
} catch (error) {
  firstError = error instanceof Error ? error.message : String(error);
}
const stateAfterFailure = engine.status().state;
const bootstrapSaved = core.sync.state.bootstrap() !== null;
const second = await engine.syncOnce();
const tasks = core.tasks.count();
await engine.close();
await killer.end();
core.dispose();
process.stdout.write(`${JSON.stringify({ firstError, stateAfterFailure, bootstrapSaved, bootstrapped: second.bootstrapped, tasks, uncaught })}\n`);
