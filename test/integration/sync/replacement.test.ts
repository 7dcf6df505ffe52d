/**
 * Bootstrap of an empty replica that is interrupted and resumed, and replacement sync of a
 * replica older than the central change log: rebuilt from a snapshot without losing its own
 * offline work.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCentral } from '../../support/pg';
import {
  centralSnapshot,
  expectConverged,
  localSnapshot,
  openReplica,
  seedOrganisation,
  syncAll,
  waitForVisibleChanges,
  type Replica,
} from '../../support/sync-harness';
import type { SyncProgress } from '../../../core/sync/engine';

type Central = Awaited<ReturnType<typeof tempCentral>>;
const execFileAsync = promisify(execFile);

let central: Central;
let replicas: Replica[];

beforeEach(async () => {
  central = await tempCentral();
  replicas = [];
});
afterEach(async () => {
  for (const r of replicas) await r.dispose().catch(() => undefined);
  await central?.drop();
});

function open(name: string, options: Parameters<typeof openReplica>[2] = {}): Replica {
  const r = openReplica(central, name, options);
  replicas.push(r);
  return r;
}

/** An organisation with no reporting lines (see the manager test below), big enough for many pages. */
async function seededOrigin(): Promise<{ A: Replica; org: ReturnType<typeof seedOrganisation> }> {
  const A = open('A');
  const org = seedOrganisation(A.core, { people: ['Ana', 'Ben', 'Cleo', 'Dev'], tasks: 9 });
  for (const [i, t] of org.tasks.entries()) {
    for (let c = 0; c <= i % 3; c += 1) A.core.comments.add({ taskId: t.id, content: `note ${c} on ${t.title}`, userId: org.users[c % 4]!.id });
  }
  await A.sync();
  return { A, org };
}

describe('bootstrap of an empty replica', () => {
  it('resumes after interruptions where it stopped, and ends complete with no duplicates', async () => {
    const { A, org } = await seededOrigin();
    let interruptAt: number | null = 4;
    let pages = 0;
    const seen: SyncProgress[] = [];
    const B = open('B', {
      engine: {
        bootstrapPageSize: 3,
        onProgress: (p) => {
          if (p.phase !== 'bootstrap') return;
          seen.push(p);
          pages += 1;
          if (interruptAt !== null && pages === interruptAt) throw new Error(`interrupted after page ${pages}`);
        },
      },
    });

    await expect(B.sync()).rejects.toThrow('interrupted after page 4');
    const saved = B.core.sync.state.bootstrap();
    expect(saved).not.toBeNull();
    expect(saved!.rowsDone).toBeGreaterThan(0);
    expect(B.core.sync.state.cursor()).toBeNull();
    const partial = localSnapshot(B.core);
    const partialRows = Object.values(partial).reduce((n, rows) => n + (rows?.length ?? 0), 0);
    expect(partialRows).toBe(saved!.rowsDone);
    expect(B.engine.status().state).toBe('error');

    // Meanwhile the central database moves on: an edit to an already copied row, a new task, a deletion.
    A.clock.set('2026-03-02T11:00:00.000Z');
    A.core.users.update({ id: org.users[0]!.id, fullName: 'Ana Renamed' });
    const late = A.core.tasks.create({ title: 'Created during the bootstrap', projectId: org.project.id });
    A.core.tasks.delete(org.tasks[8]!.id);
    await A.sync();

    // Second attempt, interrupted again later on.
    interruptAt = pages + 5;
    await expect(B.sync()).rejects.toThrow(/interrupted after page/);
    const second = B.core.sync.state.bootstrap();
    expect(second!.tableIndex * 100000 + second!.rowsDone).toBeGreaterThan(saved!.tableIndex * 100000 + saved!.rowsDone);

    interruptAt = null;
    const done = await B.sync();
    expect(done.bootstrapped).toBe(true);
    expect(done.skipped).toEqual([]);
    expect(B.core.sync.state.bootstrap()).toBeNull();
    expect(B.core.sync.state.cursor()).not.toBeNull();
    // Progress never went backwards across the attempts.
    const doneCounts = seen.map((p) => p.done);
    expect(doneCounts).toEqual([...doneCounts].sort((a, b) => a - b));

    // Complete and without duplicates: every table equals the central one, row for row.
    const after = await expectConverged(central, [A, B]);
    expect(after.tasks).toHaveLength(9);
    expect(after.comments).toHaveLength(18 - 3); // 1, 2, 3 per task for nine tasks, minus the deleted task's 3
    expect(B.core.users.get(org.users[0]!.id).fullName).toBe('Ana Renamed');
    expect(B.core.tasks.getRow(late.id).title).toBe('Created during the bootstrap');
    expect(() => B.core.tasks.getRow(org.tasks[8]!.id)).toThrow(/does not exist/);

    // Afterwards it is an ordinary replica: edits flow both ways.
    B.core.session.setCurrentUser(org.users[1]!.id);
    B.clock.set('2026-03-02T12:00:00.000Z');
    B.core.tasks.update({ id: late.id, status: 'done' });
    await syncAll([B, A]);
    expect(A.core.tasks.getRow(late.id).status).toBe('done');
    await expectConverged(central, [A, B]);
  });

  describe('when the server drops the sync connection between two pages', () => {
    let report: { firstError: string | null; stateAfterFailure: string; bootstrapSaved: boolean; bootstrapped: boolean; tasks: number; uncaught: string[] };
    beforeEach(async () => {
      const { A } = await seededOrigin();
      await A.engine.close();
      const child = path.resolve(__dirname, '../../support/sync-drop-child.ts');
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', child, central.url], { cwd: path.resolve(__dirname, '../../..'), timeout: 60_000 });
      report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    });

    it('the sync fails as offline, and the next sync resumes and completes the bootstrap', () => {
      expect(report.firstError).toMatch(/terminat|Connection|not queryable/i);
      expect(report.stateAfterFailure).toBe('offline');
      expect(report.bootstrapSaved).toBe(true);
      expect(report.bootstrapped).toBe(true);
      expect(report.tasks).toBe(9);
    });

    // pg-pool removes its error listener from a client while it is checked out, and the engine
    // holds one client for a whole run; a connection dropping while no query runs (between pages,
    // during the pause) must not become an uncaught exception in the Electron main process or CLI.
    it('the dropped connection does not raise an uncaught exception in the process', () => {
      expect(report.uncaught).toEqual([]);
    });
  });

  // Bootstrap reads a table page by page: an employee whose manager's id sorts after theirs has
  // the manager in a later page, and must still arrive. The demo organisation has such reporting
  // lines for any page size below the number of employees.
  it('an organisation with reporting lines bootstraps completely in small pages', async () => {
    const A = open('A');
    A.core.demo.seed();
    await A.sync();
    const B = open('B', { engine: { bootstrapPageSize: 3 } });
    const result = await B.sync();
    expect(result.skipped).toEqual([]);
    await expectConverged(central, [A, B], ['employees']);
  });
});

describe('replacement sync when the central change log was pruned past the replica', () => {
  /**
   * What a pruning job does: drop old change-log rows and record how far it went — here, everything
   * up to the newest change. (Just past the newest change rather than "now": a replica's cursor
   * after a rebuild is the cluster-wide visibility horizon, which other sessions on a shared
   * server can hold back below "now".)
   */
  async function pruneChangeLog(): Promise<string> {
    await waitForVisibleChanges(central.client);
    const { rows } = await central.query<{ xid: string }>(`SELECT ((max(xid)::text)::bigint + 1)::text AS xid FROM sync_changes`);
    const xid = rows[0]!.xid;
    await central.query('DELETE FROM sync_changes WHERE xid < $1::xid8', [xid]);
    await central.query(
      `INSERT INTO sync_meta (key, value) VALUES ('changes_pruned_below_xid', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [xid],
    );
    return xid;
  }

  it('rebuilds the replica from a snapshot; its offline edits survive and push; it is not replaced again', async () => {
    const { A, org } = await seededOrigin();
    const B = open('B');
    await B.sync();
    B.core.session.setCurrentUser(org.users[1]!.id);
    // An edit the server refuses stays in B's outbox as rejected, through the rebuild.
    await central.query(`ALTER TABLE tasks ADD CONSTRAINT tasks_no_secret CHECK (title NOT ILIKE '%secret%')`);
    B.clock.set('2026-03-02T09:30:00.000Z');
    B.core.tasks.update({ id: org.tasks[5]!.id, title: 'Secret title' });
    await B.sync();
    expect(B.core.sync.outbox.rejected()).toHaveLength(1);

    // B goes offline for a long time and keeps working.
    B.clock.set('2026-03-02T10:00:00.000Z');
    B.core.tasks.update({ id: org.tasks[0]!.id, priority: 'urgent', description: 'B wrote this offline' });
    const offlineTask = B.core.tasks.create({ title: 'Created offline on B', projectId: org.project.id });
    B.core.comments.add({ taskId: offlineTask.id, content: 'Offline comment' });
    B.core.tasks.update({ id: org.tasks[1]!.id, status: 'testing' }); // A deletes this task meanwhile

    // Meanwhile A deletes, creates and edits; then the change log is pruned.
    A.clock.set('2026-03-02T10:30:00.000Z');
    A.core.tasks.delete(org.tasks[1]!.id);
    A.core.tasks.delete(org.tasks[2]!.id);
    const fromA = A.core.tasks.create({ title: 'Created on A while B was away', projectId: org.project.id });
    A.core.tasks.update({ id: org.tasks[3]!.id, title: 'Renamed on A' });
    await A.sync();
    const pruned = await pruneChangeLog();
    expect(BigInt(B.core.sync.state.cursor()!.xid)).toBeLessThan(BigInt(pruned));

    const result = await B.sync();
    expect(result.replaced).toBe(true);
    expect(result.bootstrapped).toBe(true);
    expect(result.pushed).toBe(4); // pushed before the rebuild: two updates, the new task, its comment
    expect(BigInt(B.core.sync.state.cursor()!.xid)).toBeGreaterThanOrEqual(BigInt(pruned));

    // B's offline work is central and still on B.
    expect(B.core.tasks.getRow(org.tasks[0]!.id)).toMatchObject({ priority: 'urgent', description: 'B wrote this offline' });
    expect(B.core.comments.list({ taskId: offlineTask.id }).map((c) => c.content)).toEqual(['Offline comment']);
    const snap = await centralSnapshot(central.url, ['tasks', 'comments']);
    expect(snap.tasks?.find((t) => t.id === org.tasks[0]!.id)).toMatchObject({ priority: 'urgent', description: 'B wrote this offline' });
    expect(snap.tasks?.find((t) => t.id === offlineTask.id)).toMatchObject({ title: 'Created offline on B' });
    expect(snap.comments?.filter((c) => c.task_id === offlineTask.id).map((c) => c.content)).toEqual(['Offline comment']);
    // What B would have missed from the pruned log is there: deletions, creations, edits.
    expect(() => B.core.tasks.getRow(org.tasks[1]!.id)).toThrow(/does not exist/);
    expect(() => B.core.tasks.getRow(org.tasks[2]!.id)).toThrow(/does not exist/);
    expect(B.core.tasks.getRow(fromA.id).title).toBe('Created on A while B was away');
    expect(B.core.tasks.getRow(org.tasks[3]!.id).title).toBe('Renamed on A');
    // The edit of a deleted task lost to the delete, and says so.
    await B.sync();
    expect(B.core.sync.conflicts.list().filter((c) => c.kind === 'delete_wins').map((c) => c.rowId)).toEqual([org.tasks[1]!.id]);
    // The refused mutation is still listed.
    expect(B.core.sync.outbox.rejected().map((e) => e.fields.title)).toEqual(['Secret title']);

    // Not replaced again.
    const next = await B.sync();
    expect(next.replaced).toBe(false);
    expect(next.bootstrapped).toBe(false);
    await syncAll([A, B]);
    await expectConverged(central, [A, B]);
  });

  it('edits made while the rebuild is running are kept and pushed by the next sync', async () => {
    const { A, org } = await seededOrigin();
    let editedDuringRebuild = false;
    let replaced = false;
    const B = open('B', {
      engine: {
        bootstrapPageSize: 4,
        onProgress: (p) => {
          // Once the tasks are copied, the user edits one while the rest is still loading.
          if (!editedDuringRebuild && p.phase === 'bootstrap' && p.table === 'comments' && B.core.sync.state.cursor() === null && replaced) {
            editedDuringRebuild = true;
            B.clock.set('2026-03-02T13:00:00.000Z');
            B.core.tasks.update({ id: org.tasks[4]!.id, title: 'Edited during the rebuild' });
          }
        },
      },
    });
    await B.sync();
    B.core.session.setCurrentUser(org.users[1]!.id);
    A.clock.set('2026-03-02T12:00:00.000Z');
    A.core.tasks.update({ id: org.tasks[4]!.id, priority: 'low' });
    await A.sync();
    await pruneChangeLog();
    replaced = true;
    const result = await B.sync();
    expect(result.replaced).toBe(true);
    expect(editedDuringRebuild).toBe(true);
    expect(B.core.tasks.getRow(org.tasks[4]!.id)).toMatchObject({ title: 'Edited during the rebuild', priority: 'low' });
    expect(B.core.sync.outbox.pendingCount()).toBe(1);
    const push = await B.sync();
    expect(push.pushed).toBe(1);
    expect(push.replaced).toBe(false);
    await syncAll([B, A]);
    expect(A.core.tasks.getRow(org.tasks[4]!.id)).toMatchObject({ title: 'Edited during the rebuild', priority: 'low' });
  });

  // Whether a replica needs rebuilding is decided by how far it has read the change log, not by
  // the last change it pulled: otherwise every idle, up-to-date laptop would re-download
  // everything after each pruning.
  it('an up-to-date replica is not rebuilt when the log is pruned below what it has already read', async () => {
    const { A, org } = await seededOrigin();
    const B = open('B');
    await B.sync();
    A.clock.set('2026-03-02T12:00:00.000Z');
    A.core.tasks.update({ id: org.tasks[0]!.id, status: 'done' });
    await A.sync();
    await B.sync();
    await A.sync(); // both have read everything there is, up to the last change
    const { rows } = await central.query<{ xid: string }>('SELECT max(xid)::text AS xid FROM sync_changes');
    for (const r of [A, B]) expect(BigInt(r.core.sync.state.cursor()?.xid ?? '0'), `${r.name} has read past the last change`).toBeGreaterThan(BigInt(rows[0]?.xid ?? '0'));
    expect(B.core.tasks.getRow(org.tasks[0]!.id).status).toBe('done');
    await pruneChangeLog(); // prunes nothing either of them has not read
    const rb = await B.sync();
    const ra = await A.sync();
    expect({ A: ra.replaced, B: rb.replaced }).toEqual({ A: false, B: false });
  });
});
