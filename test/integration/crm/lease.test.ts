/**
 * One CRM reconciler at a time by a lease in the central database (core/crm/lease.ts), which works
 * through PgBouncer in transaction pooling mode where a session advisory lock cannot: the lock
 * stays on whichever server connection took it, the unlock lands on another, and the next
 * reconciler is refused. Real PostgreSQL, MariaDB and PgBouncer.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openBridge, type Bridge } from '../../support/crm-harness';
import { startPgBouncer, type PgBouncer } from '../../support/pgbouncer';
import { addPerson, dropLogins, PERSON_PASSWORD } from '../../support/sync-service';

const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const LEASE = 'reconciler_lease';

async function leaseRow(b: Bridge): Promise<Record<string, unknown> | null> {
  const { rows } = await b.central.query<{ value: Record<string, unknown> }>('SELECT value FROM crm_bridge_state WHERE key = $1', [LEASE]);
  return rows[0]?.value ?? null;
}

/** Another reconciler's lease, as it would have written it; `seconds` from the database's now (negative: expired). */
async function foreignLease(b: Bridge, seconds: number): Promise<void> {
  await b.central.query(
    `INSERT INTO crm_bridge_state (key, value) VALUES ($1, jsonb_build_object('holder', 'someone-else', 'host', 'server-b', 'until', now() + make_interval(secs => $2)))
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [LEASE, seconds],
  );
}

/** Everything the bridge keeps in the central database and every central change, as one comparable value. */
async function centralFootprint(b: Bridge) {
  const { rows } = await b.central.query(
    `SELECT (SELECT coalesce(max(version), 0) FROM sync_changes)::text AS changes,
            (SELECT count(*) FROM crm_bridge_rows)::int AS linked,
            (SELECT count(*) FROM crm_bridge_intents)::int AS intents,
            (SELECT jsonb_object_agg(key, value) FROM crm_bridge_state WHERE key <> $1) AS state`,
    [LEASE],
  );
  return rows[0];
}

// Sorted here: MariaDB's and PostgreSQL's collations order 'CRM' and 'Central' differently.
const crmTaskNames = async (b: Bridge) => (await b.crm.rows(`SELECT name FROM ${b.crm.t('tasks')}`)).map((r) => String(r.name)).sort();

/** The CRM's tasks and the central ones are the same set, each linked once, and a further run has nothing to do. */
async function expectConsistent(b: Bridge): Promise<void> {
  const { rows } = await b.central.query<{ title: string; crm_task_id: number | null }>('SELECT title, crm_task_id FROM tasks');
  expect(rows.map((r) => r.title).sort()).toEqual(await crmTaskNames(b));
  expect(rows.every((r) => r.crm_task_id !== null)).toBe(true);
  expect(new Set(rows.map((r) => r.crm_task_id)).size).toBe(rows.length);
  expect(await b.run()).toMatchObject({ ran: true, imported: 0, exported: 0, skipped: [] });
}

describe('through PgBouncer in transaction pooling mode (two server connections)', () => {
  let b: Bridge;
  let bouncer: PgBouncer;
  let login: string;
  let url: string;
  let project: number;
  const open: pg.Client[] = [];

  beforeAll(async () => {
    b = await openBridge();
    // An administrator's login, as a real reconciler runs: the lease row is its to write.
    login = (await addPerson(b.central.client, 'admin', 'crmlease')).login;
    bouncer = await startPgBouncer({ target: b.central.url, poolSize: 2, logins: [login] });
    const u = new URL(bouncer.urlFor(b.central.url));
    u.username = login;
    u.password = PERSON_PASSWORD;
    url = u.toString();
    await b.crm.addStaff({ email: 'maria@example.com', firstname: 'Maria', lastname: 'Garcia', admin: 1 });
    project = await b.crm.addProject({ name: 'Website relaunch' });
  }, 60_000);

  afterAll(async () => {
    for (const c of open) await c.end().catch(() => undefined);
    await bouncer?.destroy();
    await b?.dispose();
    if (login) await dropLogins(ADMIN_URL, [login]);
  });

  it('two reconcilers started at once: exactly one runs, the other skips', async () => {
    await b.crm.addTask({ name: 'CRM task 0', project });
    let inside = 0;
    let settle!: () => void;
    const decided = new Promise<void>((r) => (settle = r));
    // The one that runs waits until the other has returned, so both are sure to overlap; two inside
    // at once also ends the wait, and the expectations below fail.
    const hold = async (phase: string) => {
      if (phase !== 'staff') return;
      inside += 1;
      if (inside === 2) settle();
      await decided;
    };
    const runs = [b.run({ centralUrl: url, onProgress: hold }), b.run({ centralUrl: url, onProgress: hold })];
    for (const r of runs) void r.finally(settle).catch(() => undefined);
    const results = await Promise.all(runs);
    expect(results.filter((r) => r.ran)).toHaveLength(1);
    expect(results.find((r) => !r.ran)).toMatchObject({ ran: false, reason: expect.stringMatching(/another CRM reconciler is running/), imported: 0, exported: 0 });
    expect(await leaseRow(b)).toBeNull();
  });

  it('runs one after another each run, while other clients keep server connections busy so statements change connection', async () => {
    // Each run, once under way, has a client of the same login take a server connection (PgBouncer
    // hands out the one the reconciler last used) and keep it in an open transaction until the
    // next run is under way: a run's last statements, and the next run's first ones, land on the
    // other server connection. A session lock would be left on the first and refuse the next run.
    expect(await b.run({ centralUrl: url })).toMatchObject({ ran: true });
    const holders = open;
    for (let i = 1; i <= 4; i += 1) {
      await b.crm.addTask({ name: `CRM task ${i}`, project });
      const result = await b.run({
        centralUrl: url,
        onProgress: async (phase) => {
          if (phase !== 'staff') return;
          const busy = new pg.Client({ connectionString: url });
          busy.on('error', () => undefined);
          await busy.connect();
          await busy.query('BEGIN');
          await busy.query('SELECT 1');
          await holders.at(-1)?.query('COMMIT');
          holders.push(busy);
        },
      });
      expect(result, `run ${i}`).toMatchObject({ ran: true, imported: 1, skipped: [] });
      expect(await leaseRow(b), `run ${i} gave its lease up`).toBeNull();
    }
    await holders.at(-1)?.query('COMMIT');
    await expectConsistent(b);
  });
});

describe('the lease row', () => {
  let b: Bridge;
  let project: number;

  beforeEach(async () => {
    b = await openBridge();
    await b.crm.addStaff({ email: 'maria@example.com', firstname: 'Maria', lastname: 'Garcia', admin: 1 });
    project = await b.crm.addProject({ name: 'Website relaunch' });
    for (let i = 1; i <= 3; i += 1) await b.crm.addTask({ name: `CRM task ${i}`, project });
  });
  afterEach(() => b.dispose());

  /** Three tasks created centrally, to be exported to the CRM. */
  async function centralTasks(): Promise<void> {
    const { rows } = await b.central.query('SELECT id FROM projects WHERE crm_project_id = $1', [project]);
    for (let i = 1; i <= 3; i += 1) {
      await b.central.query(`INSERT INTO tasks (id, project_id, title) VALUES (gen_random_uuid(), $1, $2)`, [rows[0]?.id, `Central task ${i}`]);
    }
  }

  it('a stale lease (a reconciler that crashed) is taken over', async () => {
    await foreignLease(b, -60);
    expect(await b.run()).toMatchObject({ ran: true, imported: 5, skipped: [] });
    expect(await leaseRow(b)).toBeNull();
  });

  it("another reconciler's live lease: the run skips without reading or writing anything", async () => {
    await foreignLease(b, 600);
    const lease = await leaseRow(b);
    const before = await centralFootprint(b);
    // A CRM nobody listens for: reaching it would fail the run instead of skipping it.
    const result = await b.run({ url: 'mysql://root@127.0.0.1:1/perfex' });
    expect(result).toMatchObject({ ran: false, imported: 0, exported: 0, reason: expect.stringMatching(/another CRM reconciler is running \(on server-b, its lease runs until .+\); skipped/) });
    expect(await centralFootprint(b)).toEqual(before);
    expect(await leaseRow(b)).toEqual(lease);
  });

  it('the lease is renewed while a run lasts: another reconciler is kept out past its first term', async () => {
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    let reached!: () => void;
    const inside = new Promise<void>((r) => (reached = r));
    const first = b.run({ lease: { ttlSeconds: 4, renewEveryMs: 100 }, onProgress: async (phase) => {
      if (phase === 'staff') {
        reached();
        await paused;
      }
    } });
    await inside;
    const firstTerm = String((await leaseRow(b))?.until);
    // Wait (by the database's clock) until the lease as first taken has run out.
    for (;;) {
      const { rows } = await b.central.query<{ over: boolean }>('SELECT now() > $1::timestamptz AS over', [firstTerm]);
      if (rows[0]?.over) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await b.run()).toMatchObject({ ran: false, reason: expect.stringMatching(/another CRM reconciler is running/) });
    resume();
    expect(await first).toMatchObject({ ran: true, imported: 5 });
    expect(await leaseRow(b)).toBeNull();
  });

  it('a run that loses its lease before a central write stops with CONFLICT, writes nothing more; the next run completes', async () => {
    await b.run();
    await b.crm.addTask({ name: 'CRM task 4', project });
    await centralTasks();
    let before: unknown;
    let crmBefore = '';
    const lost = b.run({ onProgress: async (phase) => {
      if (phase !== 'tasks:central-write') return;
      await foreignLease(b, 600);
      before = await centralFootprint(b);
      crmBefore = await b.crm.checksum();
    } });
    await expect(lost).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/lost its lease to another reconciler/) });
    expect(await centralFootprint(b)).toEqual(before);
    expect(await b.crm.checksum()).toBe(crmBefore);
    // The other reconciler's lease is still there: a run now skips. Once it ends, a run completes.
    expect(await b.run()).toMatchObject({ ran: false });
    await b.central.query('DELETE FROM crm_bridge_state WHERE key = $1', [LEASE]);
    expect(await b.run()).toMatchObject({ ran: true, imported: 1, exported: 3, skipped: [] });
    await expectConsistent(b);
  });

  it('a run that loses its lease during its CRM writes rolls them back; the next run completes without duplicates', async () => {
    await b.run();
    await centralTasks();
    let crmBefore = '';
    const lost = b.run({ onProgress: async (phase) => {
      if (phase !== 'tasks:crm-write') return;
      crmBefore = await b.crm.checksum();
      await foreignLease(b, 600);
    } });
    await expect(lost).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/lost its lease/) });
    expect(await b.crm.checksum()).toBe(crmBefore);
    expect((await crmTaskNames(b)).filter((n) => n.startsWith('Central'))).toEqual([]);
    await b.central.query('DELETE FROM crm_bridge_state WHERE key = $1', [LEASE]);
    expect(await b.run()).toMatchObject({ ran: true, exported: 3, skipped: [] });
    expect(await crmTaskNames(b)).toEqual(['CRM task 1', 'CRM task 2', 'CRM task 3', 'Central task 1', 'Central task 2', 'Central task 3']);
    await expectConsistent(b);
  });
});
