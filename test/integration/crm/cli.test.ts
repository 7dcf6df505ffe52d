import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBridge, type Bridge } from '../../support/crm-harness';
import { runCoordinator } from '../../support/cli';
import { waitForVisibleChanges } from '../../support/sync-harness';

const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCoordinator(args, { COORDINATOR_CRM_URL: undefined, ...env });

describe('coordinator sync --crm', () => {
  let b: Bridge;
  let dir: string;
  beforeAll(async () => {
    b = await openBridge({ prefix: 'pfx_' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-cli-crm-'));
    await b.crm.addStaff({ email: 'maria@example.com', firstname: 'Maria', lastname: 'Garcia', admin: 1 });
    const project = await b.crm.addProject({ name: 'Website relaunch' });
    await b.crm.addTask({ name: 'From the CRM', project });
    await b.crm.addTask({ name: 'Orphan', project: 404 });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await b.dispose();
  });

  it('reconciles after the central sync, reports it in JSON, and the laptop pulls the CRM rows', async () => {
    const db = path.join(dir, 'laptop.db');
    expect((await cli(['--db', db, 'init'])).code).toBe(0);
    await waitForVisibleChanges(b.central.client);
    const run = await cli(['--db', db, 'sync', '--upload', '--pg', b.central.url, '--crm-prefix', 'pfx_', '--json'], { COORDINATOR_CRM_URL: b.crm.url });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.crm).toMatchObject({ ran: true, imported: 3, exported: 0, conflicts: 0, skipped: [{ entity: 'tasks', reason: expect.stringMatching(/project 404/) }] });
    // The run pulls once more after importing; rows committed behind another session's open
    // transaction become visible a moment later, so the next sync is the one that must have them.
    await waitForVisibleChanges(b.central.client);
    expect((await cli(['--db', db, 'sync', '--upload', '--pg', b.central.url, '--json'])).code).toBe(0);
    const tasks = JSON.parse((await cli(['--db', db, 'task', 'list', '--json'])).stdout);
    expect(tasks.map((t: { title: string }) => t.title)).toEqual(['From the CRM']);
  });

  it('doctor reports the CRM sync health the bridge left in the central database', async () => {
    const db = path.join(dir, 'laptop.db');
    const run = await cli(['--db', db, 'doctor', '--pg', b.central.url, '--json']);
    const report = JSON.parse(run.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.checks.find((c) => c.name === 'crm.sync')).toEqual({
      name: 'crm.sync', ok: true, detail: expect.stringMatching(/\(prefix pfx_\): last reconcile .* \(imported 3, exported 0, skipped 1\); 1 projects, 1 staff, 1 tasks/),
    });
  });

  it('a bad CRM URL is a one-line error', async () => {
    const db = path.join(dir, 'laptop.db');
    const run = await cli(['--db', db, 'sync', '--upload', '--pg', b.central.url, '--crm', 'mysql://someone:secret@db.example.com/perfex', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: Refusing to send a password in clear text to the CRM's MySQL at db\.example\.com/);
    expect(run.stderr).not.toMatch(/secret/);
  });
});
