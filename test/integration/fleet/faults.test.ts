/**
 * A fleet under faults (issue 16). Twenty laptops — real SQLite replicas, each its own person and
 * replica id, four to a process (test/support/fleet-child.ts) — edit and sync on their own
 * schedules: sixteen through two sync service instances behind a round-robin TCP balancer, four
 * directly (through a TCP link that can be cut); both the service and the direct laptops go
 * through PgBouncer in transaction mode to the primary, and their pulls are served by a streaming
 * standby. Meanwhile the test SIGKILLs laptop processes while one of their laptops is pushing or
 * pulling, restarts a service instance, PgBouncer and PostgreSQL, cuts every connection of the
 * balancer and of the direct link, and pauses the standby's replay.
 *
 * Then every fault stops, the laptops sync until caught up, and the checker proves:
 *  - every acknowledged comment exists exactly once centrally and on every laptop (an announced
 *    but unacknowledged one — a kill inside the local write — at most once);
 *  - every laptop's own task ends with its last acknowledged title (or a later unacknowledged one);
 *  - the shared task's description is one that was written, and every conflict loser recorded is;
 *  - nothing was refused or applied twice, every outbox is empty, and every replica equals the
 *    central database.
 *
 * Random choices come from a seeded generator; the seed is printed, FLEET_FAULT_SEED replays it.
 * FLEET_FAULT_MS sets how long the faulty load runs (default 25 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../../core/admin';
import { openCore } from '../../../core/app/core';
import { createSyncService, type SyncService } from '../../../core/server/service';
import type { FleetChildConfig, FleetLaptopConfig, FleetWriteKind } from '../../support/fleet-child';
import { startPgBouncer, type PgBouncer } from '../../support/pgbouncer';
import { freePort, startPrivateCluster, type PrivateCluster } from '../../support/sync-fault-pgcluster';
import { prng, sleep, spawnEventChild, type ChildEvent, type SyncChild } from '../../support/sync-fault-utils';
import { centralSnapshot, COMPARED_TABLES, localSnapshot, waitForVisibleChanges } from '../../support/sync-harness';
import { asLogin, ensureServiceLogin, SERVICE_LOGIN, SERVICE_PASSWORD, TEST_SECRET } from '../../support/sync-service';
import { startStandby, type Standby } from '../../support/standby';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';

const SEED = Number(process.env.FLEET_FAULT_SEED ?? Date.now() % 1_000_000);
const LOAD_MS = Number(process.env.FLEET_FAULT_MS ?? 25_000);
const LAPTOPS = 20;
const PER_PROCESS = 4;
/** The last process's laptops sync directly (PostgreSQL URL), the others through the service. */
const DIRECT_PROCESSES = 1;
const PASSWORD = 'fleet-fault-password';

let primary: PrivateCluster;
let standby: Standby;
let bouncer: PgBouncer;
let balancer: TcpProxy;
/** Between the direct laptops and PgBouncer, so their connections are cut too. */
let directLink: TcpProxy;
let centralUrl: string;
let admin: pg.Client;
const instancePorts: number[] = [];
const instances: (SyncService | null)[] = [null, null];
let dir: string;

const loginOf = (i: number) => `laptop${i}`;

/** A connection of the test's own; PostgreSQL's restart drops it, so the checker opens a new one. */
async function connectAdmin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: centralUrl });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function startInstance(i: number): Promise<void> {
  const service = createSyncService({
    central: { url: asLogin(bouncer.urlFor(centralUrl), SERVICE_LOGIN, SERVICE_PASSWORD) },
    readCentral: { url: asLogin(standby.urlFor(centralUrl), SERVICE_LOGIN, SERVICE_PASSWORD) },
    secret: TEST_SECRET,
    poolMax: 4,
  });
  await service.listen('127.0.0.1', instancePorts[i] as number);
  instances[i] = service;
}

async function stopInstance(i: number): Promise<void> {
  const service = instances[i];
  instances[i] = null;
  await service?.close();
}

beforeAll(async () => {
  primary = await startPrivateCluster({ maxConnections: 60 });
  standby = await startStandby(primary);
  centralUrl = await primary.createCentral();
  admin = await connectAdmin();
  await ensureServiceLogin(admin);
  const logins = Array.from({ length: LAPTOPS }, (_, i) => loginOf(i));
  for (const login of [...logins, 'seeder']) {
    await addUser(admin, { username: login, email: `${login}@example.com`, fullName: `Laptop ${login}`, role: 'admin', password: PASSWORD });
  }
  bouncer = await startPgBouncer({ target: centralUrl, poolSize: 12, logins: [SERVICE_LOGIN, ...logins] });
  instancePorts.push(await freePort(), await freePort());
  await startInstance(0);
  await startInstance(1);
  balancer = await startTcpProxy({ port: instancePorts[0] as number, alternates: [instancePorts[1] as number] });
  directLink = await startTcpProxy({ port: Number(new URL(bouncer.urlFor(centralUrl)).port) });
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-fleet-faults-'));
}, 180_000);

afterAll(async () => {
  await balancer?.close();
  await directLink?.close();
  for (const i of [0, 1]) await stopInstance(i).catch(() => undefined);
  await bouncer?.destroy();
  await admin?.end().catch(() => undefined);
  standby?.destroy();
  primary?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The project, the shared task and one task per laptop, made by an administrator's replica. */
async function seedTeamData(): Promise<{ sharedTaskId: string; ownTaskIds: string[]; sharedDescription: string }> {
  const core = openCore({ dbFile: path.join(dir, 'seeder.db') });
  const engine = core.sync.connect({ central: { url: asLogin(centralUrl, 'seeder', PASSWORD) }, firstConnect: 'upload' });
  try {
    await engine.syncOnce();
    const project = core.projects.create({ name: 'Fleet under faults' });
    const sharedDescription = 'shared/initial';
    const shared = core.tasks.create({ title: 'Shared task', projectId: project.id, description: sharedDescription });
    const own = Array.from({ length: LAPTOPS }, (_, i) => core.tasks.create({ title: `own/initial/${i}`, projectId: project.id }));
    await engine.syncOnce();
    return { sharedTaskId: shared.id, ownTaskIds: own.map((t) => t.id), sharedDescription };
  } finally {
    await engine.close();
    core.close();
  }
}

function laptopConfigs(ownTaskIds: string[]): FleetLaptopConfig[][] {
  const groups: FleetLaptopConfig[][] = [];
  const processes = LAPTOPS / PER_PROCESS;
  for (let p = 0; p < processes; p += 1) {
    const direct = p >= processes - DIRECT_PROCESSES;
    groups.push(
      Array.from({ length: PER_PROCESS }, (_, k) => {
        const i = p * PER_PROCESS + k;
        const login = loginOf(i);
        const viaBouncer = asLogin(directLink.rewrite(bouncer.urlFor(centralUrl)), login, PASSWORD);
        return {
          name: login,
          dbFile: path.join(dir, `${login}.db`),
          url: direct ? viaBouncer : `http://${login}:${PASSWORD}@127.0.0.1:${balancer.port}/`,
          ...(direct ? { readUrl: asLogin(standby.urlFor(centralUrl), login, PASSWORD) } : {}),
          ownTaskId: ownTaskIds[i] as string,
        };
      }),
    );
  }
  return groups;
}

interface Write {
  laptop: string;
  kind: FleetWriteKind;
  value: string;
  acked: boolean;
  t: number;
}

/** Every announced write, in order, marked acknowledged when the local transaction was reported committed. */
function writesFrom(events: ChildEvent[]): Write[] {
  const writes = new Map<string, Write>();
  for (const e of events) {
    if (e.ev !== 'intent' && e.ev !== 'ack') continue;
    const value = String(e.value);
    const known = writes.get(value);
    if (known) known.acked ||= e.ev === 'ack';
    else writes.set(value, { laptop: String(e.laptop), kind: e.kind as FleetWriteKind, value, acked: e.ev === 'ack', t: e.t });
  }
  return [...writes.values()].sort((a, b) => a.t - b.t);
}

describe('a fleet of 20 laptops through two service instances, PgBouncer and a standby, under faults', () => {
  it('loses no acknowledged write, applies nothing twice, and every replica converges to the central state', async () => {
    console.log(`fleet faults: seed ${SEED} (FLEET_FAULT_SEED=${SEED} replays it), load ${LOAD_MS} ms`);
    const rnd = prng(SEED);
    const seed = await seedTeamData();
    const groups = laptopConfigs(seed.ownTaskIds);
    const allEvents: ChildEvent[] = [];
    const children: (SyncChild | null)[] = groups.map(() => null);
    const harvest = (child: SyncChild | null) => {
      if (child) allEvents.push(...child.events);
    };
    const spawnGroup = (g: number, mode: FleetChildConfig['mode']) => {
      const config: FleetChildConfig = { laptops: groups[g] as FleetLaptopConfig[], sharedTaskId: seed.sharedTaskId, mode, editEveryMs: 300, syncEveryMs: 1_500, probeUrl: centralUrl, seed: SEED + g };
      return spawnEventChild('fleet-child', config);
    };
    for (let g = 0; g < groups.length; g += 1) children[g] = spawnGroup(g, 'load');

    const faults: string[] = [];
    const killedIn = { push: 0, pull: 0, other: 0 };
    const lagTimers: Promise<void>[] = [];
    // Every kind of fault happens at least once, in a seeded order, with kills between them.
    const kinds = ['service', 'pgbouncer', 'postgres', 'cut', 'lag', 'cut', 'lag'];
    for (let i = kinds.length - 1; i > 0; i -= 1) {
      const j = rnd.int(0, i);
      [kinds[i], kinds[j]] = [kinds[j] as string, kinds[i] as string];
    }
    const started = Date.now();
    let step = 0;
    while (Date.now() - started < LOAD_MS || step < kinds.length * 2) {
      await sleep(rnd.int(800, 2_000));
      if (step % 2 === 0) {
        // A kill of the first process one of whose laptops is pushing (even kills) or pulling (odd
        // ones): every process is watched, so a loaded machine still lands kills in both phases.
        const wanted: 'push' | 'pull' = (step / 2) % 2 === 0 ? 'push' : 'pull';
        const watching = children.map((child, index) => {
          const c = child as SyncChild;
          const from = c.events.length;
          return c.waitFor((e) => e.ev === 'progress' && e.phase === wanted && c.events.indexOf(e) >= from, 30_000).then(() => index);
        });
        const caught = await Promise.any(watching).then(
          (index) => ({ g: index, hit: wanted }),
          () => ({ g: rnd.int(0, groups.length - 1), hit: 'other' as const }),
        );
        const { g, hit } = caught;
        const child = children[g] as SyncChild;
        await child.kill();
        harvest(child);
        killedIn[hit] += 1;
        faults.push(`kill group ${g} mid-${hit}`);
        await sleep(rnd.int(200, 800));
        children[g] = spawnGroup(g, 'load');
      } else {
        const kind = kinds[((step - 1) / 2) % kinds.length] as string;
        if (kind === 'service') {
          const i = rnd.int(0, 1);
          await stopInstance(i);
          await sleep(rnd.int(300, 1_500));
          await startInstance(i);
        } else if (kind === 'pgbouncer') {
          await bouncer.stop();
          await sleep(rnd.int(300, 1_500));
          await bouncer.start();
        } else if (kind === 'postgres') {
          await primary.restart();
        } else if (kind === 'cut') {
          const reset = rnd.next() < 0.5;
          balancer.cutAll({ reset });
          directLink.cutAll({ reset });
        } else {
          await standby.pauseReplay();
          const ms = rnd.int(1_000, 4_000);
          lagTimers.push(sleep(ms).then(() => standby.resumeReplay()));
        }
        faults.push(kind);
      }
      step += 1;
    }
    await Promise.all(lagTimers);
    await standby.resumeReplay();
    for (const child of children) {
      await child?.kill();
      harvest(child);
    }
    console.log(`fleet faults: ${faults.length} faults: ${faults.join(', ')}`);

    // Faults over: every laptop syncs until nothing is pending and it has read the whole change
    // log; a second round, once no laptop has anything left to push, reads what the last pushes of
    // the first round added.
    const drainStarted = Date.now();
    for (const round of [1, 2]) {
      const drains = groups.map((_, g) => spawnGroup(g, 'drain'));
      await Promise.all(
        drains.map(async (child) => {
          const timer = setTimeout(() => child.process.kill('SIGKILL'), 180_000);
          const { code } = await child.exited;
          clearTimeout(timer);
          harvest(child);
          expect(code, `round ${round}: a laptop process did not catch up: ${JSON.stringify(child.events.slice(-6))} ${child.stderr().slice(-2000)}`).toBe(0);
        }),
      );
    }
    console.log(`fleet faults: converged ${Date.now() - drainStarted} ms after the faults stopped`);
    await admin.end().catch(() => undefined);
    admin = await connectAdmin();
    await waitForVisibleChanges(admin);

    const writes = writesFrom(allEvents);
    const acked = writes.filter((w) => w.acked);
    console.log(`fleet faults: ${writes.length} writes announced, ${acked.length} acknowledged; kills mid-push ${killedIn.push}, mid-pull ${killedIn.pull}, other ${killedIn.other}`);
    expect(killedIn.push).toBeGreaterThan(0);
    expect(killedIn.pull).toBeGreaterThan(0);
    expect(acked.length).toBeGreaterThan(LAPTOPS);

    const central = await centralSnapshot(centralUrl, COMPARED_TABLES);
    const centralComments = new Map<string, number>();
    for (const c of central.comments ?? []) centralComments.set(String(c.content), (centralComments.get(String(c.content)) ?? 0) + 1);
    for (const w of writes.filter((x) => x.kind === 'comment')) {
      const n = centralComments.get(w.value) ?? 0;
      if (w.acked) expect(n, `acknowledged comment ${w.value} central ${n} times`).toBe(1);
      else expect(n, `unacknowledged comment ${w.value} central ${n} times`).toBeLessThanOrEqual(1);
    }

    const tasks = new Map((central.tasks ?? []).map((t) => [String(t.id), t]));
    for (let i = 0; i < LAPTOPS; i += 1) {
      const mine = writes.filter((w) => w.laptop === loginOf(i) && w.kind === 'own-title');
      const lastAcked = mine.map((w) => w.acked).lastIndexOf(true);
      // Its last acknowledged title, or one written after it whose acknowledgement a kill cut off.
      const allowed = new Set([lastAcked >= 0 ? (mine[lastAcked] as Write).value : `own/initial/${i}`, ...mine.slice(lastAcked + 1).map((w) => w.value)]);
      const title = String(tasks.get(seed.ownTaskIds[i] as string)?.title);
      expect(allowed.has(title), `${loginOf(i)}'s task ends titled "${title}"; allowed: ${[...allowed].join(', ')}`).toBe(true);
    }

    const written = new Set([seed.sharedDescription, ...writes.filter((w) => w.kind === 'shared-description').map((w) => w.value)]);
    expect(written.has(String(tasks.get(seed.sharedTaskId)?.description))).toBe(true);
    const { rows: losers } = await admin.query<{ losing_value: unknown; field: string | null }>(`SELECT losing_value, field FROM sync_conflicts WHERE row_id = $1`, [seed.sharedTaskId]);
    for (const l of losers.filter((x) => x.field === 'description')) expect(written.has(String(l.losing_value))).toBe(true);
    expect((await admin.query('SELECT count(*)::int AS n FROM sync_rejections')).rows[0]?.n).toBe(0);
    // Nothing applied twice: no mutation id recorded as applied under two sequence numbers.
    expect((await admin.query('SELECT mutation_id FROM sync_applied_mutations GROUP BY mutation_id HAVING count(*) > 1')).rows).toEqual([]);

    for (const group of groups) {
      for (const laptop of group) {
        const core = openCore({ dbFile: laptop.dbFile });
        try {
          expect(core.sync.outbox.pendingCount(), `${laptop.name} still has pending changes`).toBe(0);
          const local = localSnapshot(core, COMPARED_TABLES);
          for (const t of COMPARED_TABLES) expect(local[t], `${laptop.name}.${t} differs from the central ${t}`).toEqual(central[t]);
        } finally {
          core.close();
        }
      }
    }
  }, 600_000);
});
