import type Database from 'better-sqlite3';
import { AppError } from '../common/errors';
import { isoNow } from '../common/time';
import { findMigrationsDir } from './migrations-dir';
import { isKnownChecksum, loadMigrations, type Migration } from './migrations';

export interface MigrationReport {
  applied: string[];
  current: number;
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  idx INTEGER PRIMARY KEY,
  tag TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/**
 * Brings the local database to the code's schema. Migrations are append-only: an applied one whose
 * file changed, or a database that has migrations this code does not know (written by a newer
 * Coordinator), is refused rather than guessed at. Each migration applies in its own transaction
 * together with its ledger row, so a crash leaves either all of it or none.
 */
export function migrateSqlite(db: Database.Database, migrations: Migration[] = loadMigrations(findMigrationsDir('sqlite'))): MigrationReport {
  db.exec(LEDGER);
  const applied = db.prepare('SELECT idx, tag, checksum FROM schema_migrations ORDER BY idx').all() as {
    idx: number;
    tag: string;
    checksum: string;
  }[];
  const known = new Map(migrations.map((m) => [m.index, m]));
  for (const row of applied) {
    const migration = known.get(row.idx);
    if (!migration) {
      throw new AppError(
        'CONFLICT',
        `This database was written by a newer Coordinator (migration ${row.idx} "${row.tag}" is unknown to this version). Update Coordinator to open it.`,
      );
    }
    if (!isKnownChecksum(migration, row.checksum) || migration.tag !== row.tag) {
      throw new AppError('CONFLICT', `Migration ${row.idx} "${row.tag}" was changed after it was applied; migrations are append-only.`);
    }
  }
  const done = new Set(applied.map((r) => r.idx));
  const record = db.prepare('INSERT INTO schema_migrations (idx, tag, checksum, applied_at) VALUES (?, ?, ?, ?)');
  const newlyApplied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.index)) continue;
    db.transaction(() => {
      for (const statement of migration.statements) db.exec(statement);
      record.run(migration.index, migration.tag, migration.checksum, isoNow());
    })();
    newlyApplied.push(migration.tag);
  }
  return { applied: newlyApplied, current: migrations.length - 1 };
}
