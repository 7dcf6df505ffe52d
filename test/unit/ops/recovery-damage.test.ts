/**
 * Salvage on real files damaged where SQLite gives up: rows are read from the pages directly.
 * Acknowledged outbox entries must stay gone even though their freed pages still hold them; an
 * entry that decodes but is not a valid change is reported while the rest proceed; a file cut
 * off inside the outbox keeps every entry on the pages before the cut.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCore, type Core } from '../../../core/app/core';
import { openCoreWithRecovery } from '../../../core/ops/recovery';
import { salvageReplica } from '../../../core/ops/salvage';
import { flipBytesOutside, pageMap, truncateMidTable, zeroFirstPage } from '../../support/corrupt-db';

const outboxOf = (db: Database.Database | Core['db']) =>
  db.prepare('SELECT seq, mutation_id, table_name, row_id, op, fields, base_version, hlc, status, error, created_at, tx_id FROM sync_outbox ORDER BY seq').all() as { seq: number; mutation_id: string }[];

describe('salvage from the pages of a damaged replica', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-salvage-'));
    file = path.join(dir, 'coordinator.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('never brings back acknowledged entries from freed pages, with the header gone', () => {
    const core = openCore({ dbFile: file });
    for (let i = 0; i < 400; i += 1) core.tasks.create({ title: `task ${i} ${'x'.repeat(200)}` });
    const all = outboxOf(core.db);
    // The sync acknowledges the oldest entries: their leaf pages empty and go to the freelist.
    const kept = all.slice(-30);
    core.db.prepare('DELETE FROM sync_outbox WHERE seq < ?').run(kept[0]!.seq);
    core.close();
    const db = new Database(file, { readonly: true });
    const freed = db.pragma('freelist_count', { simple: true }) as number;
    db.close();
    expect(freed).toBeGreaterThan(10);

    zeroFirstPage(file);
    const salvage = salvageReplica(file);
    expect(salvage.problems[0]).toMatch(/cannot read the damaged file as a database/);
    expect(salvage.entries.map((e) => e.mutation_id)).toEqual(kept.map((e) => e.mutation_id));
  });

  it('reports an entry that is not a valid change and recovers the others', () => {
    const core = openCore({ dbFile: file });
    const task = core.tasks.create({ title: 'kept' });
    core.tasks.update({ id: task.id, status: 'done' });
    const [first] = outboxOf(core.db);
    core.db.prepare(`UPDATE sync_outbox SET fields = 'not json', table_name = 'no_such_table' WHERE seq = ?`).run(first!.seq);
    const expected = outboxOf(core.db).slice(1);
    core.close();
    zeroFirstPage(file);

    const { core: rebuilt, recovery } = openCoreWithRecovery({ dbFile: file });
    try {
      expect(recovery!.problems.join('\n')).toMatch(new RegExp(`outbox entry ${first!.seq} is damaged: .*table_name`));
      expect(recovery!.salvaged.pending).toBe(expected.length);
      expect(outboxOf(rebuilt.db).map((e) => e.mutation_id)).toEqual(expected.map((e) => e.mutation_id));
      expect(rebuilt.tasks.get(task.id)).toMatchObject({ title: 'kept', status: 'done' });
    } finally {
      rebuilt.close();
    }
  });

  it('keeps every entry on the pages before a cut through the outbox', () => {
    const core = openCore({ dbFile: file });
    core.demo.seed();
    const before = outboxOf(core.db);
    core.close();
    const { leaves } = pageMap(file);
    const { lostFrom } = truncateMidTable(file, 'sync_outbox');
    const intact = leaves.filter((l) => l.name === 'sync_outbox' && l.pageno < lostFrom).reduce((n, l) => n + l.ncell, 0);
    expect(intact).toBeGreaterThan(0);
    expect(intact).toBeLessThan(before.length);

    const { core: rebuilt, recovery } = openCoreWithRecovery({ dbFile: file });
    try {
      const salvaged = outboxOf(rebuilt.db);
      expect(recovery!.salvaged.pending).toBe(intact);
      const original = new Map(before.map((e) => [e.mutation_id, e]));
      for (const entry of salvaged) expect({ ...entry, seq: 0 }).toEqual({ ...original.get(entry.mutation_id), seq: 0 });
      // Each salvaged change is shown: the replica is local-only, so its outbox is its history.
      expect(recovery!.replayed).toBe(intact);
    } finally {
      rebuilt.close();
    }
  });

  for (const seed of [1, 7, 42]) {
    it(`with bytes flipped anywhere but the outbox (seed ${seed}), every pending change is kept and shown or named`, () => {
      const core = openCore({ dbFile: file });
      core.demo.seed();
      const before = outboxOf(core.db) as unknown as { mutation_id: string; table_name: string; row_id: string; op: string; fields: string }[];
      core.close();
      flipBytesOutside(file, ['sync_outbox'], 300, seed);

      const { core: rebuilt, recovery } = openCoreWithRecovery({ dbFile: file });
      try {
        expect(outboxOf(rebuilt.db).map((e) => e.mutation_id)).toEqual(before.map((e) => e.mutation_id));
        // What the user changed is what the rebuilt replica shows: each row's pending fields,
        // latest first; a row that could not be shown is named in the report.
        const latest = new Map<string, Record<string, unknown> | null>();
        for (const e of before) {
          const key = `${e.table_name}:${e.row_id}`;
          latest.set(key, e.op === 'delete' ? null : { ...(latest.get(key) ?? {}), ...(JSON.parse(e.fields) as Record<string, unknown>) });
        }
        const problems = recovery!.problems.join('\n');
        let shown = 0;
        for (const [key, fields] of latest) {
          const [table, id] = key.split(':') as [string, string];
          const row = rebuilt.db.prepare(`SELECT * FROM "${table}" WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
          if (fields === null) expect(row).toBeUndefined();
          else if (row) {
            shown += 1;
            for (const [column, value] of Object.entries(fields)) if (column in row) expect({ key, column, value: row[column] }).toEqual({ key, column, value });
          } else expect(problems).toContain(id);
        }
        expect(shown).toBeGreaterThan(0);
      } finally {
        rebuilt.close();
      }
    });
  }
});
