import type { SqliteDb } from '../database/open';
import { notFound } from '../common/errors';
import { createLogger } from '../common/logger';
import { isoNow, systemClock, type Clock } from '../common/time';
import { newId } from '../common/ids';
import { createStatementCache, type StatementCache } from '../database/statements';
import type { Change, CommitListener, EntityTable, Row, WriteApi, WriteHook } from './types';

const log = createLogger('writer');

export interface WriterOptions {
  clock?: Clock;
  /** Who is acting; read at the start of each outermost transaction. */
  actor: () => string | null;
}

/**
 * The single path by which entity rows change. Every insert, update and delete goes through here,
 * inside a transaction, and every registered hook sees it in that same transaction. Domain
 * services never write entity tables with their own SQL.
 */
export class Writer implements WriteApi {
  private readonly hooks: WriteHook[] = [];
  private readonly listeners: CommitListener[] = [];
  private readonly statements: StatementCache;
  private readonly clock: Clock;
  private pending: Change[] | null = null;
  private currentActor: string | null = null;
  private currentNow = '';
  private currentTx = '';

  constructor(
    private readonly db: SqliteDb,
    private readonly options: WriterOptions,
  ) {
    this.statements = createStatementCache(db);
    this.clock = options.clock ?? systemClock;
  }

  get actorId(): string | null {
    return this.pending ? this.currentActor : this.options.actor();
  }

  get now(): string {
    return this.pending ? this.currentNow : isoNow(this.clock);
  }

  addHook(hook: WriteHook): void {
    this.hooks.push(hook);
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Runs `fn` in a transaction (nested calls join the outer one); listeners hear after commit. */
  transaction<T>(fn: () => T): T {
    if (this.pending) return fn();
    this.pending = [];
    this.currentTx = newId();
    this.currentActor = this.options.actor();
    this.currentNow = isoNow(this.clock);
    let changes: Change[] = [];
    try {
      const result = this.db.transaction(fn)();
      changes = this.pending;
      return result;
    } finally {
      this.pending = null;
      // The changes are committed: a failing listener must neither turn the write into a
      // reported failure nor keep the other listeners from hearing about it.
      if (changes.length > 0) {
        for (const listener of [...this.listeners]) {
          try {
            listener(changes);
          } catch (error) {
            log.error('commit listener failed', { error: error instanceof Error ? error.message : String(error) });
          }
        }
      }
    }
  }

  get(table: EntityTable, id: string): Row | undefined {
    return this.statements.get(`SELECT * FROM "${table}" WHERE id = ?`).get(id) as Row | undefined;
  }

  insert(table: EntityTable, row: Row): Row {
    return this.transaction(() => {
      const columns = Object.keys(row);
      const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
      this.statements.get(sql).run(...columns.map((c) => row[c]));
      const id = String(row.id);
      this.record({ table, id, op: 'insert', before: null, after: row, changed: columns });
      return row;
    });
  }

  update(table: EntityTable, id: string, patch: Row): Change | null {
    return this.transaction(() => {
      const before = this.get(table, id);
      if (!before) throw notFound(table, id);
      const changed = Object.keys(patch).filter((c) => c !== 'updated_at' && !sameValue(before[c], patch[c]));
      if (changed.length === 0) return null;
      // A real change always moves updated_at: to the patch's value when it carries one (a pulled
      // row keeps the server's time), otherwise to now.
      const columns = 'updated_at' in before ? [...changed, 'updated_at'] : changed;
      const values: Row = { ...patch };
      if (!('updated_at' in patch) && 'updated_at' in before) values.updated_at = this.currentNow;
      const sql = `UPDATE "${table}" SET ${columns.map((c) => `"${c}" = ?`).join(', ')} WHERE id = ?`;
      this.statements.get(sql).run(...columns.map((c) => values[c]), id);
      const after: Row = { ...before };
      for (const c of columns) after[c] = values[c] ?? null;
      return this.record({ table, id, op: 'update', before, after, changed });
    });
  }

  delete(table: EntityTable, id: string): Row {
    return this.transaction(() => {
      const before = this.get(table, id);
      if (!before) throw notFound(table, id);
      this.statements.get(`DELETE FROM "${table}" WHERE id = ?`).run(id);
      this.record({ table, id, op: 'delete', before, after: null, changed: Object.keys(before) });
      return before;
    });
  }

  private record(partial: Omit<Change, 'actorId' | 'at' | 'txId'>): Change {
    const change: Change = { ...partial, actorId: this.currentActor, at: this.currentNow, txId: this.currentTx };
    this.pending?.push(change);
    for (const hook of this.hooks) hook(change, this);
    return change;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null && b == null) return true;
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
}
