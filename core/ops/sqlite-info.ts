import { existsSync, statSync } from 'node:fs';
import type { SqliteDb } from '../database/open';
import { findMigrationsDir } from '../database/migrations-dir';
import { loadMigrations, type Migration } from '../database/migrations';

/** Facts about a local SQLite file that doctor, backup verification and recovery all need. */

/** Ordinary and virtual tables (not SQLite's own, not the shadow tables behind virtual ones). */
export function listTables(db: SqliteDb): string[] {
  const rows = db.prepare(`SELECT name, type FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') ORDER BY name`).all() as {
    name: string;
    type: string;
  }[];
  // Not every extension marks its storage tables as shadow tables (sqlite-vec does not): a table
  // named after a virtual table plus `_…` is taken to be its storage.
  const virtual = rows.filter((r) => r.type === 'virtual').map((r) => `${r.name}_`);
  return rows.map((r) => r.name).filter((name) => !name.startsWith('sqlite_') && !virtual.some((prefix) => name.startsWith(prefix)));
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Row count per table. A table that cannot be read (damaged, or a missing extension) is left out. */
export function tableCounts(db: SqliteDb): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const table of listTables(db)) {
    try {
      counts[table] = (db.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number }).n;
    } catch {
      // reported by the integrity check; counts are informational
    }
  }
  return counts;
}

/** Rows created since `sinceIso`, per table that has a created_at column. */
export function growthSince(db: SqliteDb, sinceIso: string): Record<string, number> {
  const growth: Record<string, number> = {};
  for (const table of listTables(db)) {
    try {
      const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[];
      if (!columns.some((c) => c.name === 'created_at')) continue;
      growth[table] = (db.prepare(`SELECT count(*) AS n FROM ${quote(table)} WHERE created_at >= ?`).get(sinceIso) as { n: number }).n;
    } catch {
      // as above
    }
  }
  return growth;
}

export interface IntegrityResult {
  ok: boolean;
  /** SQLite's messages, at most `maxErrors` of them; ["ok"] when healthy. */
  messages: string[];
}

/**
 * `integrity_check` verifies everything including that every index matches its table;
 * `quick_check` skips that cross-check and is several times faster, which is what start-up uses.
 * A file too damaged to even run the check counts as failed, with the error as the message.
 */
export function checkIntegrity(db: SqliteDb, mode: 'integrity' | 'quick' = 'integrity', maxErrors = 20): IntegrityResult {
  try {
    const messages = integrityMessages(db, mode, maxErrors);
    return { ok: messages.length === 1 && messages[0] === 'ok', messages };
  } catch (error) {
    return { ok: false, messages: [error instanceof Error ? error.message : String(error)] };
  }
}

/** The check's findings; throws when the check cannot run at all (unreadable, busy, locked). */
export function integrityMessages(db: SqliteDb, mode: 'integrity' | 'quick', maxErrors: number): string[] {
  const pragma = mode === 'integrity' ? 'integrity_check' : 'quick_check';
  const rows = db.prepare(`PRAGMA ${pragma}(${Math.max(1, Math.floor(maxErrors))})`).all() as Record<string, string>[];
  // SQLite may pack several findings into one row, one per line, under a "*** in database" header.
  return rows
    .flatMap((r) => String(Object.values(r)[0]).split(/\r?\n/))
    .map((m) => m.trim())
    .filter((m) => m !== '' && !/^\*\*\* in database/.test(m));
}

export interface MigrationStatus {
  applied: number;
  known: number;
  /** Applied migrations this code does not know (a newer Coordinator wrote the file). */
  unknown: string[];
  /** Applied migrations whose file changed since (append-only was broken). */
  changed: string[];
  /** Known migrations not applied yet (they apply on the next normal open). */
  pending: string[];
}

export function migrationStatus(db: SqliteDb, migrations: Migration[] = loadMigrations(findMigrationsDir('sqlite'))): MigrationStatus {
  const hasLedger = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).get() !== undefined;
  const applied = hasLedger
    ? (db.prepare('SELECT idx, tag, checksum FROM schema_migrations ORDER BY idx').all() as { idx: number; tag: string; checksum: string }[])
    : [];
  const known = new Map(migrations.map((m) => [m.index, m]));
  const unknown: string[] = [];
  const changed: string[] = [];
  for (const row of applied) {
    const m = known.get(row.idx);
    if (!m) unknown.push(`${row.idx} ${row.tag}`);
    else if (m.checksum !== row.checksum || m.tag !== row.tag) changed.push(`${row.idx} ${row.tag}`);
  }
  const done = new Set(applied.map((r) => r.idx));
  const pending = migrations.filter((m) => !done.has(m.index)).map((m) => `${m.index} ${m.tag}`);
  return { applied: applied.length, known: migrations.length, unknown, changed, pending };
}

const pragmaNumber = (db: SqliteDb, name: string): number => {
  const value = db.pragma(name, { simple: true });
  return typeof value === 'number' ? value : Number(value ?? 0);
};

export interface DatabaseFileInfo {
  sizeBytes: number;
  walBytes: number;
  pageSize: number;
  freePages: number;
  autoVacuum: 'none' | 'full' | 'incremental';
}

export function databaseFileInfo(db: SqliteDb, file: string): DatabaseFileInfo {
  const size = (f: string) => (f !== ':memory:' && existsSync(f) ? statSync(f).size : 0);
  const autoVacuum = pragmaNumber(db, 'auto_vacuum');
  return {
    sizeBytes: size(file),
    walBytes: size(`${file}-wal`),
    pageSize: pragmaNumber(db, 'page_size'),
    freePages: pragmaNumber(db, 'freelist_count'),
    autoVacuum: autoVacuum === 1 ? 'full' : autoVacuum === 2 ? 'incremental' : 'none',
  };
}
