/**
 * Pulls served by a streaming standby while pushes go to the primary (issue 16), through both
 * transports: direct mode (`central.readUrl`) and the sync service (`readCentral`). The standby's
 * replay is paused to make it lag on purpose. A replica must never read a state older than one it
 * holds (its own push, or what it read before): while the standby lags behind it, the primary
 * serves its pull. A replica the lag does not concern reads the standby, and sees the older state
 * until replay resumes — which proves the standby really serves reads.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../../core/admin';
import { manualClock, tempCore } from '../../support/core';
import { ensureServiceLogin, SERVICE_LOGIN, SERVICE_PASSWORD, asLogin, startService, type RunningService } from '../../support/sync-service';
import { startPrivateCluster, type PrivateCluster } from '../../support/sync-fault-pgcluster';
import { startStandby, type Standby } from '../../support/standby';
import { expectConverged, waitForVisibleChanges, type Replica } from '../../support/sync-harness';

let primary: PrivateCluster;
let standby: Standby;

beforeAll(async () => {
  primary = await startPrivateCluster();
  standby = await startStandby(primary);
}, 120_000);

afterAll(() => {
  standby?.destroy();
  primary?.destroy();
});

const PASSWORD = 'standby-pull-password';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe.each(['direct', 'service'] as const)('pulls served by a standby (%s)', (mode) => {
  const laptops: Replica[] = [];
  let service: RunningService | null = null;
  let centralUrl = '';
  let admin: pg.Client;

  beforeAll(async () => {
    centralUrl = await primary.createCentral();
    admin = new pg.Client({ connectionString: centralUrl });
    await admin.connect();
    if (mode === 'service') {
      await ensureServiceLogin(admin);
      service = await startService(centralUrl, { readCentral: { url: asLogin(standby.urlFor(centralUrl), SERVICE_LOGIN, SERVICE_PASSWORD) } });
    }
  }, 60_000);

  afterAll(async () => {
    for (const l of laptops) await l.dispose();
    laptops.length = 0;
    await service?.close();
    await admin?.end();
  });

  async function laptop(name: string): Promise<Replica> {
    const login = `${name}_${mode}`;
    await addUser(admin, { username: login, email: `${login}@example.com`, fullName: `${name} (${mode})`, role: 'admin', password: PASSWORD });
    const clock = manualClock('2026-03-02T09:00:00.000Z');
    const core = tempCore({ clock });
    const own = asLogin(centralUrl, login, PASSWORD);
    const central = service ? { url: service.urlFor(login, PASSWORD) } : { url: own, readUrl: standby.urlFor(own) };
    const engine = core.sync.connect({ central, firstConnect: 'upload' });
    const l: Replica = {
      name,
      core,
      clock,
      engine,
      async sync() {
        await waitForVisibleChanges(admin);
        return engine.syncOnce();
      },
      async dispose() {
        await engine.close();
        core.dispose();
      },
    };
    laptops.push(l);
    return l;
  }

  const sync = (l: Replica) => l.sync();
  const titleOn = (l: Replica, id: string) => l.core.tasks.get(id).title;

  it('a replica never reads a state older than its own push; one the lag does not concern reads the lagging standby', async () => {
    const a = await laptop('ana');
    const b = await laptop('ben');
    const c = await laptop('cleo');
    await sync(a);
    const project = a.core.projects.create({ name: 'Harbour relocation' });
    const task = a.core.tasks.create({ title: 'first', projectId: project.id });
    await sync(a);
    await sync(b);
    await sync(c);
    expect(titleOn(b, task.id)).toBe('first');

    b.clock.advance(60_000);
    b.core.tasks.update({ id: task.id, title: 'from Ben' });
    await sync(b);
    await standby.catchUp();
    await withClient(standby.urlFor(centralUrl), (s) => waitForVisibleChanges(s));
    await standby.pauseReplay();
    try {
      // Ana has not pulled Ben's edit; her later one wins on the primary. The standby holds Ben's
      // edit but not hers: read there, her pull would put Ben's title back on her laptop.
      a.clock.advance(120_000);
      a.core.tasks.update({ id: task.id, title: 'from Ana' });
      const pushed = await sync(a);
      expect(pushed.pushed).toBe(1);
      expect(titleOn(a, task.id)).toBe('from Ana');
      expect(a.core.sync.state.readFloor()).not.toBeNull();

      // Cleo's floor is below the standby's replay point: the standby serves her, and it has
      // not replayed Ana's edit yet.
      await sync(c);
      expect(titleOn(c, task.id)).toBe('from Ben');
      // Ana syncs again while the standby still lags behind her: still her own title.
      await sync(a);
      expect(titleOn(a, task.id)).toBe('from Ana');
    } finally {
      await standby.resumeReplay();
    }
    await standby.catchUp();
    await withClient(standby.urlFor(centralUrl), (s) => waitForVisibleChanges(s));
    await sync(c);
    expect(titleOn(c, task.id)).toBe('from Ana');
    for (const l of [a, b, c]) await sync(l);
    await expectConverged({ url: centralUrl }, laptops);
  }, 120_000);

  it('a person provisioned while the standby lags syncs at once: the primary answers what the standby cannot know yet', async () => {
    await standby.pauseReplay();
    try {
      const late = await laptop('dora');
      const result = await sync(late);
      expect(result.signedIn?.login).toBe(`dora_${mode}`);
    } finally {
      await standby.resumeReplay();
    }
  }, 120_000);
});
