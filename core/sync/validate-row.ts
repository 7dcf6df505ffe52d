import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import {
  ACTION_STATUSES,
  MEMORY_CONTENT_TYPES,
  NOTIFICATION_TYPES,
  PROJECT_STATUSES,
  TASK_PRIORITIES,
  TASK_STATUSES,
  USER_ROLES,
} from '../../shared/enums';
import { seedTables } from '../database/schema/sqlite';
import type { EntityTable, Row } from '../mutations/types';
import { TABLE_SPECS, type ColumnSpec } from './columns';

/** Enum columns and the values this version of Coordinator understands. */
const ENUM_COLUMNS: Record<string, readonly string[]> = {
  'users.role': USER_ROLES,
  'projects.status': PROJECT_STATUSES,
  'tasks.status': TASK_STATUSES,
  'tasks.priority': TASK_PRIORITIES,
  'notifications.type': NOTIFICATION_TYPES,
  'memory_embeddings.content_type': MEMORY_CONTENT_TYPES,
  'ai_actions.status': ACTION_STATUSES,
};

/** Longest text the replica accepts per column; the UI and services enforce the same limits. */
const TEXT_LIMITS: Record<string, number> = {
  'tasks.title': 500,
  'projects.name': 200,
  'employees.name': 200,
  'users.name': 200,
  'tasks.assignee': 100,
  'users.username': 100,
  'comments.content': 50_000,
  'tasks.description': 100_000,
  'projects.description': 100_000,
};
const DEFAULT_TEXT_LIMIT = 1_000_000;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'is not a UUID');
const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'is not a timestamp');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a date');

function columnSchema(table: EntityTable, spec: ColumnSpec): z.ZodType {
  const key = `${table}.${spec.name}`;
  let schema: z.ZodType;
  const enumValues = ENUM_COLUMNS[key];
  if (enumValues) schema = z.enum(enumValues as [string, ...string[]]);
  else {
    switch (spec.kind) {
      case 'uuid':
        schema = uuid;
        break;
      case 'timestamp':
        schema = timestamp;
        break;
      case 'date':
        schema = date;
        break;
      case 'integer':
        schema = z.number().int();
        break;
      case 'real':
        schema = z.number().finite();
        break;
      case 'boolean':
        schema = z.union([z.literal(0), z.literal(1)]);
        break;
      case 'json':
        schema = z.string();
        break;
      default: {
        const limit = TEXT_LIMITS[key] ?? DEFAULT_TEXT_LIMIT;
        schema = z.string().max(limit, `is longer than ${limit} characters`);
      }
    }
  }
  return spec.notNull ? schema : schema.nullable();
}

const ROW_SCHEMAS: Record<string, z.ZodType> = Object.fromEntries(
  Object.values(TABLE_SPECS).map((t) => [t.name, z.object(Object.fromEntries(t.columns.map((c) => [c.name, columnSchema(t.name, c)])))]),
);

/** Why a central row cannot live in this replica, or null when it can. */
export function invalidReason(table: EntityTable, row: Row): string | null {
  const schema = ROW_SCHEMAS[table];
  if (!schema) return `${table} is not a synced table`;
  const result = schema.safeParse(row);
  if (result.success) return null;
  return result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.')} ${i.message}`)
    .join('; ');
}

export interface ForeignKey {
  column: string;
  parent: EntityTable;
}

/** Each synced table's references to other synced tables, read from the SQLite schema. */
export const FOREIGN_KEYS: Record<EntityTable, ForeignKey[]> = Object.fromEntries(
  Object.values(seedTables).map((table: SQLiteTable) => {
    const config = getTableConfig(table);
    const fks = config.foreignKeys.map((fk) => {
      const ref = fk.reference();
      return { column: ref.columns[0]?.name ?? '', parent: getTableConfig(ref.foreignTable).name as EntityTable };
    });
    return [config.name, fks];
  }),
) as Record<EntityTable, ForeignKey[]>;
