import Database from 'better-sqlite3';
import { z } from 'zod';
import { openDatabase } from '../database/open';
import type { EntityTable, Row } from '../mutations/types';
import type { PulledRow } from '../sync/apply';
import { SYNC_ORDER, isSyncedTable } from '../sync/columns';
import { FOREIGN_KEYS, invalidReason } from '../sync/validate-row';
import { scanTableRecords, type PageRecord, type PageScan, type RecordValue } from './sqlite-pages';

/**
 * Reads what can still be read from a damaged replica: the outbox (every change not yet on the
 * central database, plus the ones it refused), the local settings, and the local state of every
 * row a pending change touches (with the rows they refer to), so the user sees their edits in
 * the rebuilt replica before any sync. A damaged page must cost the rows on that page, not the
 * whole table, so rows are found through every route SQLite offers — each index on the outbox,
 * and table scans from both ends — each read allowed to fail on its own. When SQLite cannot
 * read the table (the schema pages are damaged, an interior page is lost), the file's pages are
 * read directly and rows are recognised by their shape: the columns of the table as the
 * migrations create it.
 */

const salvagedEntrySchema = z.object({
  seq: z.number().int().positive(),
  mutation_id: z.string().min(1).max(100),
  table_name: z.enum(SYNC_ORDER as [string, ...string[]]),
  row_id: z.string().min(1).max(100),
  op: z.enum(['insert', 'update', 'delete']),
  fields: z.string().refine((s) => {
    try {
      const v: unknown = JSON.parse(s);
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    } catch {
      return false;
    }
  }, 'must be a JSON object'),
  base_version: z.number().int().nullable(),
  hlc: z.string().min(1).max(200),
  status: z.enum(['pending', 'rejected']),
  error: z.string().nullable(),
  created_at: z.string().min(1).max(100),
  // Entries written before the outbox knew local transactions have none.
  tx_id: z.string().min(1).max(100).nullable().default(null),
});
export type SalvagedEntry = z.infer<typeof salvagedEntrySchema>;

export interface SalvageResult {
  entries: SalvagedEntry[];
  settings: { key: string; value: string }[];
  /**
   * The replica's own state of the rows pending changes touch, and of the rows those refer to
   * (parents first), to be shown again at once; a row only the outbox describes (an insert
   * whose page is lost) is rebuilt from that insert.
   */
  rows: PulledRow[];
  /** What could not be read, for the recovery report. */
  problems: string[];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Opens read-only so the damaged file (and its WAL) stays exactly as found. */
function openDamaged(file: string): Database.Database {
  try {
    return new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    // A WAL database without its -shm cannot always be opened read-only; reading through a
    // read-write handle that never writes is the fallback.
    const db = new Database(file, { fileMustExist: true });
    db.pragma('query_only = ON');
    return db;
  }
}

/** Every value a statement yields until it fails; the failure is reported, not thrown. */
function readUntilFailure<T>(run: () => Iterable<T>, onRow: (row: T) => void, problems: string[], label: string): boolean {
  try {
    for (const row of run()) onRow(row);
    return true;
  } catch (error) {
    problems.push(`${label}: ${message(error)}`);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Shapes: how a record of each table looks on disk, from the schema the migrations create.

interface ColumnShape {
  name: string;
  affinity: 'integer' | 'real' | 'text' | 'blob' | 'numeric';
  notNull: boolean;
  /** INTEGER PRIMARY KEY: stored as NULL in the record, its value is the rowid. */
  rowid: boolean;
}
type Shapes = Map<string, ColumnShape[]>;

/** SQLite's affinity rules (https://www.sqlite.org/datatype3.html#determination_of_column_affinity). */
function affinityOf(declared: string): ColumnShape['affinity'] {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'text';
  if (t === '' || t.includes('BLOB')) return 'blob';
  if (/REAL|FLOA|DOUB/.test(t)) return 'real';
  return 'numeric';
}

let cachedShapes: Shapes | null = null;
/** Read from a throwaway database built by the migrations, so it always matches this version. */
function tableShapes(): Shapes {
  if (cachedShapes) return cachedShapes;
  const db = openDatabase({ file: ':memory:' });
  try {
    const shapes: Shapes = new Map();
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE TABLE%' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
    for (const table of tables) {
      const info = db.prepare('SELECT name, type, "notnull" AS nn, pk FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string; type: string; nn: number; pk: number }[];
      const alias = info.filter((c) => c.pk > 0).length === 1 ? info.find((c) => c.pk > 0 && c.type.toUpperCase() === 'INTEGER') : undefined;
      shapes.set(
        table,
        info.map((c) => ({ name: c.name, affinity: affinityOf(c.type), notNull: c.nn === 1 || c.pk > 0, rowid: c === alias })),
      );
    }
    return (cachedShapes = shapes);
  } finally {
    db.close();
  }
}

function fits(column: ColumnShape, value: RecordValue): boolean {
  if (column.rowid) return value === null;
  if (value === null) return !column.notNull;
  switch (column.affinity) {
    case 'text':
      return typeof value === 'string';
    case 'integer':
    case 'real':
    case 'numeric':
      return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string';
    default:
      return true;
  }
}

/**
 * The record as a row of `columns`, or null when it cannot be one. A record may be shorter than
 * the table: a row written before `ALTER TABLE ADD` lacks the added (nullable) columns.
 */
export function rowOfShape(columns: ColumnShape[], record: PageRecord): Row | null {
  const { values } = record;
  if (values.length > columns.length) return null;
  const row: Row = {};
  for (const [i, column] of columns.entries()) {
    const value = i < values.length ? values[i]! : null;
    if (i >= values.length && column.notNull) return null;
    if (!fits(column, value)) return null;
    row[column.name] = column.rowid ? Number(record.rowid) : value;
  }
  return row;
}

/** The tables a record could belong to, by shape alone. */
function tablesFitting(shapes: Shapes, record: PageRecord): string[] {
  return [...shapes.entries()].filter(([, columns]) => rowOfShape(columns, record) !== null).map(([name]) => name);
}

// ---------------------------------------------------------------------------------------------

interface Sources {
  db: Database.Database | null;
  /** The direct page read, done at most once and only when SQLite's routes fall short. */
  pages(): PageScan | null;
  problems: string[];
}

function outboxViaSqlite(db: Database.Database, found: Map<number, unknown>, problems: string[]): boolean {
  let complete = true;
  const seqs = new Set<number>();
  const byIndex = (index: string) => () =>
    db.prepare(`SELECT seq FROM sync_outbox INDEXED BY ${index} WHERE seq IS NOT NULL`).pluck().iterate() as Iterable<number>;
  for (const index of ['idx_sync_outbox_status', 'idx_sync_outbox_mutation_id', 'idx_sync_outbox_row']) {
    complete = readUntilFailure(byIndex(index), (seq) => seqs.add(seq), problems, `outbox index ${index}`) && complete;
  }
  const keep = (row: unknown) => {
    if (row && typeof row === 'object' && 'seq' in row && typeof row.seq === 'number') found.set(row.seq, row);
  };
  complete = readUntilFailure(() => db.prepare('SELECT * FROM sync_outbox ORDER BY seq').iterate(), keep, problems, 'outbox scan (forward)') && complete;
  complete = readUntilFailure(() => db.prepare('SELECT * FROM sync_outbox ORDER BY seq DESC').iterate(), keep, problems, 'outbox scan (backward)') && complete;
  const bySeq = db.prepare('SELECT * FROM sync_outbox WHERE seq = ?');
  for (const seq of seqs) {
    if (found.has(seq)) continue;
    try {
      keep(bySeq.get(seq));
    } catch {
      // counted below as unreadable
    }
  }
  const missing = [...seqs].filter((s) => !found.has(s)).sort((a, b) => a - b);
  if (missing.length > 0) problems.push(`${missing.length} outbox entries are listed in an index but unreadable (seq ${missing.slice(0, 20).join(', ')})`);
  return complete && missing.length === 0;
}

/** Outbox rows recognised by shape on the pages themselves; SQLite's reading wins a tie. */
function outboxViaPages(scan: PageScan, found: Map<number, unknown>): number {
  const shapes = tableShapes();
  const columns = shapes.get('sync_outbox')!;
  let added = 0;
  for (const record of scan.records) {
    const row = rowOfShape(columns, record);
    if (!row || found.has(Number(record.rowid))) continue;
    // Another table of the same shape would make the match a guess: zod decides below anyway,
    // but a record that also fits elsewhere must look like an outbox entry to be taken.
    if (tablesFitting(shapes, record).length > 1 && !salvagedEntrySchema.safeParse(row).success) continue;
    found.set(Number(record.rowid), row);
    added += 1;
  }
  return added;
}

function salvageOutbox(sources: Sources): SalvagedEntry[] {
  const { problems } = sources;
  const found = new Map<number, unknown>();
  const complete = sources.db ? outboxViaSqlite(sources.db, found, problems) : false;
  if (!complete) {
    const scan = sources.pages();
    if (scan) {
      const added = outboxViaPages(scan, found);
      if (added > 0) problems.push(`${added} outbox entries read directly from the file's pages`);
    }
  }
  const entries: SalvagedEntry[] = [];
  for (const row of found.values()) {
    const parsed = salvagedEntrySchema.safeParse(row);
    if (parsed.success) entries.push(parsed.data);
    else {
      const seq = row && typeof row === 'object' && 'seq' in row ? String(row.seq) : '?';
      problems.push(`outbox entry ${seq} is damaged: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ') || 'invalid'}`);
    }
  }
  return entries.sort((a, b) => a.seq - b.seq);
}

function salvageSettings(sources: Sources): { key: string; value: string }[] {
  const settings = new Map<string, string>();
  const keep = (r: { key: unknown; value: unknown }) => {
    if (typeof r.key === 'string' && typeof r.value === 'string') settings.set(r.key, r.value);
  };
  const complete =
    sources.db !== null &&
    readUntilFailure(
      () => sources.db!.prepare('SELECT key, value FROM local_settings').iterate() as Iterable<{ key: unknown; value: unknown }>,
      keep,
      sources.problems,
      'local settings',
    );
  if (!complete) {
    const shapes = tableShapes();
    for (const record of sources.pages()?.records ?? []) {
      // Two text columns is a common shape: only a record no other table could hold is taken.
      const fitting = tablesFitting(shapes, record);
      if (fitting.length !== 1 || fitting[0] !== 'local_settings') continue;
      const row = rowOfShape(shapes.get('local_settings')!, record)!;
      if (!settings.has(String(row.key))) keep(row as { key: unknown; value: unknown });
    }
  }
  return [...settings].map(([key, value]) => ({ key, value }));
}

/** One row's local state from the damaged file, through SQLite or else from the pages. */
function rowReader(sources: Sources) {
  const shapes = tableShapes();
  let byId: Map<string, Row[]> | null = null;
  let versions: Map<string, number> | null = null;
  const fromPages = (table: EntityTable, id: string): Row[] => {
    if (!byId) {
      byId = new Map();
      for (const record of sources.pages()?.records ?? []) {
        for (const name of SYNC_ORDER) {
          const row = rowOfShape(shapes.get(name)!, record);
          if (!row || typeof row.id !== 'string') continue;
          const key = `${name}:${row.id}`;
          byId.set(key, [...(byId.get(key) ?? []), row]);
        }
      }
    }
    return byId.get(`${table}:${id}`) ?? [];
  };
  const versionFromPages = (table: EntityTable, id: string): number | null => {
    if (!versions) {
      versions = new Map();
      const columns = shapes.get('sync_row_versions')!;
      for (const record of sources.pages()?.records ?? []) {
        const row = rowOfShape(columns, record);
        if (row && typeof row.version === 'number') versions.set(`${String(row.table_name)}:${String(row.row_id)}`, row.version);
      }
    }
    return versions.get(`${table}:${id}`) ?? null;
  };
  return {
    row(table: EntityTable, id: string): Row | null {
      try {
        const row = sources.db?.prepare(`SELECT * FROM "${table}" WHERE id = ?`).get(id) as Row | undefined;
        if (row && invalidReason(table, row) === null) return row;
      } catch {
        // the page holding it is damaged: read the pages directly
      }
      // Of several candidates (a damaged copy that still fits the shape), the valid, latest one.
      const candidates = fromPages(table, id).filter((r) => invalidReason(table, r) === null);
      return candidates.sort((a, b) => String(b.updated_at ?? '').localeCompare(String(a.updated_at ?? '')))[0] ?? null;
    },
    version(table: EntityTable, id: string): number | null {
      try {
        const v = sources.db?.prepare('SELECT version FROM sync_row_versions WHERE table_name = ? AND row_id = ?').pluck().get(table, id);
        if (typeof v === 'number') return v;
      } catch {
        // fall through to the pages
      }
      return versionFromPages(table, id);
    },
  };
}

/**
 * The rows to show again: every row a pending change leaves in place, with the rows it refers
 * to (its task, project, author) so the foreign keys of the fresh replica hold.
 */
function salvageRows(sources: Sources, entries: SalvagedEntry[]): PulledRow[] {
  const pending = entries.filter((e) => e.status === 'pending');
  const last = new Map<string, SalvagedEntry>();
  for (const e of pending) last.set(`${e.table_name}:${e.row_id}`, e);
  const inserted = new Map<string, Row>();
  for (const e of pending) if (e.op === 'insert') inserted.set(`${e.table_name}:${e.row_id}`, { ...(JSON.parse(e.fields) as Row), id: e.row_id });

  const reader = rowReader(sources);
  const rows = new Map<string, PulledRow>();
  const queue: { table: EntityTable; id: string }[] = [...last.values()]
    .filter((e) => e.op !== 'delete' && isSyncedTable(e.table_name))
    .map((e) => ({ table: e.table_name as EntityTable, id: e.row_id }));
  const seen = new Set<string>();
  while (queue.length > 0) {
    const { table, id } = queue.shift()!;
    const key = `${table}:${id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // A row deleted by a pending change stays deleted, even as someone's parent.
    if (last.get(key)?.op === 'delete') continue;
    const fromInsert = inserted.get(key);
    const row = reader.row(table, id) ?? (fromInsert && invalidReason(table, fromInsert) === null ? fromInsert : null);
    // A touched row read nowhere is reported by the replay; its changes wait for the sync.
    if (!row) continue;
    rows.set(key, { table, row, version: reader.version(table, id) });
    for (const fk of FOREIGN_KEYS[table]) {
      const ref = row[fk.column];
      if (typeof ref === 'string') queue.push({ table: fk.parent, id: ref });
    }
  }
  const order = (r: PulledRow) => SYNC_ORDER.indexOf(r.table);
  return [...rows.values()].sort((a, b) => order(a) - order(b));
}

export function salvageReplica(file: string): SalvageResult {
  const problems: string[] = [];
  let db: Database.Database | null = null;
  try {
    db = openDamaged(file);
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (error) {
    db?.close();
    db = null;
    problems.push(`SQLite cannot read the damaged file as a database (${message(error)}); its pages are read directly`);
  }
  let scan: PageScan | null | undefined;
  const sources: Sources = {
    db,
    problems,
    pages() {
      if (scan !== undefined) return scan;
      try {
        const shapes = tableShapes();
        const wanted = ['sync_outbox', 'local_settings', 'sync_row_versions', ...SYNC_ORDER].map((t) => shapes.get(t)!);
        scan = scanTableRecords(file, (record) => wanted.some((columns) => rowOfShape(columns, record) !== null));
        problems.push(...scan.problems);
        if (scan.damagedCells > 0) problems.push(`${scan.damagedCells} damaged cells on the file's pages could not be decoded`);
      } catch (error) {
        scan = null;
        problems.push(`the file's pages cannot be read: ${message(error)}`);
      }
      return scan;
    },
  };
  try {
    const entries = salvageOutbox(sources);
    const settings = salvageSettings(sources);
    return { entries, settings, rows: salvageRows(sources, entries), problems };
  } finally {
    db?.close();
  }
}
