/**
 * Property (issue 12 §1–§2, docs/sync-identity.md): copies and restores of replica files and
 * restores of the central database, in any order, never lose an acknowledged write. A model
 * tracks which writes each live file holds as its own (made there, or carried in by a copy or a
 * backup) and which central holds; after a final round of syncs every write that a live file or
 * central still held is in central exactly once, and no replica is left stuck or with pending work.
 * (A write both central and its every file have been restored to before is beyond recovery.)
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openCore, type Core } from '../../../core/app/core';
import { backupDatabase, restoreBackup } from '../../../core/ops/backup';
import { tempCentral } from '../../support/pg';
import { seedOrganisation, waitForVisibleChanges } from '../../support/sync-harness';

type Central = Awaited<ReturnType<typeof tempCentral>>;
const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Op =
  | { k: 'write'; f: number }
  | { k: 'sync'; f: number }
  | { k: 'copy'; f: number }
  | { k: 'backup'; f: number }
  | { k: 'restoreFile'; f: number; viaCommand: boolean }
  | { k: 'snapshotCentral' }
  | { k: 'restoreCentral'; sameIdentity: boolean };

const f = fc.nat(5);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('write' as const), f }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('sync' as const), f }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('copy' as const), f }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('backup' as const), f }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('restoreFile' as const), f, viaCommand: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ k: 'snapshotCentral' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('restoreCentral' as const), sameIdentity: fc.boolean() }) },
);

interface ReplicaFile {
  file: string;
  core: Core;
  /** Titles of the writes this file holds as its own. */
  holds: Set<string>;
  backup: { file: string; holds: Set<string> } | null;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'coord-identity-prop-'));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
const terminate = (client: pg.Client, name: string) =>
  client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);

async function runScenario(ops: Op[]): Promise<void> {
  const central: Central = await tempCentral();
  let centralClient = central.client;
  const snapName = `${central.name}_snap`;
  const files: ReplicaFile[] = [];
  let counter = 0;
  let centralHolds = new Set<string>();
  let snapshot: Set<string> | null = null;
  cleanups.push(async () => {
    for (const r of files) r.core.close();
    await centralClient.end().catch(() => undefined);
    await admin(async (a) => {
      await terminate(a, central.name);
      await a.query(`DROP DATABASE IF EXISTS ${central.name}`);
      await a.query(`DROP DATABASE IF EXISTS ${snapName}`);
    });
  });

  const open = (file: string) => openCore({ dbFile: file });
  const sync = async (r: ReplicaFile) => {
    await waitForVisibleChanges(centralClient);
    const engine = r.core.sync.connect({ central: { url: central.replicaUrl }, firstConnect: 'upload' });
    try {
      await engine.syncOnce();
    } finally {
      await engine.close();
    }
    for (const t of r.holds) centralHolds.add(t);
  };
  const reconnect = async () => {
    const client = new pg.Client({ connectionString: central.url });
    client.on('error', () => undefined);
    await client.connect();
    centralClient = client;
  };

  const first: ReplicaFile = { file: path.join(dir, `${central.name}-0.db`), core: open(path.join(dir, `${central.name}-0.db`)), holds: new Set(), backup: null };
  files.push(first);
  const org = seedOrganisation(first.core, { tasks: 1 });
  await sync(first);
  const pick = (i: number) => files[i % files.length]!;

  for (const op of ops) {
    if (op.k === 'write') {
      const r = pick(op.f);
      const title = `W${(counter += 1)}`;
      r.core.tasks.create({ title, projectId: org.project.id });
      r.holds.add(title);
    } else if (op.k === 'sync') {
      await sync(pick(op.f));
    } else if (op.k === 'copy') {
      const source = pick(op.f);
      const file = path.join(dir, `${central.name}-${files.length}.db`);
      await backupDatabase(source.core.db, file);
      files.push({ file, core: open(file), holds: new Set(source.holds), backup: null });
    } else if (op.k === 'backup') {
      const r = pick(op.f);
      const file = `${r.file}.backup-${(counter += 1)}`;
      await backupDatabase(r.core.db, file);
      r.backup = { file, holds: new Set(r.holds) };
    } else if (op.k === 'restoreFile') {
      const r = pick(op.f);
      if (!r.backup) continue;
      // As the README says: sync first, so restoring gives up nothing that was not sent.
      await sync(r);
      r.core.close();
      if (op.viaCommand) restoreBackup(r.backup.file, r.file);
      else {
        copyFileSync(r.backup.file, r.file);
        for (const s of ['-wal', '-shm']) rmSync(`${r.file}${s}`, { force: true });
      }
      r.core = open(r.file);
      r.holds = new Set(r.backup.holds);
    } else if (op.k === 'snapshotCentral') {
      await centralClient.end();
      await admin(async (a) => {
        await terminate(a, central.name);
        await a.query(`DROP DATABASE IF EXISTS ${snapName}`);
        await a.query(`CREATE DATABASE ${snapName} TEMPLATE ${central.name}`);
      });
      await reconnect();
      snapshot = new Set(centralHolds);
    } else if (op.k === 'restoreCentral') {
      if (!snapshot) continue;
      await centralClient.end();
      await admin(async (a) => {
        await terminate(a, central.name);
        await a.query(`DROP DATABASE ${central.name}`);
        await a.query(`CREATE DATABASE ${central.name} TEMPLATE ${snapName}`);
      });
      await reconnect();
      if (op.sameIdentity) {
        await centralClient.query(`UPDATE sync_meta SET value = (SELECT oid::text FROM pg_database WHERE datname = current_database()) WHERE key = 'database_fingerprint'`);
      }
      centralHolds = new Set(snapshot);
    }
  }

  const expected = new Set<string>(centralHolds);
  for (const r of files) for (const t of r.holds) expected.add(t);
  for (let round = 0; round < 2; round += 1) for (const r of files) await sync(r);

  const { rows } = await centralClient.query<{ title: string; n: number }>(`SELECT title, count(*)::int AS n FROM tasks WHERE title ~ '^W[0-9]+$' GROUP BY title`);
  const inCentral = new Map(rows.map((row) => [row.title, row.n]));
  for (const title of expected) expect(inCentral.get(title), `${title} is not in central exactly once`).toBe(1);
  for (const [title, n] of inCentral) expect(n, `${title} is in central ${n} times`).toBe(1);
  for (const r of files) {
    expect(r.core.sync.outbox.pendingCount(), `${path.basename(r.file)} still has pending changes`).toBe(0);
    expect(r.core.sync.outbox.rejected(), `${path.basename(r.file)} has refused changes`).toEqual([]);
  }
}

describe('replica copies and restores, and central restores, in any order', () => {
  it('never lose an acknowledged write', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 14 }), async (ops) => {
        try {
          await runScenario(ops);
        } finally {
          for (const c of cleanups.splice(0)) await c();
        }
      }),
      { numRuns: 8, endOnFailure: true },
    );
  }, 300_000);

  it('the issue’s sequence: backup, write and sync, restore the backup, write twice and sync', async () => {
    await runScenario([
      { k: 'backup', f: 0 },
      { k: 'write', f: 0 },
      { k: 'restoreFile', f: 0, viaCommand: false },
      { k: 'write', f: 0 },
      { k: 'write', f: 0 },
      { k: 'sync', f: 0 },
    ]);
  }, 60_000);
});
