import type { Row } from '../common/rows';

export type { Row, SqlValue } from '../common/rows';

/** The tables that sync, in dependency order: parents before children. */
export const ENTITY_TABLES = [
  'users',
  'employees',
  'projects',
  'tasks',
  'comments',
  'notifications',
  'memory_embeddings',
  'prompt_templates',
  'conversation_history',
  'ai_actions',
] as const;
export type EntityTable = (typeof ENTITY_TABLES)[number];

export type ChangeOp = 'insert' | 'update' | 'delete';

/** One row change made through the write path, as hooks and listeners see it. */
export interface Change {
  table: EntityTable;
  id: string;
  op: ChangeOp;
  before: Row | null;
  after: Row | null;
  /** Columns whose value differs (all columns for insert/delete). */
  changed: string[];
  actorId: string | null;
  at: string;
  /** The outermost write transaction this change belongs to. */
  txId: string;
}

/**
 * Runs inside the write's transaction; anything it writes commits or rolls back with the change.
 * This is where the audit trail, notification rules and (later) the sync outbox attach.
 */
export type WriteHook = (change: Change, writer: WriteApi) => void;

/** Runs after the outermost transaction commits, once, with every change it made. */
export type CommitListener = (changes: readonly Change[]) => void;

export interface WriteApi {
  insert(table: EntityTable, row: Row): Row;
  update(table: EntityTable, id: string, patch: Row): Change | null;
  delete(table: EntityTable, id: string): Row;
  get(table: EntityTable, id: string): Row | undefined;
  readonly actorId: string | null;
  readonly now: string;
}
