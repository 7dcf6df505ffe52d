/**
 * The operations commands as an administrator runs them: the real `coordinator` bin as a child
 * process, real SQLite files, the real PostgreSQL and MariaDB of this machine.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthReportSchema } from '../../../shared/health';
import { runCoordinator } from '../../support/cli';
import { corruptPagesOf } from '../../support/corrupt-db';
import { tempCentral } from '../../support/pg';

const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql';

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCoordinator(args, { COORDINATOR_PG_URL: undefined, COORDINATOR_CRM_URL: undefined, OPENAI_BASE_URL: undefined, ...env });
}

/** One JSON document on stdout, whatever the exit code. */
const parse = (stdout: string): unknown => JSON.parse(stdout);

describe('coordinator doctor / backup / verify-backup / retention / maintain / recover', () => {
  let central: Awaited<ReturnType<typeof tempCentral>>;
  let dir: string;
  let db: string;
  beforeAll(async () => {
    central = await tempCentral();
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-ops-cli-'));
    db = path.join(dir, 'a.db');
    expect((await cli(['--db', db, 'seed-demo'])).code).toBe(0);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await central.drop();
  });

  it('doctor: every check passes on a healthy replica with the central database and the CRM reachable', async () => {
    const synced = await cli(['--db', db, 'sync', '--upload', '--pg', central.url, '--json']);
    expect(synced.code).toBe(0);
    const run = await cli(['--db', db, 'doctor', '--pg', central.url, '--crm', MYSQL_URL, '--json']);
    const report = healthReportSchema.parse(parse(run.stdout));
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    const names = report.checks.map((c) => c.name);
    for (const name of ['local.integrity', 'local.migrations', 'local.foreign-keys', 'sync.health', 'central.connect', 'central.migrations', 'sync.behind', 'crm.connect']) {
      expect(names).toContain(name);
    }
    expect(names.filter((n) => n.startsWith('local.index:')).length).toBeGreaterThanOrEqual(8);
    expect(report.counts.local.tasks).toBe(60);
    expect(report.counts.central.tasks).toBe(60);
    expect(report.counts.central.sync_changes).toBeGreaterThan(0);
    expect(report.growth.local.tasks).toBe(60);
    expect(report.sync).toMatchObject({ pending: 0, lagSeconds: 0, lastError: null, behindChanges: 0 });
    expect(report.sync.lastSyncedAt).not.toBeNull();
  });

  it('doctor: exit 1 with one JSON document when a check fails; no password in the output', async () => {
    await cli(['--db', db, 'task', 'add', '--title', 'pending while offline']);
    const run = await cli(['--db', db, 'doctor', '--json', '--pg', 'postgres://coord:Sup3r-s3cret@127.0.0.1:1/none', '--crm', 'mysql://root:An0ther-s3cret@10.255.255.1/perfex'], {
      OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
      OPENAI_API_KEY: 'sk-never-printed',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const report = healthReportSchema.parse(parse(run.stdout));
    expect(report.ok).toBe(false);
    const failed = Object.fromEntries(report.checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
    expect(Object.keys(failed).sort()).toEqual(['ai.endpoint', 'central.connect', 'crm.connect']);
    expect(failed['crm.connect']).toMatch(/Refusing to send a password in clear text/);
    expect(report.sync.pending).toBeGreaterThan(0);
    for (const secret of ['Sup3r-s3cret', 'An0ther-s3cret', 'sk-never-printed']) expect(run.stdout + run.stderr).not.toContain(secret);

    const human = await cli(['--db', db, 'doctor', '--pg', 'postgres://nobody@127.0.0.1:1/none']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✗ central\.connect/);
    expect(human.stdout).toMatch(/1 check failed/);
  });

  it('backup: an online copy that verifies; verify-backup refuses a damaged or foreign file', async () => {
    const out = path.join(dir, 'backup.db');
    const made = await cli(['--db', db, 'backup', '--out', out, '--json']);
    expect(made.code).toBe(0);
    const result = parse(made.stdout) as { file: string; verification: { ok: boolean; counts: Record<string, number> } };
    expect(result.file).toBe(out);
    expect(result.verification.ok).toBe(true);
    expect(existsSync(`${out}-wal`)).toBe(false);

    const verified = await cli(['verify-backup', out, '--json']);
    expect(verified.code).toBe(0);
    const v = parse(verified.stdout) as { ok: boolean; integrity: { ok: boolean }; migrations: { applied: number; known: number }; counts: Record<string, number> };
    expect(v).toMatchObject({ ok: true, integrity: { ok: true } });
    expect(v.migrations.applied).toBe(v.migrations.known);
    const live = new Database(db, { readonly: true });
    expect(v.counts.tasks).toBe((live.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n);
    live.close();

    // No silent overwrite.
    const again = await cli(['--db', db, 'backup', '--out', out, '--json']);
    expect(again.code).toBe(1);
    expect(parse(again.stdout)).toMatchObject({ error: { code: 'CONFLICT' } });

    corruptPagesOf(out, 'tasks');
    const damaged = await cli(['verify-backup', out, '--json']);
    expect(damaged.code).toBe(1);
    expect(parse(damaged.stdout)).toMatchObject({ ok: false, integrity: { ok: false } });

    const foreign = path.join(dir, 'foreign.db');
    new Database(foreign).exec('CREATE TABLE x (a)');
    const notOurs = await cli(['verify-backup', foreign, '--json']);
    expect(notOurs.code).toBe(1);
    expect((parse(notOurs.stdout) as { problems: string[] }).problems.join(' ')).toMatch(/not a Coordinator database/);
  });

  it('retention: a dry run removes nothing; --apply removes exactly what the dry run listed', async () => {
    const file = path.join(dir, 'retention.db');
    expect((await cli(['--db', file, 'seed-demo'])).code).toBe(0);
    const raw = new Database(file);
    raw.exec(`UPDATE notifications SET read = 1, read_at = '2020-01-01T00:00:00.000Z' WHERE rowid IN (SELECT rowid FROM notifications LIMIT 7)`);
    raw.exec(`UPDATE audit_log SET created_at = '2020-01-01T00:00:00.000Z' WHERE rowid IN (SELECT rowid FROM audit_log LIMIT 5)`);
    // A notification whose read state is still waiting to be pushed must stay.
    raw.exec(`DELETE FROM sync_outbox WHERE table_name = 'notifications'`);
    const keep = raw.prepare(`SELECT id FROM notifications WHERE read = 1 LIMIT 1`).pluck().get() as string;
    raw.prepare(`INSERT INTO sync_outbox (mutation_id, table_name, row_id, op, fields, hlc, status, created_at) VALUES ('m-keep', 'notifications', ?, 'update', '{"read":1}', '0', 'pending', '2020-01-01')`).run(keep);
    const counts = () => ({
      notifications: (raw.prepare('SELECT count(*) AS n FROM notifications').get() as { n: number }).n,
      audit: (raw.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n,
      outbox: (raw.prepare('SELECT count(*) AS n FROM sync_outbox').get() as { n: number }).n,
    });
    const before = counts();

    const dry = await cli(['--db', file, 'retention', '--json']);
    expect(dry.code).toBe(0);
    const plan = parse(dry.stdout) as { applied: boolean; policies: { name: string; matched: number; removed: number }[] };
    expect(plan.applied).toBe(false);
    const matched = Object.fromEntries(plan.policies.map((p) => [p.name, p.matched]));
    expect(matched).toMatchObject({ 'read-notifications': 6, 'audit-log': 5 });
    expect(plan.policies.every((p) => p.removed === 0)).toBe(true);
    expect(counts()).toEqual(before);

    const applied = parse((await cli(['--db', file, 'retention', '--apply', '--json'])).stdout) as { removed: number; policies: { name: string; removed: number }[] };
    expect(Object.fromEntries(applied.policies.map((p) => [p.name, p.removed]))).toMatchObject({ 'read-notifications': 6, 'audit-log': 5 });
    expect(counts()).toEqual({ notifications: before.notifications - 6, audit: before.audit - 5, outbox: before.outbox });
    expect(raw.prepare('SELECT id FROM notifications WHERE id = ?').get(keep)).toBeDefined();
    raw.close();

    const bad = await cli(['--db', file, 'retention', '--audit-days', 'soon', '--json']);
    expect(bad.code).toBe(1);
    expect(parse(bad.stdout)).toMatchObject({ error: { code: 'VALIDATION' } });
  });

  it('maintain: local housekeeping and VACUUM ANALYZE on the central tables', async () => {
    const run = await cli(['--db', db, 'maintain', '--pg', central.url, '--vacuum', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = parse(run.stdout) as { ok: boolean; local: { steps: { name: string; ok: boolean }[]; after: { walBytes: number } }; central: { steps: { name: string; ok: boolean }[] } };
    expect(result.ok).toBe(true);
    expect(result.local.steps.map((s) => s.name)).toEqual(['optimize', 'vacuum', 'wal-checkpoint']);
    expect(result.local.after.walBytes).toBe(0);
    expect(result.central.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['vacuum-analyze tasks', 'vacuum-analyze sync_changes']));
    const { rows } = await central.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_user_tables WHERE relname = 'tasks' AND last_analyze IS NOT NULL`);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('recover: leaves a healthy database alone; rebuilds a damaged one keeping its unsynced changes', { timeout: 120_000 }, async () => {
    const file = path.join(dir, 'recover.db');
    expect((await cli(['--db', file, 'seed-demo'])).code).toBe(0);
    expect(parse((await cli(['--db', file, 'recover', '--json'])).stdout)).toEqual({ damaged: false, recovery: null });
    const pending = (parse((await cli(['--db', file, 'status', '--json'])).stdout) as { pending: number }).pending;

    corruptPagesOf(file, 'tasks');
    const doctor = await cli(['--db', file, 'doctor', '--json']);
    expect(doctor.code).toBe(1);
    const report = healthReportSchema.parse(parse(doctor.stdout));
    expect(report.checks.find((c) => c.name === 'local.integrity')?.ok).toBe(false);

    const run = await cli(['--db', file, 'recover', '--json']);
    expect(run.code).toBe(0);
    const result = parse(run.stdout) as { damaged: boolean; recovery: { movedTo: string; salvaged: { pending: number } } };
    expect(result.damaged).toBe(true);
    expect(result.recovery.salvaged.pending).toBe(pending);
    expect(existsSync(result.recovery.movedTo)).toBe(true);
    expect((parse((await cli(['--db', file, 'status', '--json'])).stdout) as { pending: number }).pending).toBe(pending);
    expect((await cli(['--db', file, 'doctor', '--json'])).code).toBe(0);
  });
});
