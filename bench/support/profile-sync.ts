/**
 * Profiling driver (not a benchmark): runs one sync scenario on its own so a CPU profile shows
 * only the engine. `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/support/profile-sync.ts <bootstrap|backlog> [rows]`
 * then `npx tsx bench/support/summarise-profile.ts /tmp/prof/<file>.cpuprofile`.
 * Environment: PROFILE_SQL=1 prints wall time per SQLite statement; BOOT_PAGE, CACHE_KB, SYNC
 * (bootstrap) and PUSH_CHUNK (backlog) vary one engine/replica setting for an experiment.
 */
import { openCore } from '../../core/app/core';
import { createBenchCentral } from './central';
import { fixtureId, loadFixture } from './fixture';
import { tempDir } from './util';

/** With PROFILE_SQL=1: wall time per SQL text of every better-sqlite3 statement run/get/all. */
function instrumentStatements(db: ReturnType<typeof openCore>['db']): () => void {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
  const totals = new Map<string, { calls: number; ms: number }>();
  for (const method of ['run', 'get', 'all'] as const) {
    const original = proto[method] as (...args: unknown[]) => unknown;
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      const t = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const key = `${method} ${this.source.replace(/\s+/g, ' ').slice(0, 110)}`;
        const entry = totals.get(key) ?? { calls: 0, ms: 0 };
        entry.calls += 1;
        entry.ms += performance.now() - t;
        totals.set(key, entry);
      }
    };
  }
  return () => {
    for (const [key, v] of [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
      console.log(`${v.ms.toFixed(0).padStart(7)} ms ${String(v.calls).padStart(7)} calls  ${key}`);
    }
  };
}

async function main() {
  const scenario = process.argv[2] ?? 'bootstrap';
  const size = Number(process.argv[3] ?? 30_000);
  const tmp = tempDir();
  const central = await createBenchCentral();
  const core = openCore({ dbFile: tmp.file('replica.db') });
  const report = process.env.PROFILE_SQL ? instrumentStatements(core.db) : () => undefined;
  try {
    if (scenario === 'bootstrap') {
      await loadFixture(central.client, { users: 20, employees: 50, projects: 100, tasks: Math.round(size / 3), comments: Math.round((2 * size) / 3) });
      // Experiments for the report: BOOT_PAGE=<rows per page>, CACHE_KB=<SQLite page cache>, SYNC=<synchronous mode>.
      if (process.env.CACHE_KB) core.db.pragma(`cache_size = -${Number(process.env.CACHE_KB)}`);
      if (process.env.SYNC) core.db.pragma(`synchronous = ${process.env.SYNC}`);
      const engine = core.sync.connect({ central: { url: central.url }, bootstrapPageSize: Number(process.env.BOOT_PAGE ?? 5000) });
      const started = performance.now();
      const result = await engine.syncOnce();
      console.log(`bootstrap: ${result.pulled} rows in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      await engine.close();
    } else if (scenario === 'backlog') {
      await loadFixture(central.client, { users: 20, employees: 50, projects: 100, tasks: 2000, comments: 2000, tasksOwnedByFirstUser: true });
      // Experiment: PUSH_CHUNK=<mutations per coordinator_push call>.
      const engine = core.sync.connect({ central: { url: central.url }, pushChunkSize: Number(process.env.PUSH_CHUNK ?? 500) });
      await engine.syncOnce();
      core.session.setCurrentUser(fixtureId('user', 1));
      const created: string[] = [];
      for (let i = 0; i < size; i += 1) {
        if (i % 10 < 4) created.push(core.tasks.create({ title: `Offline ${i}`, projectId: fixtureId('project', 1 + (i % 100)), assignedTo: fixtureId('employee', 1), estimatedHours: 3 }).id);
        else if (i % 10 < 7) core.tasks.update({ id: created[created.length - 1] as string, priority: 'high', estimatedHours: 1.25 + (i % 7) });
        else core.comments.add({ taskId: fixtureId('task', 1 + (i % 2000)), content: `Offline note ${i}` });
      }
      const started = performance.now();
      const result = await engine.syncOnce();
      console.log(`backlog: pushed ${result.pushed}, pulled ${result.pulled} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      await engine.close();
    }
    report();
  } finally {
    core.close();
    await central.drop();
    tmp.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
