import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { is } from 'drizzle-orm';
import { PgDialect, PgTable, getTableConfig as getPgTableConfig } from 'drizzle-orm/pg-core';
import { SQLiteSyncDialect, SQLiteTable, getTableConfig as getSqliteTableConfig } from 'drizzle-orm/sqlite-core';
import { generateDrizzleJson, generateMigration, generateSQLiteDrizzleJson, generateSQLiteMigration } from 'drizzle-kit/api';
import { describe, expect, it } from 'vitest';
import * as pg from '../../core/database/schema/pg';
import * as sqlite from '../../core/database/schema/sqlite';
import { sqliteVecPath } from '../../core/database/open';
import { ENTITY_TABLES } from '../../core/mutations/types';
import {
  MEMORY_CONTENT_TYPES,
  NOTIFICATION_TYPES,
  PROJECT_STATUSES,
  TASK_PRIORITIES,
  TASK_STATUSES,
  USER_ROLES,
} from '../../shared/enums';

/**
 * One source of truth per dialect (docs/decisions.md): the SQLite and PostgreSQL drizzle schemas must
 * declare the same tables and columns, and the generated migrations must match them.
 */

const ROOT = path.resolve(__dirname, '../..');
const MIGRATIONS = path.join(ROOT, 'migrations');

const SEED_TABLE_NAMES = [
  'users',
  'employees',
  'projects',
  'tasks',
  'comments',
  'notifications',
  'memory_embeddings',
  'conversation_history',
  'prompt_templates',
  'ai_actions',
];

type Shape = {
  columns: Record<string, { notNull: boolean; primary: boolean }>;
  indexes: Record<string, { unique: boolean; columns: string[] }>;
  foreignKeys: string[];
};

const columnNameOf = (c: unknown): string => (c as { name: string }).name;

function sqliteShape(table: SQLiteTable): Shape {
  const config = getSqliteTableConfig(table);
  return {
    columns: Object.fromEntries(config.columns.map((c) => [c.name, { notNull: c.notNull, primary: c.primary }])),
    indexes: Object.fromEntries(
      config.indexes.map((i) => [i.config.name, { unique: i.config.unique, columns: i.config.columns.map(columnNameOf) }]),
    ),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        return `${ref.columns.map((c) => c.name).join(',')} -> ${getSqliteTableConfig(ref.foreignTable).name}(${ref.foreignColumns
          .map((c) => c.name)
          .join(',')}) on delete ${fk.onDelete ?? 'no action'}`;
      })
      .sort(),
  };
}

function pgShape(table: PgTable): Shape {
  const config = getPgTableConfig(table);
  return {
    columns: Object.fromEntries(config.columns.map((c) => [c.name, { notNull: c.notNull, primary: c.primary }])),
    indexes: Object.fromEntries(
      config.indexes.map((i) => [i.config.name as string, { unique: i.config.unique, columns: i.config.columns.map(columnNameOf) }]),
    ),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        return `${ref.columns.map((c) => c.name).join(',')} -> ${getPgTableConfig(ref.foreignTable).name}(${ref.foreignColumns
          .map((c) => c.name)
          .join(',')}) on delete ${fk.onDelete ?? 'no action'}`;
      })
      .sort(),
  };
}

const sqliteTables = Object.values(sqlite as Record<string, unknown>).filter((v): v is SQLiteTable => is(v, SQLiteTable));
const pgTables = Object.values(pg as Record<string, unknown>).filter((v): v is PgTable => is(v, PgTable));
const sqliteByName = new Map(sqliteTables.map((t) => [getSqliteTableConfig(t).name, t]));
const pgByName = new Map(pgTables.map((t) => [getPgTableConfig(t).name, t]));

/** The tables both dialects must share: the ten seed tables plus the audit trail. */
const sharedTableNames = [...Object.values(sqlite.seedTables).map((t) => getSqliteTableConfig(t).name), 'audit_log'];

/** Parses `"col" IN ('a', 'b')` as the SQLite schema writes its enum CHECKs. */
function parseInCheck(sqlText: string): { column: string; values: string[] } | null {
  const match = /^"([a-z_]+)" IN \(((?:'[^']*'(?:, )?)+)\)$/.exec(sqlText.trim());
  if (!match) return null;
  return { column: match[1] as string, values: [...(match[2] as string).matchAll(/'([^']*)'/g)].map((m) => m[1] as string) };
}

const sqliteDialect = new SQLiteSyncDialect();
const pgDialect = new PgDialect();

function sqliteChecks(table: SQLiteTable) {
  return getSqliteTableConfig(table).checks.map((c) => ({ name: c.name, sql: sqliteDialect.sqlToQuery(c.value).sql }));
}

function latestSnapshot(dialect: 'sqlite' | 'pg'): { tag: string; snapshot: SnapshotJson } {
  const dir = path.join(MIGRATIONS, dialect);
  const journal = JSON.parse(readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
  const last = journal.entries.reduce((a, b) => (b.idx > a.idx ? b : a));
  const file = path.join(dir, 'meta', `${String(last.idx).padStart(4, '0')}_snapshot.json`);
  return { tag: last.tag, snapshot: JSON.parse(readFileSync(file, 'utf8')) as SnapshotJson };
}

interface SnapshotJson {
  tables: Record<
    string,
    {
      name: string;
      columns: Record<string, { name: string; notNull: boolean; primaryKey: boolean }>;
      indexes: Record<string, { name: string; isUnique: boolean }>;
      checkConstraints?: Record<string, { name: string; value: string }>;
    }
  >;
  enums: Record<string, { name: string; values: string[] }>;
}

function journalTags(dialect: 'sqlite' | 'pg'): string[] {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS, dialect, 'meta', '_journal.json'), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  return journal.entries.sort((a, b) => a.idx - b.idx).map((e) => e.tag);
}

describe('the seed tables', () => {
  it('are exactly the ten tables of Database Schema Version 1.0, in both dialects', () => {
    expect(Object.values(sqlite.seedTables).map((t) => getSqliteTableConfig(t).name).sort()).toEqual([...SEED_TABLE_NAMES].sort());
    expect(Object.values(pg.seedTables).map((t) => getPgTableConfig(t).name).sort()).toEqual([...SEED_TABLE_NAMES].sort());
    expect(Object.keys(sqlite.seedTables)).toEqual(Object.keys(pg.seedTables));
  });

  it('are the tables the single write path accepts', () => {
    expect([...ENTITY_TABLES].sort()).toEqual([...SEED_TABLE_NAMES].sort());
  });

  it('all have a text/uuid primary key called id', () => {
    for (const name of SEED_TABLE_NAMES) {
      const sqliteId = getSqliteTableConfig(sqliteByName.get(name) as SQLiteTable).columns.find((c) => c.name === 'id');
      const pgId = getPgTableConfig(pgByName.get(name) as PgTable).columns.find((c) => c.name === 'id');
      expect(sqliteId?.primary, name).toBe(true);
      expect(sqliteId?.columnType, name).toBe('SQLiteText');
      expect(pgId?.primary, name).toBe(true);
      expect(pgId?.columnType, name).toBe('PgUUID');
    }
  });

  it('have every column the seed names, under the seed\'s name, in both dialects (test/fixtures/seed-columns.json)', () => {
    const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/seed-columns.json'), 'utf8')) as { tables: Record<string, string[]> };
    expect(Object.keys(fixture.tables).sort()).toEqual([...SEED_TABLE_NAMES].sort());
    for (const [table, columns] of Object.entries(fixture.tables)) {
      const lite = Object.keys(sqliteShape(sqliteByName.get(table) as SQLiteTable).columns);
      const central = Object.keys(pgShape(pgByName.get(table) as PgTable).columns);
      for (const column of columns) {
        expect(lite, `sqlite ${table}.${column}`).toContain(column);
        expect(central, `pg ${table}.${column}`).toContain(column);
      }
    }
  });

  it('no longer have the names ours replaced with the seed\'s (one name per concept)', () => {
    const replaced = { users: ['full_name'], comments: ['author_name'], conversation_history: ['query', 'response', 'user_rating'] };
    for (const [table, columns] of Object.entries(replaced)) {
      const lite = Object.keys(sqliteShape(sqliteByName.get(table) as SQLiteTable).columns);
      const central = Object.keys(pgShape(pgByName.get(table) as PgTable).columns);
      for (const column of columns) {
        expect(lite, `sqlite ${table}.${column}`).not.toContain(column);
        expect(central, `pg ${table}.${column}`).not.toContain(column);
      }
    }
  });
});

describe('the SQLite and PostgreSQL schemas', () => {
  it('declare the same shared tables (seed tables plus audit_log)', () => {
    expect(sharedTableNames).toHaveLength(11);
    for (const name of sharedTableNames) {
      expect(sqliteByName.has(name), `sqlite ${name}`).toBe(true);
      expect(pgByName.has(name), `pg ${name}`).toBe(true);
    }
    // Each side may keep bookkeeping of its own (local settings, outbox, change log), never a
    // seed table of its own.
    expect(sqliteByName.has('local_settings')).toBe(true);
    expect(pgByName.has('local_settings')).toBe(false);
  });

  describe.each(sharedTableNames)('table %s', (name) => {
    const lite = sqliteShape(sqliteByName.get(name) as SQLiteTable);
    const central = pgShape(pgByName.get(name) as PgTable);

    it('has the same column names in the same order', () => {
      expect(Object.keys(lite.columns)).toEqual(Object.keys(central.columns));
    });

    it('has the same nullability and primary key on every column', () => {
      expect(lite.columns).toEqual(central.columns);
    });

    it('has the same indexes (name, uniqueness, columns)', () => {
      expect(lite.indexes).toEqual(central.indexes);
    });

    it('has the same foreign keys and delete rules', () => {
      expect(lite.foreignKeys).toEqual(central.foreignKeys);
    });
  });
});

describe('the enums', () => {
  const expectedSqliteEnumChecks: Record<string, Record<string, readonly string[]>> = {
    users: { role: USER_ROLES },
    projects: { status: PROJECT_STATUSES },
    tasks: { status: TASK_STATUSES, priority: TASK_PRIORITIES },
    notifications: { type: NOTIFICATION_TYPES },
    memory_embeddings: { content_type: MEMORY_CONTENT_TYPES },
    ai_actions: { status: ['pending', 'rejected', 'executed', 'failed'] },
  };

  it('are CHECK constraints in SQLite listing exactly the values of shared/enums.ts', () => {
    const found: Record<string, Record<string, string[]>> = {};
    for (const table of sharedTableNames.map((n) => sqliteByName.get(n) as SQLiteTable)) {
      for (const check of sqliteChecks(table)) {
        const parsed = parseInCheck(check.sql);
        if (!parsed) continue;
        const tableName = getSqliteTableConfig(table).name;
        found[tableName] = { ...(found[tableName] ?? {}), [parsed.column]: parsed.values };
      }
    }
    expect(found).toEqual(Object.fromEntries(Object.entries(expectedSqliteEnumChecks).map(([t, cols]) => [t, Object.fromEntries(Object.entries(cols).map(([c, v]) => [c, [...v]]))])));
  });

  it('are PostgreSQL enum types with the same values, on the same columns as the SQLite CHECKs', () => {
    expect(pg.projectStatus.enumValues).toEqual([...PROJECT_STATUSES]);
    expect(pg.taskStatus.enumValues).toEqual([...TASK_STATUSES]);
    expect(pg.taskPriority.enumValues).toEqual([...TASK_PRIORITIES]);
    expect(pg.userRole.enumValues).toEqual([...USER_ROLES]);
    expect(pg.notificationType.enumValues).toEqual([...NOTIFICATION_TYPES]);
    expect(pg.memoryContentType.enumValues).toEqual([...MEMORY_CONTENT_TYPES]);
    for (const table of sharedTableNames.map((n) => pgByName.get(n) as PgTable)) {
      const tableName = getPgTableConfig(table).name;
      for (const column of getPgTableConfig(table).columns) {
        if (column.columnType !== 'PgEnumColumn') continue;
        const liteChecks = sqliteChecks(sqliteByName.get(tableName) as SQLiteTable)
          .map((c) => parseInCheck(c.sql))
          .filter((c) => c?.column === column.name);
        expect(liteChecks, `${tableName}.${column.name}`).toEqual([{ column: column.name, values: column.enumValues }]);
      }
    }
  });

  it('use the seed enum names in PostgreSQL', () => {
    expect([pg.projectStatus.enumName, pg.taskStatus.enumName, pg.taskPriority.enumName]).toEqual(['project_status', 'task_status', 'task_priority']);
  });

  it('leave every other CHECK constraint identical by name in both dialects', () => {
    for (const name of sharedTableNames) {
      const liteOther = sqliteChecks(sqliteByName.get(name) as SQLiteTable)
        .filter((c) => {
          const parsed = parseInCheck(c.sql);
          // An enum CHECK is replaced by a PostgreSQL enum type when the column is one.
          return !(parsed && getPgTableConfig(pgByName.get(name) as PgTable).columns.find((col) => col.name === parsed.column)?.columnType === 'PgEnumColumn');
        })
        .map((c) => c.name)
        .sort();
      const centralChecks = getPgTableConfig(pgByName.get(name) as PgTable).checks.map((c) => c.name).sort();
      expect(liteOther, name).toEqual(centralChecks);
    }
  });

  it('keep the non-negative hours rule in both dialects', () => {
    const lite = sqliteChecks(sqlite.tasks).find((c) => c.name === 'tasks_hours_check');
    const central = getPgTableConfig(pg.tasks).checks.find((c) => c.name === 'tasks_hours_check');
    expect(lite?.sql).toBe('coalesce("tasks"."estimated_hours", 0) >= 0 AND coalesce("tasks"."actual_hours", 0) >= 0');
    expect(central && pgDialect.sqlToQuery(central.value).sql).toBe(lite?.sql);
  });
});

describe('the generated migrations', () => {
  it('start with 0000_initial in both dialects and number the rest without gaps', () => {
    for (const dialect of ['sqlite', 'pg'] as const) {
      const tags = journalTags(dialect);
      expect(tags[0], dialect).toBe('0000_initial');
      expect(tags.map((t) => t.slice(0, 4)), dialect).toEqual(tags.map((_, i) => String(i).padStart(4, '0')));
    }
  });

  it('list an SQL file for every journal entry and no stray SQL file', () => {
    for (const dialect of ['sqlite', 'pg'] as const) {
      const files = readdirSync(path.join(MIGRATIONS, dialect)).filter((f) => f.endsWith('.sql')).sort();
      expect(files, dialect).toEqual(journalTags(dialect).map((t) => `${t}.sql`));
    }
  });

  it('end in a SQLite snapshot with the schema’s tables, columns, nullability and indexes', () => {
    const { snapshot } = latestSnapshot('sqlite');
    const fromSnapshot = Object.fromEntries(
      Object.values(snapshot.tables).map((t) => [
        t.name,
        {
          columns: Object.keys(t.columns),
          notNull: Object.values(t.columns).filter((c) => c.notNull).map((c) => c.name).sort(),
          indexes: Object.keys(t.indexes).sort(),
        },
      ]),
    );
    const fromSchema = Object.fromEntries(
      sqliteTables.map((t) => {
        const shape = sqliteShape(t);
        return [
          getSqliteTableConfig(t).name,
          {
            columns: Object.keys(shape.columns),
            notNull: Object.entries(shape.columns).filter(([, c]) => c.notNull || c.primary).map(([n]) => n).sort(),
            indexes: Object.keys(shape.indexes).sort(),
          },
        ];
      }),
    );
    expect(fromSnapshot).toEqual(fromSchema);
  });

  it('end in a PostgreSQL snapshot with the schema’s tables, columns, nullability, indexes and enums', () => {
    const { snapshot } = latestSnapshot('pg');
    const fromSnapshot = Object.fromEntries(
      Object.values(snapshot.tables).map((t) => [
        t.name,
        {
          columns: Object.keys(t.columns),
          notNull: Object.values(t.columns).filter((c) => c.notNull).map((c) => c.name).sort(),
          indexes: Object.keys(t.indexes).sort(),
        },
      ]),
    );
    const fromSchema = Object.fromEntries(
      pgTables.map((t) => {
        const shape = pgShape(t);
        return [
          getPgTableConfig(t).name,
          {
            columns: Object.keys(shape.columns),
            notNull: Object.entries(shape.columns).filter(([, c]) => c.notNull || c.primary).map(([n]) => n).sort(),
            indexes: Object.keys(shape.indexes).sort(),
          },
        ];
      }),
    );
    expect(fromSnapshot).toEqual(fromSchema);
    const enums = Object.fromEntries(Object.values(snapshot.enums).map((e) => [e.name, e.values]));
    expect(enums).toEqual({
      project_status: [...PROJECT_STATUSES],
      task_status: [...TASK_STATUSES],
      task_priority: [...TASK_PRIORITIES],
      user_role: [...USER_ROLES],
      notification_type: [...NOTIFICATION_TYPES],
      memory_content_type: [...MEMORY_CONTENT_TYPES],
    });
  });

  it('leave nothing for drizzle-kit to generate: the SQLite schema diffs to no statements against the last snapshot', async () => {
    const { snapshot } = latestSnapshot('sqlite');
    const current = await generateSQLiteDrizzleJson(sqlite as Record<string, unknown>);
    const pending = await generateSQLiteMigration(snapshot as unknown as Parameters<typeof generateSQLiteMigration>[0], current);
    expect(pending).toEqual([]);
  });

  it('leave nothing for drizzle-kit to generate: the PostgreSQL schema diffs to no statements against the last snapshot', async () => {
    const { snapshot } = latestSnapshot('pg');
    const current = generateDrizzleJson(pg as Record<string, unknown>);
    const pending = await generateMigration(snapshot as unknown as Parameters<typeof generateMigration>[0], current);
    expect(pending).toEqual([]);
  });

  it('build, when the SQLite SQL files are applied in order, exactly the tables and columns of the snapshot', () => {
    const { snapshot } = latestSnapshot('sqlite');
    const db = new Database(':memory:');
    db.loadExtension(sqliteVecPath()); // custom migrations create sqlite-vec tables
    try {
      for (const tag of journalTags('sqlite')) {
        for (const statement of readFileSync(path.join(MIGRATIONS, 'sqlite', `${tag}.sql`), 'utf8').split('--> statement-breakpoint')) {
          if (statement.trim()) db.exec(statement);
        }
      }
      // Virtual tables (FTS5, sqlite-vec) and their shadow tables come from custom migrations and
      // are not drizzle tables.
      const virtual = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'").all() as { name: string }[]).map((r) => r.name);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
        .map((r) => r.name)
        .filter((name) => !virtual.some((v) => name === v || name.startsWith(`${v}_`)));
      expect(tables).toEqual(Object.values(snapshot.tables).map((t) => t.name).sort());
      for (const table of Object.values(snapshot.tables)) {
        const info = db.prepare(`PRAGMA table_info("${table.name}")`).all() as { name: string; notnull: number; pk: number }[];
        expect(info.map((c) => c.name), table.name).toEqual(Object.keys(table.columns));
        expect(info.filter((c) => c.notnull === 1 || c.pk === 1).map((c) => c.name).sort(), table.name).toEqual(
          Object.values(table.columns).filter((c) => c.notNull).map((c) => c.name).sort(),
        );
        const indexes = (db.prepare(`PRAGMA index_list("${table.name}")`).all() as { name: string; origin: string }[])
          .filter((i) => i.origin === 'c')
          .map((i) => i.name)
          .sort();
        expect(indexes, table.name).toEqual(Object.keys(table.indexes).sort());
      }
    } finally {
      db.close();
    }
  });

  it('create, in the PostgreSQL SQL files, every table with exactly the schema’s columns', () => {
    // A light reading of drizzle-kit's PostgreSQL output (no server needed): CREATE TABLE blocks
    // and ALTER TABLE … ADD/DROP COLUMN, applied in journal order.
    const tables = new Map<string, string[]>();
    const aliases: string[] = [];
    for (const tag of journalTags('pg')) {
      const text = readFileSync(path.join(MIGRATIONS, 'pg', `${tag}.sql`), 'utf8');
      for (const statement of text.split('--> statement-breakpoint').map((s) => s.trim().replace(/^(--.*\n)+/, ''))) {
        const create = /^CREATE TABLE (?:IF NOT EXISTS )?"([a-z_]+)" \(([\s\S]*)\);$/.exec(statement);
        if (create) {
          const columns = [...(create[2] as string).matchAll(/^\s*"([a-z_]+)" \S/gm)].map((m) => m[1] as string);
          tables.set(create[1] as string, columns);
          continue;
        }
        // Read-only aliases of renamed columns kept for replicas of the previous release are no
        // part of the schema: they must be exactly the declared ones.
        const alias = /^ALTER TABLE "?([a-z_]+)"? ADD COLUMN "?([a-z_]+)"? [a-z]+ GENERATED ALWAYS AS \("?([a-z_]+)"?\) STORED;?$/.exec(statement);
        if (alias) {
          aliases.push(`${alias[1]}.${alias[2]} = ${alias[3]}`);
          continue;
        }
        const add = /^ALTER TABLE "([a-z_]+)" ADD COLUMN "([a-z_]+)"/.exec(statement);
        if (add) tables.get(add[1] as string)?.push(add[2] as string);
        const rename = /^ALTER TABLE "([a-z_]+)" RENAME COLUMN "([a-z_]+)" TO "([a-z_]+)"/.exec(statement);
        if (rename) tables.set(rename[1] as string, (tables.get(rename[1] as string) ?? []).map((c) => (c === rename[2] ? (rename[3] as string) : c)));
        const drop = /^ALTER TABLE "([a-z_]+)" DROP COLUMN "([a-z_]+)"/.exec(statement);
        if (drop) tables.set(drop[1] as string, (tables.get(drop[1] as string) ?? []).filter((c) => c !== drop[2]));
        const dropTable = /^DROP TABLE "([a-z_]+)"/.exec(statement);
        if (dropTable) tables.delete(dropTable[1] as string);
      }
    }
    // Custom migrations (triggers, row-level security) may add helpers of their own; every table
    // the schema declares must be created with exactly its columns.
    for (const table of pgTables) {
      const name = getPgTableConfig(table).name;
      expect(tables.get(name), name).toEqual(Object.keys(pgShape(table).columns));
    }
    expect(aliases.sort()).toEqual([
      'comments.author_name = author',
      'conversation_history.query = user_query',
      'conversation_history.response = ai_response',
      'conversation_history.user_rating = user_satisfaction',
      'users.full_name = name',
    ]);
  });
});
