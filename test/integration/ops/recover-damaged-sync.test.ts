/**
 * Recovery when the damage is where SQLite itself cannot cope: page 1 zeroed, the schema pages
 * garbled, the file cut off mid-table, bytes flipped all over. For each, a synced replica is
 * edited offline (a new task, a status change of a synced task, a short and a very long comment
 * — the long one spills onto overflow pages — and a delete), the file is damaged, and recovery
 * (the CLI's `recover`, or the desktop's start-up recovery) must: salvage every pending change,
 * show each in the rebuilt replica at once, keep it queued, and deliver it to a real PostgreSQL
 * exactly once on the next sync.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, type Core } from '../../../core/app/core';
import type { EntityTable, Row } from '../../../core/mutations/types';
import { openCoreWithRecovery, type RecoveryReport } from '../../../core/ops/recovery';
import { TABLE_SPECS } from '../../../core/sync/columns';
import { runCoordinator } from '../../support/cli';
import { corruptSchemaPages, flipBytesOutside, truncateMidTable, zeroFirstPage } from '../../support/corrupt-db';
import { tempCentral } from '../../support/pg';

interface Pending {
  mutation_id: string;
  table_name: EntityTable;
  row_id: string;
  op: string;
  fields: string;
  hlc: string;
  tx_id: string | null;
}
const pendingOf = (core: Core) =>
  core.db.prepare(`SELECT mutation_id, table_name, row_id, op, fields, hlc, tx_id FROM sync_outbox WHERE status = 'pending' ORDER BY seq`).all() as Pending[];
const rowOf = (core: Core, table: EntityTable, id: string): Row | null => {
  const row = core.db.prepare(`SELECT * FROM "${table}" WHERE id = ?`).get(id) as Row | undefined;
  return row ? Object.fromEntries(TABLE_SPECS[table].columns.map((c) => [c.name, row[c.name] ?? null])) : null;
};

const LONG_COMMENT = Array.from({ length: 400 }, (_, i) => `line ${i}: the client wants the invoice split across three cost centres.`).join('\n');

type Damage = (file: string) => void;
const DAMAGES: { name: string; damage: Damage; via: 'cli' | 'startup' }[] = [
  { name: 'page 1 zeroed (header and sqlite_schema root gone)', damage: zeroFirstPage, via: 'cli' },
  { name: 'sqlite_schema pages garbled (header intact)', damage: (f) => void corruptSchemaPages(f), via: 'startup' },
  {
    name: 'file truncated in the middle of its last table',
    damage: (f) => {
      // A table written last, so the cut falls inside it, past every other table's pages.
      const db = new Database(f);
      db.exec('CREATE TABLE attachments_cache (id INTEGER PRIMARY KEY, body BLOB)');
      const insert = db.prepare('INSERT INTO attachments_cache (body) VALUES (?)');
      for (let i = 0; i < 40; i += 1) insert.run(Buffer.alloc(3000, i));
      db.close();
      truncateMidTable(f, 'attachments_cache');
    },
    via: 'startup',
  },
  {
    name: 'random bytes flipped in indexes, page 1 and other tables (not the outbox or the edited rows)',
    damage: (f) => void flipBytesOutside(f, ['sync_outbox', 'tasks', 'comments', 'projects', 'users', 'employees', 'sync_row_versions'], 400, 20261204),
    via: 'startup',
  },
];

describe('recovery of a replica whose schema pages or file are damaged', () => {
  let central: Awaited<ReturnType<typeof tempCentral>>;
  let dir: string;
  beforeAll(async () => {
    central = await tempCentral();
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-recover-damaged-'));
    const seeder = openCore({ dbFile: path.join(dir, 'seeder.db') });
    seeder.demo.seed();
    const engine = seeder.sync.connect({ central: { url: central.url }, firstConnect: 'upload' });
    await engine.syncOnce();
    await engine.close();
    seeder.close();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await central.drop();
  });

  for (const [index, { name, damage, via }] of DAMAGES.entries()) {
    it(`${name}: every pending change is shown at once and reaches PostgreSQL exactly once (via ${via})`, async () => {
      const file = path.join(dir, `laptop-${index}.db`);
      const a = openCore({ dbFile: file });
      const online = a.sync.connect({ central: { url: central.url }, firstConnect: 'upload' });
      await online.syncOnce();
      await online.close();
      expect(a.tasks.count()).toBeGreaterThan(index + 2);

      // Offline edits of every kind; each case edits its own synced task.
      const synced = a.tasks.list({})[index]!;
      const created = a.tasks.create({ title: `Planned offline ${index}`, priority: 'urgent' });
      a.tasks.update({ id: synced.id, status: 'awaiting_feedback', title: `Waiting on the client ${index}` });
      const short = a.comments.add({ taskId: synced.id, content: 'Called them, no answer' });
      const long = a.comments.add({ taskId: created.id, content: LONG_COMMENT });
      const doomed = a.tasks.create({ title: 'Created and deleted offline' });
      a.tasks.delete(doomed.id);
      const before = pendingOf(a);
      const seen = new Map([...new Set(before.map((e) => `${e.table_name}:${e.row_id}`))].map((key) => {
        const [table, id] = key.split(':') as [EntityTable, string];
        return [key, rowOf(a, table, id)];
      }));
      const oldClient = a.sync.state.clientId();
      a.close();

      damage(file);

      let recovery: RecoveryReport;
      if (via === 'cli') {
        const run = await runCoordinator(['--db', file, 'recover', '--json'], { COORDINATOR_PG_URL: undefined, COORDINATOR_CRM_URL: undefined, OPENAI_BASE_URL: undefined });
        expect(run.stderr).not.toMatch(/Error/);
        const out = JSON.parse(run.stdout) as { damaged: boolean; recovery: RecoveryReport };
        expect(out.damaged).toBe(true);
        recovery = out.recovery;
      }
      const opened = via === 'cli' ? { core: openCore({ dbFile: file }), recovery: null } : openCoreWithRecovery({ dbFile: file });
      recovery ??= opened.recovery!;
      const core = opened.core;
      try {
        expect(recovery.salvaged.pending).toBe(before.length);
        expect(recovery.replayed).toBe(before.length);
        // Still queued, in order, unchanged — under a new replica identity.
        expect(pendingOf(core)).toEqual(before);
        expect(core.sync.state.clientId()).not.toBe(oldClient);
        // Shown before any sync: every touched row is exactly as the user last saw it.
        for (const [key, row] of seen) {
          const [table, id] = key.split(':') as [EntityTable, string];
          expect({ key, row: rowOf(core, table, id) }).toEqual({ key, row });
        }
        expect(core.tasks.get(synced.id)).toMatchObject({ status: 'awaiting_feedback', title: `Waiting on the client ${index}` });
        expect(core.comments.list({ taskId: created.id }).map((c) => c.content)).toEqual([LONG_COMMENT]);

        const engine = core.sync.connect({ central: { url: central.url }, firstConnect: 'upload' });
        try {
          const first = await engine.syncOnce();
          expect(first.rejected).toBe(0);
          expect(first.pushed).toBe(before.length);
          const again = await engine.syncOnce();
          expect(again.pushed).toBe(0);
        } finally {
          await engine.close();
        }
        expect(core.sync.outbox.pendingCount()).toBe(0);

        // Exactly once: one applied change per salvaged mutation, all from the new identity.
        const newClient = core.sync.state.clientId();
        const { rows: changes } = await central.query<{ n: string }>('SELECT count(*) AS n FROM sync_changes WHERE client_id = $1', [newClient]);
        expect(Number(changes[0]!.n)).toBe(before.length);
        const { rows: clients } = await central.query<{ seq: string }>('SELECT last_mutation_seq AS seq FROM sync_clients WHERE client_id = $1', [newClient]);
        expect(Number(clients[0]!.seq)).toBe(before.length);
        const { rows: task } = await central.query('SELECT title, status FROM tasks WHERE id = $1', [synced.id]);
        expect(task).toEqual([{ title: `Waiting on the client ${index}`, status: 'awaiting_feedback' }]);
        const { rows: comments } = await central.query<{ id: string; content: string }>('SELECT id, content FROM comments WHERE id = ANY($1::uuid[]) ORDER BY content', [[short.id, long.id]]);
        expect(comments.map((c) => c.content).sort()).toEqual(['Called them, no answer', LONG_COMMENT].sort());
        const { rows: gone } = await central.query('SELECT id FROM tasks WHERE id = $1', [doomed.id]);
        expect(gone).toEqual([]);
      } finally {
        core.close();
      }
    });
  }
});
