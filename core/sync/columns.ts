import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { seedTables } from '../database/schema/pg';
import { ENTITY_TABLES, type EntityTable, type Row, type SqlValue } from '../mutations/types';

export type ColumnKind = 'text' | 'uuid' | 'integer' | 'real' | 'boolean' | 'json' | 'timestamp' | 'date' | 'enum';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  notNull: boolean;
}

export interface TableSpec {
  name: EntityTable;
  columns: ColumnSpec[];
  byName: Map<string, ColumnSpec>;
}

function kindOf(columnType: string): ColumnKind {
  switch (columnType) {
    case 'PgUUID':
      return 'uuid';
    case 'PgInteger':
    case 'PgBigInt53':
      return 'integer';
    case 'PgDoublePrecision':
    case 'PgReal':
      return 'real';
    case 'PgBoolean':
      return 'boolean';
    case 'PgJsonb':
    case 'PgJson':
      return 'json';
    case 'PgTimestampString':
    case 'PgTimestamp':
      return 'timestamp';
    case 'PgDateString':
    case 'PgDate':
      return 'date';
    case 'PgEnumColumn':
      return 'enum';
    default:
      return 'text';
  }
}

/** Synced tables in dependency order: parents before children (bootstrap and apply rely on it). */
export const SYNC_ORDER: EntityTable[] = [...ENTITY_TABLES];

/**
 * Columns that never travel with their row: the seed's `memory_embeddings.embedding_vector` (a
 * 512-dimension vector is ~10 KB of JSON, more than the rest of the row) moves only through
 * semantic memory's vector exchange (core/memory/shared-vectors.ts), and only to replicas that
 * need it.
 */
export const NOT_SYNCED_WITH_ROW: ReadonlySet<string> = new Set(['memory_embeddings.embedding_vector']);

const tablesByName: Record<string, PgTable> = Object.fromEntries(Object.values(seedTables).map((t) => [getTableConfig(t).name, t]));

/** Column facts of every synced table, read from the drizzle schema (the single source of truth). */
export const TABLE_SPECS: Record<EntityTable, TableSpec> = Object.fromEntries(
  SYNC_ORDER.map((name) => {
    const table = tablesByName[name];
    if (!table) throw new Error(`No PostgreSQL schema for synced table ${name}`);
    const columns = getTableConfig(table)
      .columns.filter((c) => !NOT_SYNCED_WITH_ROW.has(`${name}.${c.name}`))
      .map((c) => ({ name: c.name, kind: kindOf(c.columnType), notNull: c.notNull }));
    return [name, { name, columns, byName: new Map(columns.map((c) => [c.name, c])) }];
  }),
) as Record<EntityTable, TableSpec>;

/** The columns a pull reads: named, so central-only columns (and aliases kept for older replicas) stay off the wire. */
export const selectList = (table: EntityTable, alias: string): string =>
  TABLE_SPECS[table].columns.map((c) => `${alias}."${c.name}"`).join(', ');

export const isSyncedTable = (name: string): name is EntityTable => Object.hasOwn(TABLE_SPECS, name);

/** A local (SQLite) value as the central database takes it. */
export function toCentralValue(spec: ColumnSpec, value: SqlValue | undefined): unknown {
  if (value === undefined || value === null) return null;
  switch (spec.kind) {
    case 'boolean':
      return value === 1 || value === '1' || value === 'true' || value === 1n;
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    case 'integer':
    case 'real':
      return Number(value);
    default:
      return String(value);
  }
}

/** A central value (as the pg driver returns it with our type parsers) in the replica's representation. */
export function toLocalValue(spec: ColumnSpec, value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  switch (spec.kind) {
    case 'boolean':
      return value === true ? 1 : 0;
    case 'json':
      return JSON.stringify(value);
    case 'integer':
    case 'real':
      return Number(value);
    default:
      return String(value);
  }
}

export function rowToLocal(table: EntityTable, central: Record<string, unknown>): Row {
  const row: Row = {};
  for (const spec of TABLE_SPECS[table].columns) row[spec.name] = toLocalValue(spec, central[spec.name]);
  return row;
}
