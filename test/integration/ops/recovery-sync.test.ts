/**
 * The recovery promise end to end, against a real PostgreSQL: a synced replica is edited
 * offline, its file is damaged on disk, the app's start-up recovery rebuilds it, and the next
 * sync delivers every offline edit to the central database and brings the rest back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore } from '../../../core/app/core';
import { openCoreWithRecovery } from '../../../core/ops/recovery';
import { checkIntegrity } from '../../../core/ops/sqlite-info';
import { corruptPagesOf } from '../../support/corrupt-db';
import { tempCentral } from '../../support/pg';

describe('recovery of a damaged replica with unsynced changes', () => {
  let central: Awaited<ReturnType<typeof tempCentral>>;
  let dir: string;
  beforeAll(async () => {
    central = await tempCentral();
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-recovery-sync-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await central.drop();
  });

  it('loses no offline change: after the rebuild, one sync puts all of them on the central database', async () => {
    const file = path.join(dir, 'laptop.db');
    const a = openCore({ dbFile: file });
    a.demo.seed();
    const online = a.sync.connect({ central: { url: central.url }, firstConnect: 'upload' });
    await online.syncOnce();
    await online.close();
    expect(a.sync.outbox.pendingCount()).toBe(0);

    // Offline: a new task with a comment, an edit, a delete. None of it reaches the server yet.
    const [edited, removed] = a.tasks.list({}).slice(0, 2);
    const created = a.tasks.create({ title: 'Planned on the train', priority: 'urgent' });
    const comment = a.comments.add({ taskId: created.id, content: 'No signal here' });
    a.tasks.update({ id: edited!.id, title: 'Renamed offline', status: 'testing' });
    a.tasks.delete(removed!.id);
    const offline = a.sync.outbox.pendingCount();
    expect(offline).toBeGreaterThanOrEqual(4);
    a.close();

    // The disk fails under the tasks and comments tables.
    corruptPagesOf(file, 'tasks');
    corruptPagesOf(file, 'comments');

    const { core, recovery } = openCoreWithRecovery({ dbFile: file });
    try {
      expect(recovery?.salvaged.pending).toBe(offline);
      expect(core.sync.outbox.pendingCount()).toBe(offline);
      const { rows: before } = await central.query<{ title: string }>('SELECT title FROM tasks WHERE id = $1', [created.id]);
      expect(before).toEqual([]);

      const engine = core.sync.connect({ central: { url: central.url }, firstConnect: 'upload' });
      try {
        const result = await engine.syncOnce();
        expect(result.rejected).toBe(0);
        expect(result.bootstrapped).toBe(true);
      } finally {
        await engine.close();
      }
      expect(core.sync.outbox.pendingCount()).toBe(0);

      // Every offline change is on the central database…
      const task = async (id: string) => (await central.query<{ title: string; status: string; priority: string }>('SELECT title, status, priority FROM tasks WHERE id = $1', [id])).rows[0];
      expect(await task(created.id)).toMatchObject({ title: 'Planned on the train', priority: 'urgent' });
      expect(await task(edited!.id)).toMatchObject({ title: 'Renamed offline', status: 'testing' });
      expect(await task(removed!.id)).toBeUndefined();
      const { rows: comments } = await central.query<{ content: string }>('SELECT content FROM comments WHERE id = $1', [comment.id]);
      expect(comments).toEqual([{ content: 'No signal here' }]);

      // …and the rebuilt replica holds the whole organisation again, healthy.
      const { rows: counts } = await central.query<{ n: string }>('SELECT count(*) AS n FROM tasks');
      expect(core.tasks.count()).toBe(Number(counts[0]!.n));
      expect(core.tasks.get(edited!.id).title).toBe('Renamed offline');
      expect(core.comments.list({ taskId: created.id }).map((c) => c.content)).toEqual(['No signal here']);
      expect(checkIntegrity(core.db).ok).toBe(true);
    } finally {
      core.close();
    }
  });
});
