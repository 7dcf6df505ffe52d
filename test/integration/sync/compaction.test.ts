/**
 * Compacting the central change log (core/sync/central/compact.ts, run by `coordinator maintain
 * --pg`): superseded changes go, the newest change of every row stays. Replicas that were offline
 * across a compaction, and replicas syncing while it runs, still converge; nothing reads as a
 * restored server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { compactChangeLog } from '../../../core/sync/central/compact';
import { maintainCentral } from '../../../core/ops/maintain';
import { tempCentral } from '../../support/pg';
import { expectConverged, openReplica, seedOrganisation, syncAll, type Replica } from '../../support/sync-harness';

let central: Awaited<ReturnType<typeof tempCentral>>;
const replicas: Replica[] = [];

afterEach(async () => {
  while (replicas.length > 0) await replicas.pop()?.dispose();
  await central?.drop();
});

async function open(name: string): Promise<Replica> {
  const r = openReplica(central, name);
  replicas.push(r);
  return r;
}

const logStats = async () =>
  (
    await central.query<{ n: number; rows: number; max: string }>(
      'SELECT count(*)::int AS n, count(DISTINCT (table_name, row_id))::int AS rows, max(version)::text AS max FROM sync_changes',
    )
  ).rows[0] ?? { n: 0, rows: 0, max: '0' };

describe('change log compaction', () => {
  it('keeps one change per row and the highest version; a replica offline across it catches up without a rebuild', async () => {
    central = await tempCentral();
    const A = await open('A');
    const org = seedOrganisation(A.core, { tasks: 4 });
    await A.sync();
    const C = await open('C');
    await C.sync();
    // C goes offline; A edits the same rows again and again, deletes one, adds and removes another.
    for (let i = 1; i <= 5; i += 1) {
      A.clock.advance(60_000);
      A.core.tasks.update({ id: org.tasks[0]!.id, title: `Edit ${i}` });
      A.core.tasks.update({ id: org.tasks[1]!.id, priority: i % 2 === 0 ? 'high' : 'low' });
      await A.sync();
    }
    A.core.tasks.delete(org.tasks[2]!.id);
    const brief = A.core.tasks.create({ title: 'Here and gone', projectId: org.project.id });
    await A.sync();
    A.core.tasks.delete(brief.id);
    await A.sync();

    const before = await logStats();
    const report = await compactChangeLog(central.client);
    const after = await logStats();
    expect(report.removed).toBe(before.n - before.rows);
    expect(after).toEqual({ n: before.rows, rows: before.rows, max: before.max });

    const caughtUp = await C.sync();
    expect(caughtUp.replaced).toBe(false);
    expect(caughtUp.identity).toBeNull();
    expect(C.core.tasks.getRow(org.tasks[0]!.id).title).toBe('Edit 5');
    expect(() => C.core.tasks.getRow(org.tasks[2]!.id)).toThrow();
    expect(() => C.core.tasks.getRow(brief.id)).toThrow();
    await expectConverged(central, [A, C]);
    // Compacting a compact log removes nothing.
    expect((await compactChangeLog(central.client)).removed).toBe(0);
  });

  it('replicas syncing while compactions run converge', async () => {
    central = await tempCentral();
    const A = await open('A');
    const org = seedOrganisation(A.core, { tasks: 3 });
    await A.sync();
    const B = await open('B');
    await B.sync();
    let compacting = true;
    let runs = 0;
    const compactor = (async () => {
      while (compacting) {
        await compactChangeLog(central.client, 3);
        runs += 1;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    for (let i = 0; i < 12; i += 1) {
      const writer = i % 2 === 0 ? A : B;
      writer.clock.advance(60_000);
      writer.core.tasks.update({ id: org.tasks[i % 3]!.id, title: `${writer.name} edit ${i}` });
      writer.core.comments.add({ taskId: org.tasks[i % 3]!.id, content: `comment ${i}` });
      await syncAll([A, B], 1);
    }
    compacting = false;
    await compactor;
    expect(runs).toBeGreaterThan(1);
    await syncAll([A, B]);
    await expectConverged(central, [A, B]);
  });

  it('`maintain` compacts before it vacuums', async () => {
    central = await tempCentral();
    const A = await open('A');
    const org = seedOrganisation(A.core, { tasks: 1 });
    await A.sync();
    for (let i = 0; i < 3; i += 1) {
      A.clock.advance(60_000);
      A.core.tasks.update({ id: org.tasks[0]!.id, title: `Again ${i}` });
      await A.sync();
    }
    const report = await maintainCentral({ url: central.url });
    expect(report.steps[0]).toMatchObject({ name: 'compact-change-log', ok: true });
    expect(report.steps[0]?.detail).toMatch(/^3 superseded changes removed/);
    expect(report.steps.map((s) => s.name)).toContain('vacuum-analyze sync_changes');
  });
});
