/**
 * Helpers for the sync integration tests: replicas with hand-moved clocks bound to one central
 * database, normalized snapshots of local and central tables, and convergence checks.
 */
import type pg from 'pg';
import { expect } from 'vitest';
import { tempCore, manualClock } from './core';
import { connectCentral } from '../../core/sync/central/connect';
import { rowToLocal, TABLE_SPECS } from '../../core/sync/columns';
import type { SyncEngine, SyncEngineOptions, SyncResult } from '../../core/sync/engine';
import type { EntityTable } from '../../core/mutations/types';
import type { Core } from '../../core/app/core';

export type TempCore = ReturnType<typeof tempCore>;
export type ManualClock = ReturnType<typeof manualClock>;

export interface Replica {
  name: string;
  core: TempCore;
  clock: ManualClock;
  engine: SyncEngine;
  /** One sync run, after the central change log is fully visible (see `waitForVisibleChanges`). */
  sync(): Promise<SyncResult>;
  dispose(): Promise<void>;
}

export interface CentralHandle {
  url: string;
  /** Where replicas sync unless told otherwise (the sync service's URL in a transport-parity run). */
  replicaUrl?: string;
}

/**
 * Pulls read only below the cluster-wide visibility horizon; another test (or anything else on
 * the same PostgreSQL cluster) holding a transaction open keeps that horizon back. Wait until
 * every change and conflict already committed in this database is below it, so a sync right after
 * a push is guaranteed to see it. Fails loudly instead of letting a test flake.
 */
export async function waitForVisibleChanges(client: pg.ClientBase, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>(
      `SELECT pg_snapshot_xmin(pg_current_snapshot()) >
              greatest((SELECT max(xid) FROM sync_changes), (SELECT max(xid) FROM sync_conflicts), '0'::xid8) AS ok`,
    );
    if (rows[0]?.ok) return;
    if (Date.now() > deadline) throw new Error('the PostgreSQL visibility horizon did not pass the change log in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ReplicaOptions {
  /** Wall clock the replica starts at. */
  start?: string;
  /** Connection URL (defaults to the central's superuser URL). */
  url?: string;
  engine?: Omit<SyncEngineOptions, 'central'>;
}

/** A replica on a temp SQLite file with its own manual clock, connected to `central`. */
export function openReplica(central: CentralHandle & { client: pg.ClientBase }, name: string, options: ReplicaOptions = {}): Replica {
  const clock = manualClock(options.start ?? '2026-03-02T09:00:00.000Z');
  const core = tempCore({ clock });
  // Test replicas make their data before their first sync: they upload it, as a person would choose.
  const engine = core.sync.connect({ central: { url: options.url ?? central.replicaUrl ?? central.url }, firstConnect: 'upload', ...options.engine });
  return {
    name,
    core,
    clock,
    engine,
    async sync() {
      await waitForVisibleChanges(central.client);
      return engine.syncOnce();
    },
    async dispose() {
      await engine.close();
      core.dispose();
    },
  };
}

/** Every replica syncs, in order, `rounds` times (two rounds let everyone see everyone's pushes). */
export async function syncAll(replicas: Replica[], rounds = 2): Promise<SyncResult[]> {
  const results: SyncResult[] = [];
  for (let i = 0; i < rounds; i += 1) for (const r of replicas) results.push(await r.sync());
  return results;
}

export const COMPARED_TABLES: EntityTable[] = ['users', 'employees', 'projects', 'tasks', 'comments', 'notifications'];

export type NormalizedRow = Record<string, unknown>;
export type Snapshot = Partial<Record<EntityTable, NormalizedRow[]>>;

const canonicalJson = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonicalJson((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
};

/** A row in the replica's representation, with JSON canonicalised and timestamps as ISO UTC. */
export function normalizeRow(table: EntityTable, row: Record<string, unknown>): NormalizedRow {
  const out: NormalizedRow = {};
  for (const spec of TABLE_SPECS[table].columns) {
    let v = row[spec.name] ?? null;
    if (v !== null) {
      if (spec.kind === 'json') v = JSON.stringify(canonicalJson(typeof v === 'string' ? JSON.parse(v) : v));
      else if (spec.kind === 'timestamp') v = new Date(String(v)).toISOString();
      else if (spec.kind === 'boolean') v = v === 1 || v === true || v === '1' ? 1 : 0;
      else if (typeof v === 'bigint') v = Number(v);
    }
    out[spec.name] = v;
  }
  return out;
}

const byId = (a: NormalizedRow, b: NormalizedRow) => String(a.id).localeCompare(String(b.id));

export function localSnapshot(core: Pick<TempCore, 'db'>, tables: EntityTable[] = COMPARED_TABLES): Snapshot {
  const snap: Snapshot = {};
  for (const t of tables) {
    const rows = core.db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[];
    snap[t] = rows.map((r) => normalizeRow(t, r)).sort(byId);
  }
  return snap;
}

/** The central tables as the replica would store them (same type parsers as the sync engine). */
export async function centralSnapshot(url: string, tables: EntityTable[] = COMPARED_TABLES): Promise<Snapshot> {
  const client = await connectCentral({ url });
  try {
    const snap: Snapshot = {};
    for (const t of tables) {
      const { rows } = await client.query<Record<string, unknown>>(`SELECT * FROM "${t}"`);
      snap[t] = rows.map((r) => normalizeRow(t, rowToLocal(t, r))).sort(byId);
    }
    return snap;
  } finally {
    await client.end();
  }
}

/** Every replica's tables equal the central ones, row for row and value for value. */
export async function expectConverged(central: CentralHandle, replicas: Replica[], tables: EntityTable[] = COMPARED_TABLES): Promise<Snapshot> {
  const expected = await centralSnapshot(central.url, tables);
  for (const r of replicas) {
    const actual = localSnapshot(r.core, tables);
    for (const t of tables) expect(actual[t], `${r.name}.${t} differs from the central ${t}`).toEqual(expected[t]);
  }
  return expected;
}

/** Rows of one central table by id, in the replica's representation. */
export async function centralRow(url: string, table: EntityTable, id: string): Promise<NormalizedRow | null> {
  const snap = await centralSnapshot(url, [table]);
  return snap[table]?.find((r) => r.id === id) ?? null;
}

/** A small organisation made through the services of one replica: users, employees, a project, tasks. */
export function seedOrganisation(core: Core, options: { people?: string[]; tasks?: number } = {}) {
  const people = options.people ?? ['Ana', 'Ben', 'Cleo'];
  const users = people.map((name, i) =>
    core.users.create({ username: name.toLowerCase(), email: `${name.toLowerCase()}@example.com`, fullName: name, role: i === 0 ? 'admin' : 'coordinator' }),
  );
  core.session.setCurrentUser(users[0]!.id);
  const employees = users.map((u) => core.employees.create({ name: u.fullName, email: u.email, userId: u.id }));
  const project = core.projects.create({ name: 'Harbour relocation', description: 'Move the warehouse' });
  const tasks = Array.from({ length: options.tasks ?? 2 }, (_, i) =>
    core.tasks.create({ title: `Task ${i + 1}`, projectId: project.id, description: `Initial description ${i + 1}` }),
  );
  return { users, employees, project, tasks };
}

/** Central conflicts, oldest first. */
export async function centralConflicts(client: pg.ClientBase): Promise<
  { table_name: string; row_id: string; field: string | null; kind: string; losing_client_id: string | null; losing_value: unknown; winning_value: unknown }[]
> {
  const { rows } = await client.query(
    `SELECT table_name, row_id::text, field, kind, losing_client_id, losing_value, winning_value FROM sync_conflicts ORDER BY xid, seq`,
  );
  return rows;
}
