/**
 * Start-up recovery on real SQLite files that are really damaged (pages overwritten on disk):
 * the file is moved aside untouched, the unsynced outbox is salvaged and queued again, and the
 * app opens a healthy replica. The end-to-end proof against PostgreSQL is in
 * test/integration/ops/recovery-sync.test.ts.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCore, type Core } from '../../../core/app/core';
import { AppError } from '../../../core/common/errors';
import { checkDatabaseFile, lastRecovery, openCoreWithRecovery } from '../../../core/ops/recovery';
import { checkIntegrity } from '../../../core/ops/sqlite-info';
import { corruptPagesOf, destroyHeader } from '../../support/corrupt-db';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

interface OutboxRow {
  mutation_id: string;
  table_name: string;
  row_id: string;
  op: string;
  fields: string;
  hlc: string;
  status: string;
}
const outboxOf = (core: Core) =>
  core.db.prepare('SELECT mutation_id, table_name, row_id, op, fields, hlc, status FROM sync_outbox ORDER BY seq').all() as OutboxRow[];
const taskTitles = (core: Core) => (core.db.prepare('SELECT id, title, status FROM tasks ORDER BY id').all() as { id: string; title: string; status: string }[]);

describe('start-up recovery of a damaged replica', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-recovery-'));
    file = path.join(dir, 'coordinator.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A local-only replica with a demo organisation and a few edits of every kind. */
  function makeReplica(): { outbox: OutboxRow[]; tasks: ReturnType<typeof taskTitles>; clientId: string; taskId: string } {
    const core = openCore({ dbFile: file });
    try {
      core.demo.seed();
      const task = core.tasks.create({ title: 'Written offline, must survive' });
      core.tasks.update({ id: task.id, status: 'in_progress', priority: 'high' });
      core.comments.add({ taskId: task.id, content: 'also unsynced' });
      const victim = core.tasks.create({ title: 'Deleted offline' });
      core.tasks.delete(victim.id);
      return { outbox: outboxOf(core), tasks: taskTitles(core), clientId: core.sync.state.clientId(), taskId: task.id };
    } finally {
      core.close();
    }
  }

  it('moves the damaged file aside untouched, salvages the whole outbox and rebuilds a working replica', () => {
    const before = makeReplica();
    corruptPagesOf(file, 'tasks');
    const damagedHash = sha(file);
    const verdict = checkDatabaseFile(file);
    expect(verdict.ok).toBe(false);

    const { core, recovery } = openCoreWithRecovery({ dbFile: file });
    try {
      expect(recovery).not.toBeNull();
      expect(recovery!.reason).toMatch(/quick_check failed/);
      expect(recovery!.reason).not.toMatch(/\n/);
      // Never deleted, never modified.
      expect(existsSync(recovery!.movedTo)).toBe(true);
      expect(sha(recovery!.movedTo)).toBe(damagedHash);
      expect(recovery!.salvaged).toMatchObject({ pending: before.outbox.length, rejected: 0 });
      expect(recovery!.problems).toEqual([]);

      // Every unsynced change is queued again, in order, unchanged; under a new replica identity.
      expect(outboxOf(core)).toEqual(before.outbox);
      expect(core.sync.state.clientId()).not.toBe(before.clientId);
      expect(core.sync.state.cursor()).toBeNull();
      // A local-only replica's outbox holds its whole history: the data is back before any sync.
      expect(taskTitles(core)).toEqual(before.tasks);
      expect(core.tasks.get(before.taskId)).toMatchObject({ status: 'in_progress', priority: 'high' });
      expect(checkIntegrity(core.db).ok).toBe(true);
      expect(lastRecovery(core.db)).toEqual(recovery);

      // The rebuilt replica keeps working, and new edits queue after the salvaged ones.
      const added = core.tasks.create({ title: 'after recovery' });
      const after = outboxOf(core);
      expect(after.slice(0, before.outbox.length)).toEqual(before.outbox);
      const queued = after.find((e) => e.row_id === added.id)!;
      expect(queued.hlc > before.outbox.at(-1)!.hlc).toBe(true);
    } finally {
      core.close();
    }
    // The next start finds a healthy file and leaves it alone.
    expect(checkDatabaseFile(file)).toEqual({ ok: true });
    expect(readdirSync(dir).filter((f) => f.includes('.damaged-'))).toHaveLength(1 + ['-wal', '-shm'].filter((s) => existsSync(`${recovery!.movedTo}${s}`)).length);
  });

  it('salvages what is readable when the outbox itself is damaged, and says what was lost', () => {
    const fresh = makeReplica();
    const db = new Database(file, { readonly: true });
    const leaves = db.prepare(`SELECT pageno FROM dbstat WHERE name = 'sync_outbox' AND pagetype = 'leaf' ORDER BY pageno`).pluck().all() as number[];
    db.close();
    expect(leaves.length).toBeGreaterThan(2);
    corruptPagesOf(file, 'sync_outbox', { limit: 2 });

    const { core, recovery } = openCoreWithRecovery({ dbFile: file });
    try {
      const salvaged = outboxOf(core);
      expect(salvaged.length).toBeGreaterThan(0);
      expect(salvaged.length).toBeLessThan(fresh.outbox.length);
      // What was read is exactly what was written, and still in order.
      const original = new Map(fresh.outbox.map((e) => [e.mutation_id, e]));
      for (const entry of salvaged) expect(entry).toEqual(original.get(entry.mutation_id));
      const order = fresh.outbox.map((e) => e.mutation_id).filter((id) => salvaged.some((s) => s.mutation_id === id));
      expect(salvaged.map((e) => e.mutation_id)).toEqual(order);
      // Entries after the damaged pages were found (through the indexes or the backward scan).
      expect(salvaged.at(-1)!.mutation_id).toBe(fresh.outbox.at(-1)!.mutation_id);
      expect(recovery!.problems.join(' ')).toMatch(/unreadable/);
    } finally {
      core.close();
    }
  });

  it('rebuilds a file that no longer opens as a database at all, keeping the original and every unsynced change', () => {
    const before = makeReplica();
    destroyHeader(file);
    const damagedHash = sha(file);
    const verdict = checkDatabaseFile(file);
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/SQLITE_NOTADB/) });
    const { core, recovery } = openCoreWithRecovery({ dbFile: file });
    try {
      expect(sha(recovery!.movedTo)).toBe(damagedHash);
      // SQLite cannot list the tables; the outbox is read from the pages, recognised by shape.
      expect(recovery!.problems[0]).toMatch(/cannot read the damaged file as a database/);
      expect(recovery!.salvaged.pending).toBe(before.outbox.length);
      expect(recovery!.replayed).toBe(before.outbox.length);
      expect(outboxOf(core)).toEqual(before.outbox);
      expect(taskTitles(core)).toEqual(before.tasks);
      expect(core.tasks.create({ title: 'starting again' }).title).toBe('starting again');
    } finally {
      core.close();
    }
  });

  it('keeps refused changes (shown in Conflicts) without replaying them', () => {
    const core0 = openCore({ dbFile: file });
    const project = core0.projects.create({ name: 'Refused rename' });
    core0.db.prepare(`UPDATE sync_outbox SET status = 'rejected', error = 'FORBIDDEN: not yours' WHERE row_id = ?`).run(project.id);
    core0.tasks.create({ title: 'pending one' });
    const pending = core0.sync.outbox.pendingCount();
    core0.close();
    corruptPagesOf(file, 'tasks');
    const { core, recovery } = openCoreWithRecovery({ dbFile: file });
    try {
      expect(recovery!.salvaged).toMatchObject({ pending, rejected: 1 });
      expect(core.sync.outbox.rejected()).toEqual([expect.objectContaining({ rowId: project.id, error: 'FORBIDDEN: not yours' })]);
      expect(core.db.prepare('SELECT count(*) AS n FROM projects').get()).toEqual({ n: 0 });
    } finally {
      core.close();
    }
  });

  it('leaves a healthy database alone, and does not mistake a newer version for damage', () => {
    makeReplica();
    const hash = sha(file);
    const { core, recovery } = openCoreWithRecovery({ dbFile: file });
    core.close();
    expect(recovery).toBeNull();
    expect(readdirSync(dir).filter((f) => f.includes('.damaged-'))).toEqual([]);

    const db = new Database(file);
    db.prepare(`INSERT INTO schema_migrations (idx, tag, checksum, applied_at) VALUES (999, 'from_the_future', 'x', '2030-01-01')`).run();
    db.close();
    expect(() => openCoreWithRecovery({ dbFile: file })).toThrow(AppError);
    expect(readdirSync(dir).filter((f) => f.includes('.damaged-'))).toEqual([]);
    expect(hash).not.toBe(sha(file));
  });
});
