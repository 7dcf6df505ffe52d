/**
 * Doctor's local checks, the index-health check and retention, on real cores; each check is also
 * shown to fail when what it guards is broken.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { healthReportSchema } from '../../../shared/health';
import { runDoctor } from '../../../core/ops/doctor';
import { checkHotQueries, HOT_QUERIES } from '../../../core/ops/index-health';
import { runRetention } from '../../../core/ops/retention';
import { maintainLocal } from '../../../core/ops/maintain';
import { manualClock, tempCore } from '../../support/core';

describe('doctor (local)', () => {
  let core: ReturnType<typeof tempCore>;
  const clock = manualClock('2026-03-02T09:00:00.000Z');
  beforeEach(() => {
    core = tempCore({ clock });
    core.demo.seed();
  });
  afterEach(() => core.dispose());

  it('reports a healthy replica: every check ok, counts, growth and sync lag', async () => {
    const report = await runDoctor({ db: core.db, dbFile: core.dbFile, now: new Date('2026-03-02T10:00:00.000Z') });
    expect(healthReportSchema.parse(report)).toEqual(report);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts.local).toMatchObject({ tasks: 60, projects: 5 });
    expect(report.counts.central).toEqual({});
    expect(report.sync.pending).toBe(core.sync.outbox.pendingCount());
    expect(report.sync.lagSeconds).toBe(3600);
    expect(report.database?.migrations.applied).toBe(report.database?.migrations.known);
  });

  it('fails the sync check after a failed sync, and the migration check for a database from the future', async () => {
    core.sync.state.setLastError('The central database cannot be reached');
    core.db.prepare(`INSERT INTO schema_migrations (idx, tag, checksum, applied_at) VALUES (999, 'future', 'x', 'now')`).run();
    const report = await runDoctor({ db: core.db, dbFile: core.dbFile });
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toEqual(['local.migrations', 'sync.health']);
  });

  it('reports a database that cannot be opened as a failed check instead of throwing', async () => {
    const report = await runDoctor({ db: null, dbFile: '/nowhere/x.db', openError: 'file is not a database' });
    expect(report).toMatchObject({ ok: false, checks: [{ name: 'local.open', ok: false }], database: null });
  });
});

describe('index health', () => {
  let core: ReturnType<typeof tempCore>;
  beforeEach(() => {
    core = tempCore();
  });
  afterEach(() => core.dispose());

  it('every hot query is served by its index', () => {
    const results = checkHotQueries(core.db);
    expect(results).toHaveLength(HOT_QUERIES.length);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('fails when an index is missing and the plan falls back to a scan', () => {
    core.db.exec('DROP INDEX idx_comments_task_id; DROP INDEX idx_notifications_user_read');
    const failed = checkHotQueries(core.db).filter((r) => !r.ok);
    expect(failed.map((r) => r.name)).toEqual(['comments of a task', 'unread notifications of the user']);
    expect(failed[0]!.detail).toMatch(/expected idx_comments_task_id; plan: SCAN comments/);
  });
});

describe('retention and maintenance', () => {
  let core: ReturnType<typeof tempCore>;
  const clock = manualClock('2026-03-02T09:00:00.000Z');
  beforeEach(() => {
    core = tempCore({ clock });
  });
  afterEach(() => core.dispose());

  it('honours the configured windows and leaves open conflicts and unread notifications alone', () => {
    core.demo.seed();
    const db = core.db;
    db.exec(`DELETE FROM sync_outbox`); // as after a sync: nothing pending
    db.exec(`UPDATE notifications SET read = 0, read_at = NULL`);
    db.exec(`UPDATE notifications SET read = 1, read_at = '2026-02-20T00:00:00.000Z' WHERE rowid IN (SELECT rowid FROM notifications LIMIT 3)`);
    const insertConflict = db.prepare(`INSERT INTO sync_conflicts (id, table_name, row_id, field, kind, created_at, resolved_at) VALUES (?, 'tasks', 'r', 'title', 'field_lww', '2025-01-01', ?)`);
    insertConflict.run('c-open', null);
    insertConflict.run('c-old', '2025-01-02T00:00:00.000Z');
    insertConflict.run('c-recent', '2026-03-01T00:00:00.000Z');

    const lenient = runRetention(db, { readNotificationsDays: 30 }, { clock });
    expect(lenient.policies.find((p) => p.name === 'read-notifications')?.matched).toBe(0);
    const strict = runRetention(db, { readNotificationsDays: 7, resolvedConflictsDays: 30 }, { clock, apply: true });
    const removed = Object.fromEntries(strict.policies.map((p) => [p.name, p.removed]));
    expect(removed).toMatchObject({ 'read-notifications': 3, 'resolved-conflicts': 1 });
    expect(db.prepare('SELECT id FROM sync_conflicts ORDER BY id').pluck().all()).toEqual(['c-open', 'c-recent']);
    expect(db.prepare('SELECT count(*) FROM notifications WHERE read = 0').pluck().get()).toBeGreaterThan(0);
    expect(() => runRetention(db, { auditDays: 0 })).toThrow(/retention settings/);
    expect(() => runRetention(db, { keepForever: true })).toThrow(/retention settings/);
  });

  it('maintain checkpoints and truncates the WAL', () => {
    core.demo.seed();
    const result = maintainLocal(core.db, core.dbFile);
    expect(result.steps.every((s) => s.ok)).toBe(true);
    expect(result.after.walBytes).toBe(0);
  });
});
