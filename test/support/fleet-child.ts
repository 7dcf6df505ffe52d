/**
 * Several laptops in one process, for the fleet fault test (test/integration/fleet/faults.test.ts):
 * each laptop is its own replica file, person and engine, editing and syncing on its own schedule.
 * The parent SIGKILLs the whole process at random moments, so the laptops in it die mid-push,
 * mid-pull or mid-write; a new process reopens the same files.
 *
 *   node --import tsx test/support/fleet-child.ts '<json FleetChildConfig>'   (the tests run it bundled: test/support/cli-bundle.ts)
 *
 * Every event is one stdout line `@@<json>`. A write is announced (`intent`) before the local
 * transaction and acknowledged (`ack`) after it committed, as the person would see it succeed:
 * a kill between the two leaves a write that may or may not exist, which the checker allows.
 * In `drain` mode the laptops only sync, until nothing is pending and the cursor has reached the
 * end of the central change log (read with `probeUrl`), then the process exits 0.
 */
import pg from 'pg';
import { openCore, type Core } from '../../core/app/core';
import type { SyncEngine } from '../../core/sync/engine';

export interface FleetLaptopConfig {
  name: string;
  dbFile: string;
  url: string;
  readUrl?: string;
  /** A task only this laptop edits: its final title must be this laptop's last write. */
  ownTaskId: string;
}

export interface FleetChildConfig {
  laptops: FleetLaptopConfig[];
  /** A task every laptop edits (its description) and comments on. */
  sharedTaskId: string;
  mode: 'load' | 'drain';
  editEveryMs: number;
  syncEveryMs: number;
  /** An administrator's URL of the central database, to tell when a draining laptop has caught up. */
  probeUrl: string;
  seed: number;
}

export type FleetWriteKind = 'comment' | 'own-title' | 'shared-description';

const emit = (event: Record<string, unknown>) => {
  process.stdout.write(`@@${JSON.stringify({ t: Date.now(), ...event })}\n`);
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function random(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

interface Laptop {
  config: FleetLaptopConfig;
  core: Core;
  engine: SyncEngine;
  synced: boolean;
}

function open(config: FleetLaptopConfig): Laptop {
  const core = openCore({ dbFile: config.dbFile });
  const engine = core.sync.connect({
    central: { url: config.url, ...(config.readUrl ? { readUrl: config.readUrl } : {}), queryTimeoutMs: 10_000 },
    firstConnect: 'upload',
    onProgress: (p) => emit({ ev: 'progress', laptop: config.name, phase: p.phase }),
  });
  return { config, core, engine, synced: false };
}

async function syncOnce(laptop: Laptop): Promise<boolean> {
  emit({ ev: 'run', laptop: laptop.config.name });
  try {
    const r = await laptop.engine.syncOnce();
    laptop.synced = true;
    emit({ ev: 'result', laptop: laptop.config.name, pushed: r.pushed, pulled: r.pulled, conflicts: r.conflicts, rejected: r.rejected, skipped: r.skipped.length });
    return true;
  } catch (error) {
    emit({ ev: 'error', laptop: laptop.config.name, message: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

/** One write, announced before and acknowledged after its local transaction. */
function write(laptop: Laptop, config: FleetChildConfig, kind: FleetWriteKind, n: number): void {
  const value = `${laptop.config.name}/${process.pid}/${n}`;
  emit({ ev: 'intent', laptop: laptop.config.name, kind, value });
  let id: string;
  if (kind === 'comment') {
    id = laptop.core.comments.add({ taskId: n % 2 === 0 ? config.sharedTaskId : laptop.config.ownTaskId, content: value }).id;
  } else if (kind === 'own-title') {
    id = laptop.core.tasks.update({ id: laptop.config.ownTaskId, title: value }).id;
  } else {
    id = laptop.core.tasks.update({ id: config.sharedTaskId, description: value }).id;
  }
  emit({ ev: 'ack', laptop: laptop.config.name, kind, value, id });
}

async function load(laptop: Laptop, config: FleetChildConfig, rnd: () => number): Promise<never> {
  // Edits start once the replica has the team's data (its first sync binds it and bootstraps).
  while (!laptop.synced) {
    await syncOnce(laptop);
    if (!laptop.synced) await sleep(200);
  }
  let n = 0;
  let nextSync = Date.now() + rnd() * config.syncEveryMs;
  for (;;) {
    await sleep(config.editEveryMs * (0.5 + rnd()));
    const roll = rnd();
    const kind: FleetWriteKind = roll < 0.5 ? 'comment' : roll < 0.8 ? 'own-title' : 'shared-description';
    write(laptop, config, kind, (n += 1));
    if (Date.now() >= nextSync) {
      await syncOnce(laptop);
      nextSync = Date.now() + config.syncEveryMs * (0.5 + rnd());
    }
  }
}

async function caughtUp(laptop: Laptop, probeUrl: string): Promise<boolean> {
  if (laptop.core.sync.outbox.pendingCount() > 0) return false;
  const cursor = laptop.core.sync.state.cursor();
  if (!cursor) return false;
  const probe = new pg.Client({ connectionString: probeUrl, connectionTimeoutMillis: 5_000 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    const { rows } = await probe.query<{ xid: string; version: string }>('SELECT xid::text AS xid, version::text AS version FROM sync_changes ORDER BY xid DESC, version DESC LIMIT 1');
    const last = rows[0];
    if (!last) return true;
    const cx = BigInt(cursor.xid);
    const lx = BigInt(last.xid);
    return cx > lx || (cx === lx && BigInt(cursor.version) >= BigInt(last.version));
  } finally {
    await probe.end().catch(() => undefined);
  }
}

async function drain(laptop: Laptop, config: FleetChildConfig): Promise<void> {
  for (;;) {
    const ok = await syncOnce(laptop);
    if (ok && (await caughtUp(laptop, config.probeUrl).catch(() => false))) {
      emit({ ev: 'drained', laptop: laptop.config.name });
      return;
    }
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as FleetChildConfig;
  const laptops = config.laptops.map(open);
  emit({ ev: 'ready', pid: process.pid, laptops: laptops.map((l) => ({ name: l.config.name, pending: l.core.sync.outbox.pendingCount() })) });
  if (config.mode === 'drain') {
    await Promise.all(laptops.map((l) => drain(l, config)));
    for (const l of laptops) {
      await l.engine.close();
      l.core.close();
    }
    emit({ ev: 'done' });
    return;
  }
  await Promise.all(laptops.map((l, i) => load(l, config, random(config.seed * 31 + i + process.pid))));
}

main().catch((error: unknown) => {
  emit({ ev: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 2;
});
