/**
 * Insights on a replica whose history partly came from others, through a real central PostgreSQL:
 * the pulled edits must land in the local audit trail at the time they were made, so the charts
 * equal those of the replica that made them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCentral } from '../../support/pg';
import { openReplica, type Replica } from '../../support/sync-harness';
import { EXPECTED, expectScriptedSeries, scriptProject } from '../../support/insights-scenario';

type Central = Awaited<ReturnType<typeof tempCentral>>;
let central: Central;
let A: Replica;
let B: Replica;
let world: ReturnType<typeof scriptProject>;

beforeEach(async () => {
  central = await tempCentral();
  A = openReplica(central, 'A');
  B = openReplica(central, 'B');
  world = scriptProject(A.core, (iso) => A.clock.set(iso));
  await A.sync();
  expect((await B.sync()).bootstrapped).toBe(true);
  B.core.session.setCurrentUser(A.core.session.currentUserId!);
});

afterEach(async () => {
  for (const r of [A, B]) await r?.dispose().catch(() => undefined);
  await central?.drop();
});

/** A makes T1's changes, B makes T2's and T3's; `afterEach` runs after every change. */
async function playSplit(afterStep: () => Promise<void>): Promise<void> {
  for (const [iso, name, patch] of world.steps) {
    const r = name === 't1' ? A : B;
    r.clock.set(iso);
    r.core.tasks.update({ id: world.tasks[name].id, ...patch });
    await afterStep();
  }
}

const range = { from: '2026-03-02', to: '2026-03-13' };

describe('insights after a sync brought in others\' changes', () => {
  it('a replica that pulled another replica\'s edits as they happened computes exactly the scripted series', async () => {
    await playSplit(async () => {
      await B.sync();
      await A.sync();
      await B.sync();
    });
    await A.sync();
    expectScriptedSeries(A.core.insights.compute({ projectId: world.project.id, ...range }));
    expectScriptedSeries(B.core.insights.compute({ projectId: world.project.id, ...range }));
    // The pulled status changes are recorded at the editor's time, not at the time they were pulled.
    const t2Done = A.core.db
      .prepare(`SELECT created_at FROM audit_log WHERE entity_table = 'tasks' AND entity_id = ? AND json_extract(changes, '$.status.new') = 'done'`)
      .all(world.tasks.t2.id);
    expect(t2Done).toEqual([{ created_at: '2026-03-11T09:00:00.000Z' }]);
  });

  it('offline for the whole fortnight, a replica still dates each pulled change by its own time (intermediate states between two pulls collapse)', async () => {
    await playSplit(async () => undefined);
    await B.sync();
    await A.sync();
    const insights = A.core.insights.compute({ projectId: world.project.id, ...range });
    // Completions and their weeks are exact; T2's in-progress stretch and estimate change were
    // never seen by A (they happened and were superseded before A's single pull).
    expect(insights.throughput).toEqual(EXPECTED.throughput);
    expect(insights.burndown.map((p) => p.openTasks)).toEqual(EXPECTED.openTasks);
    expect(insights.cumulativeFlow.at(-1)?.counts).toEqual(EXPECTED.flow.at(-1));
  });

  it('a pulled change is audited once: syncing again adds no history', async () => {
    await playSplit(async () => undefined);
    await B.sync();
    await A.sync();
    const count = () => (A.core.db.prepare(`SELECT count(*) AS n FROM audit_log`).get() as { n: number }).n;
    const before = count();
    await B.sync();
    await A.sync();
    expect(count()).toBe(before);
  });

  it("records only what visibly changed: my own edit coming back with another replica's is not audited twice", async () => {
    const t3 = world.tasks.t3.id;
    A.clock.set('2026-03-05T10:00:00.000Z');
    A.core.tasks.update({ id: t3, status: 'in_progress' }); // not pushed yet
    B.clock.set('2026-03-05T11:00:00.000Z');
    B.core.tasks.update({ id: t3, estimatedHours: 5 });
    await B.sync();
    await A.sync();
    const pulled = A.core.db
      .prepare(`SELECT changes, created_at FROM audit_log WHERE entity_id = ? AND actor_id IS NULL ORDER BY created_at`)
      .all(t3) as { changes: string; created_at: string }[];
    expect(pulled.map((r) => [JSON.parse(r.changes), r.created_at])).toEqual([[{ estimated_hours: { old: 2, new: 5 } }, '2026-03-05T11:00:00.000Z']]);
  });

  it('a change made in the central database without a new updated_at (CRM bridge, SQL) is dated when it arrived, not at the stale stamp', async () => {
    const t1 = world.tasks.t1.id;
    const stale = (A.core.db.prepare('SELECT updated_at FROM tasks WHERE id = ?').get(t1) as { updated_at: string }).updated_at;
    await central.query(`UPDATE tasks SET status = 'done', completed_at = now() WHERE id = $1`, [t1]);
    const before = new Date().toISOString();
    await A.sync();
    const after = new Date().toISOString();
    const rows = A.core.db
      .prepare(`SELECT created_at FROM audit_log WHERE entity_id = ? AND json_extract(changes, '$.status.new') = 'done'`)
      .all(t1) as { created_at: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.created_at).not.toBe(stale);
    expect(rows[0]!.created_at >= before && rows[0]!.created_at <= after).toBe(true);
  });
});
