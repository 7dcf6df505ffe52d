import Database from 'better-sqlite3';
import { z } from 'zod';
import { SYNC_ORDER } from '../sync/columns';

/**
 * Reads what can still be read from a damaged replica: the outbox (every change not yet on the
 * central database, plus the ones it refused) and the local settings. A damaged page must cost
 * the rows on that page, not the whole table, so rows are found through every route SQLite
 * offers — each index on the outbox, and table scans from both ends — and then fetched one by
 * one, each read allowed to fail on its own.
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
});
export type SalvagedEntry = z.infer<typeof salvagedEntrySchema>;

export interface SalvageResult {
  entries: SalvagedEntry[];
  settings: { key: string; value: string }[];
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
function readUntilFailure<T>(run: () => Iterable<T>, onRow: (row: T) => void, problems: string[], label: string): void {
  try {
    for (const row of run()) onRow(row);
  } catch (error) {
    problems.push(`${label}: ${message(error)}`);
  }
}

export function salvageReplica(file: string): SalvageResult {
  const problems: string[] = [];
  let db: Database.Database;
  try {
    db = openDamaged(file);
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (error) {
    return { entries: [], settings: [], problems: [`the damaged file cannot be read as a database: ${message(error)}`] };
  }
  try {
    const seqs = new Set<number>();
    const byIndex = (index: string) => () =>
      db.prepare(`SELECT seq FROM sync_outbox INDEXED BY ${index} WHERE seq IS NOT NULL`).pluck().iterate() as Iterable<number>;
    for (const index of ['idx_sync_outbox_status', 'idx_sync_outbox_mutation_id', 'idx_sync_outbox_row']) {
      readUntilFailure(byIndex(index), (seq) => seqs.add(seq), problems, `outbox index ${index}`);
    }

    const found = new Map<number, unknown>();
    const keep = (row: unknown) => {
      if (row && typeof row === 'object' && 'seq' in row && typeof row.seq === 'number') found.set(row.seq, row);
    };
    readUntilFailure(() => db.prepare('SELECT * FROM sync_outbox ORDER BY seq').iterate(), keep, problems, 'outbox scan (forward)');
    readUntilFailure(() => db.prepare('SELECT * FROM sync_outbox ORDER BY seq DESC').iterate(), keep, problems, 'outbox scan (backward)');
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

    const entries: SalvagedEntry[] = [];
    for (const row of [...found.values()]) {
      const parsed = salvagedEntrySchema.safeParse(row);
      if (parsed.success) entries.push(parsed.data);
      else problems.push(`outbox entry ${String((row as { seq?: unknown }).seq)} is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    entries.sort((a, b) => a.seq - b.seq);

    const settings: { key: string; value: string }[] = [];
    readUntilFailure(
      () => db.prepare('SELECT key, value FROM local_settings').iterate() as Iterable<{ key: unknown; value: unknown }>,
      (r) => {
        if (typeof r.key === 'string' && typeof r.value === 'string') settings.push({ key: r.key, value: r.value });
      },
      problems,
      'local settings',
    );
    return { entries, settings, problems };
  } finally {
    db.close();
  }
}
