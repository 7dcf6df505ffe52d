/**
 * The direct page reader against real SQLite files: whatever the outbox holds (long texts that
 * spill onto overflow pages, any Unicode, 64-bit numbers, NULLs), at any page size, with rows
 * acknowledged (deleted) and committed changes still in the WAL, reading the pages yields
 * exactly the rows SQLite holds — and, with page 1 destroyed so SQLite cannot read the file at
 * all, salvage still finds exactly the outbox, and never a deleted entry.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../core/database/open';
import { salvageReplica } from '../../../core/ops/salvage';
import { decodeRecord, readVarint, scanTableRecords } from '../../../core/ops/sqlite-pages';
import { SYNC_ORDER } from '../../../core/sync/columns';
import { zeroFirstPage } from '../../support/corrupt-db';

const COLUMNS = ['mutation_id', 'table_name', 'row_id', 'op', 'fields', 'base_version', 'hlc', 'status', 'error', 'created_at', 'tx_id'] as const;

const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });
/** Short, or long enough to need one or several overflow pages. */
const sometimesLong = fc.oneof({ arbitrary: text(40), weight: 3 }, { arbitrary: fc.tuple(text(8), fc.integer({ min: 100, max: 3000 })).map(([s, n]) => (s || 'x').repeat(n).slice(0, 20_000)), weight: 1 });

const outboxRow = fc.record({
  mutation_id: fc.uuid(),
  table_name: fc.constantFrom(...SYNC_ORDER),
  row_id: fc.uuid(),
  op: fc.constantFrom('insert', 'update', 'delete'),
  fields: fc.dictionary(fc.constantFrom('title', 'content', 'status', 'updated_at', 'estimated_hours'), fc.oneof(sometimesLong, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null))).map((o) => JSON.stringify(o)),
  base_version: fc.option(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.maxSafeNat().map((n) => -n)), { nil: null }),
  hlc: text(60).map((s) => `000001733000000:00001:${s || 'r'}`),
  status: fc.constantFrom('pending', 'rejected'),
  error: fc.option(sometimesLong, { nil: null }),
  created_at: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  tx_id: fc.option(fc.uuid(), { nil: null }),
});

const scenario = fc.record({
  rows: fc.uniqueArray(outboxRow, { minLength: 1, maxLength: 40, selector: (r) => r.mutation_id }),
  acknowledged: fc.array(fc.boolean(), { maxLength: 40 }),
  pageSize: fc.constantFrom(512, 1024, 4096, 8192, 65536),
  inWal: fc.boolean(),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
type Row = { [K in (typeof COLUMNS)[number]]: string | number | null } & { seq: number };

describe('reading SQLite pages directly', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-pages-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes varints of every length as SQLite writes them', () => {
    expect(readVarint(Buffer.from([0x7f]), 0)).toEqual({ value: 127n, length: 1 });
    expect(readVarint(Buffer.from([0x81, 0x00]), 0)).toEqual({ value: 128n, length: 2 });
    expect(readVarint(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0)).toEqual({ value: -1n, length: 9 });
    expect(() => readVarint(Buffer.from([0x81]), 0)).toThrow(RangeError);
    // header 3 bytes: (3, serial 1, serial 13+2*2) then 0x2a and "hi"
    expect(decodeRecord(Buffer.from([3, 1, 17, 0x2a, 0x68, 0x69]))).toEqual([42, 'hi']);
    expect(() => decodeRecord(Buffer.from([3, 1, 17, 0x2a, 0x68]))).toThrow(RangeError);
  });

  let run = 0;
  /** A real replica file holding `rows` in its outbox, some acknowledged; returns what remains. */
  function writeReplica(s: Scenario): { file: string; remaining: Row[] } {
    run += 1;
    const source = path.join(dir, `source-${run}.db`);
    const file = path.join(dir, `copy-${run}.db`);
    const raw = new Database(source);
    raw.pragma(`page_size = ${s.pageSize}`);
    // The page size is fixed by the first write (the dropped table also leaves a free page).
    raw.exec('CREATE TABLE size_fixer (x); DROP TABLE size_fixer;');
    raw.close();
    const db = openDatabase({ file: source });
    try {
      db.pragma('wal_autocheckpoint = 0');
      if (!s.inWal) db.pragma('wal_checkpoint(TRUNCATE)');
      const insert = db.prepare(`INSERT INTO sync_outbox (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`);
      db.transaction(() => {
        for (const row of s.rows) insert.run(row);
      })();
      const seqs = db.prepare('SELECT seq FROM sync_outbox ORDER BY seq').pluck().all() as number[];
      const remove = db.prepare('DELETE FROM sync_outbox WHERE seq = ?');
      seqs.forEach((seq, i) => {
        if (s.acknowledged[i]) remove.run(seq);
      });
      if (!s.inWal) db.pragma('wal_checkpoint(TRUNCATE)');
      const remaining = db.prepare('SELECT * FROM sync_outbox ORDER BY seq').all() as Row[];
      // Copied while open: with inWal, the committed rows are only in the -wal file.
      copyFileSync(source, file);
      if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${file}-wal`);
      return { file, remaining };
    } finally {
      db.close();
    }
  }

  it('finds exactly the rows SQLite holds, at any page size, through overflow pages and the WAL', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { file, remaining } = writeReplica(s);
        const scan = scanTableRecords(file);
        expect(scan.pageSize).toBe(s.pageSize);
        expect(scan.damagedCells).toBe(0);
        const outbox = scan.records.filter((r) => r.values.length === COLUMNS.length + 1 && r.values[0] === null && typeof r.values[1] === 'string' && r.values[1].length === 36);
        const asRows = outbox
          .map((r) => ({ seq: Number(r.rowid), ...Object.fromEntries(COLUMNS.map((c, i) => [c, r.values[i + 1]])) }))
          .sort((a, b) => a.seq - b.seq);
        expect(asRows).toEqual(remaining);
      }),
      { numRuns: 25 },
    );
  });

  it('salvages exactly the remaining outbox when page 1 is destroyed and SQLite cannot open the file', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { file, remaining } = writeReplica(s);
        zeroFirstPage(file);
        const salvage = salvageReplica(file);
        // Without a WAL SQLite refuses the file outright; with one it may still read page 1 from
        // the WAL. Either way the outbox is all there.
        if (!s.inWal) expect(salvage.problems[0]).toMatch(/cannot read the damaged file as a database/);
        expect(salvage.entries).toEqual(remaining);
      }),
      { numRuns: 25 },
    );
  });
});
