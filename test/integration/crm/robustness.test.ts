/**
 * One reconciler at a time, and a reconcile cut off half way (either database connection dropped)
 * leaves nothing duplicated: the next run completes the work.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBridge, type Bridge } from '../../support/crm-harness';

let b: Bridge;
let project: number;

beforeEach(async () => {
  b = await openBridge();
  await b.crm.addStaff({ email: 'maria@example.com', firstname: 'Maria', lastname: 'Garcia', admin: 1 });
  project = await b.crm.addProject({ name: 'Website relaunch' });
  for (let i = 1; i <= 5; i += 1) await b.crm.addTask({ name: `CRM task ${i}`, project });
});
afterEach(() => b.dispose());

async function killCrmConnections(): Promise<void> {
  const [me] = await b.crm.rows('SELECT CONNECTION_ID() AS id');
  const others = await b.crm.rows('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> ?', [b.crm.database, me?.id]);
  for (const o of others) await b.crm.exec(`KILL ${Number(o.id)}`);
}

async function killCentralConnections(): Promise<void> {
  await b.central.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'coordinator'`, [b.central.name]);
}

/** Three tasks created centrally, to be exported to the CRM. */
async function centralTasks(): Promise<void> {
  const { rows } = await b.central.query('SELECT id FROM projects WHERE crm_project_id = $1', [project]);
  for (let i = 1; i <= 3; i += 1) {
    await b.central.query(`INSERT INTO tasks (id, project_id, title) VALUES (gen_random_uuid(), $1, $2)`, [rows[0]?.id, `Central task ${i}`]);
  }
}

const crmTaskNames = async () => (await b.crm.rows(`SELECT name FROM ${b.crm.t('tasks')} ORDER BY name`)).map((r) => r.name);

describe('one reconciler at a time', () => {
  it('a second reconciler started while one runs skips and says so', async () => {
    let release!: () => void;
    const paused = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const inside = new Promise<void>((r) => (reached = r));
    const first = b.run({ onProgress: async (phase) => {
      if (phase === 'staff') {
        reached();
        await paused;
      }
    } });
    await inside;
    const second = await b.run();
    expect(second).toMatchObject({ ran: false, reason: expect.stringMatching(/another CRM reconciler is running/), imported: 0, exported: 0 });
    release();
    expect(await first).toMatchObject({ ran: true, skipped: [] });
    // The lock was released: the next run proceeds.
    expect(await b.run()).toMatchObject({ ran: true, imported: 0, exported: 0 });
  });
});

describe('a connection dropped mid-reconcile', () => {
  it('CRM connection lost before the CRM writes: the next run completes, nothing duplicated', async () => {
    await b.run();
    await centralTasks();
    await expect(b.run({ onProgress: async (phase) => {
      if (phase === 'tasks:crm-write') await killCrmConnections();
    } })).rejects.toThrow();
    const next = await b.run();
    expect(next).toMatchObject({ ran: true, exported: 3, skipped: [] });
    expect(await crmTaskNames()).toEqual(['Central task 1', 'Central task 2', 'Central task 3', 'CRM task 1', 'CRM task 2', 'CRM task 3', 'CRM task 4', 'CRM task 5']);
    expect(await b.run()).toMatchObject({ imported: 0, exported: 0 });
  });

  it('central connection lost after the CRM insert, before linking: the next run links the rows instead of inserting again', async () => {
    await b.run();
    await centralTasks();
    await expect(b.run({ onProgress: async (phase) => {
      if (phase === 'tasks:link') await killCentralConnections();
    } })).rejects.toThrow();
    expect((await crmTaskNames()).filter((n) => String(n).startsWith('Central'))).toHaveLength(3);
    const next = await b.run();
    expect(next).toMatchObject({ ran: true, imported: 0, exported: 0, skipped: [] });
    expect(await crmTaskNames()).toHaveLength(8);
    const { rows } = await b.central.query('SELECT count(*)::int AS n, count(crm_task_id)::int AS linked FROM tasks');
    expect(rows[0]).toEqual({ n: 8, linked: 8 });
    const { rows: intents } = await b.central.query('SELECT count(*)::int AS n FROM crm_bridge_intents');
    expect(intents[0]?.n).toBe(0);
  });

  it('central connection lost during the import: the next run imports each CRM row once', async () => {
    await expect(b.run({ onProgress: async (phase) => {
      if (phase === 'tasks:central-write') await killCentralConnections();
    } })).rejects.toThrow();
    await b.run();
    const { rows } = await b.central.query('SELECT count(*)::int AS n, count(DISTINCT crm_task_id)::int AS d FROM tasks');
    expect(rows[0]).toEqual({ n: 5, d: 5 });
    expect(await b.run()).toMatchObject({ imported: 0, exported: 0 });
  });
});
