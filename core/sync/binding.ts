import { z } from 'zod';
import type { SignedInUser } from '../../shared/team';
import { signedInUserSchema } from '../../shared/team';
import { createLogger } from '../common/logger';
import type { SqliteDb } from '../database/open';
import { PROVISIONAL_USER_KEY, type Session } from '../database/session';
import { createStatementCache } from '../database/statements';
import type { EntityTable, Row } from '../mutations/types';
import type { Applier } from './apply';
import type { Outbox } from './outbox';
import type { SyncState } from './state';
import { FOREIGN_KEYS } from './validate-row';

const log = createLogger('sync');

const BOUND_KEY = 'identity.bound';

/** The person this replica is bound to, on which central database (docs/team-identity.md). */
const boundSchema = signedInUserSchema.extend({ centralId: z.string().min(1) });
export type BoundIdentity = z.infer<typeof boundSchema>;

/** Every column that names a user: re-pointed from the provisional profile to the real person. */
const USER_COLUMNS: { table: EntityTable | 'audit_log'; column: string }[] = [
  ...Object.entries(FOREIGN_KEYS).flatMap(([table, fks]) =>
    fks.filter((fk) => fk.parent === 'users' && table !== 'users').map((fk) => ({ table: table as EntityTable, column: fk.column })),
  ),
  { table: 'audit_log', column: 'actor_id' },
];

/**
 * Columns that say who made a row. A row made on this laptop before it had a person has none;
 * it gets the person who signed in (the server would refuse a project or comment with no author
 * from a login that row-level security applies to). Links (employees.user_id) and confirmations
 * (ai_actions.confirmed_by) mean something when empty and are left alone.
 */
const AUTHOR_COLUMNS: { table: EntityTable; column: string }[] = [
  { table: 'projects', column: 'created_by' },
  { table: 'tasks', column: 'created_by' },
  { table: 'comments', column: 'user_id' },
  { table: 'conversation_history', column: 'user_id' },
  { table: 'ai_actions', column: 'user_id' },
];

/** Before this release a laptop's made-up profile had an address nobody can receive mail at. */
const looksProvisional = (row: Row | undefined): boolean => typeof row?.email === 'string' && /@localhost(\.invalid)?$/i.test(row.email);

export interface BindOutcome {
  /** Rows whose author or user column now names the signed-in person. */
  reattributed: number;
  /** The previous local profile (removed when it never reached a central database). */
  previousUserId: string | null;
  removedProvisional: boolean;
}

/**
 * Binds the replica to the person the server says signed in, and hands them the work made on
 * this laptop before: one local transaction, before anything is pushed.
 */
export function createIdentityBinding(deps: { db: SqliteDb; session: Session; applier: Applier; outbox: Outbox; state: SyncState }) {
  const { db, session } = deps;
  const statements = createStatementCache(db);

  const bound = (): BoundIdentity | null => {
    const raw = session.getSetting(BOUND_KEY);
    if (!raw) return null;
    try {
      const parsed = boundSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };

  const pendingInsertIds = (table: string) =>
    `SELECT row_id FROM sync_outbox WHERE table_name = '${table}' AND op = 'insert' AND status IN ('pending', 'rejected')`;

  /** The user never reached a central database: only this laptop knows it. */
  const isLocalOnly = (userId: string): boolean =>
    Boolean(statements.get(`SELECT 1 FROM sync_outbox WHERE table_name = 'users' AND row_id = ? AND op = 'insert'`).get(userId)) ||
    !statements.get(`SELECT 1 FROM sync_row_versions WHERE table_name = 'users' AND row_id = ?`).get(userId);

  /** Rewrites `column` from one user to another in local rows and in queued mutations (no new mutations). */
  function repoint(table: string, column: string, from: string | null, to: string, onlyLocalInserts: boolean): number {
    const rowFilter = onlyLocalInserts ? ` AND id IN (${pendingInsertIds(table)})` : '';
    const match = from === null ? `"${column}" IS NULL` : `"${column}" = ?`;
    const args = from === null ? [to] : [to, from];
    const changed = statements.get(`UPDATE "${table}" SET "${column}" = ? WHERE ${match}${rowFilter}`).run(...args).changes;
    if (table === 'audit_log') return changed;
    const path = `$."${column}"`;
    const fieldMatch = from === null ? `json_type(fields, '${path}') = 'null'` : `json_extract(fields, '${path}') = ?`;
    const ops = onlyLocalInserts || from === null ? ` AND op = 'insert' AND status IN ('pending', 'rejected')` : '';
    for (const outbox of ['sync_outbox', ...(onlyLocalInserts || from === null ? [] : ['sync_outbox_history'])]) {
      statements.get(`UPDATE ${outbox} SET fields = json_set(fields, '${path}', ?) WHERE table_name = ? AND ${fieldMatch}${ops}`).run(to, table, ...(from === null ? [] : [from]));
    }
    return changed;
  }

  function reattribute(previous: string | null, user: SignedInUser, previousRow: Row | undefined): BindOutcome {
    let reattributed = 0;
    const localOnly = previous !== null && isLocalOnly(previous);
    if (previous && previous !== user.userId) {
      for (const { table, column } of USER_COLUMNS) reattributed += repoint(table, column, previous, user.userId, !localOnly);
      // The comment keeps its author's name as written; the made-up one becomes the person's.
      if (previousRow) {
        statements
          .get(`UPDATE comments SET author = ? WHERE user_id = ? AND author = ? AND id IN (${pendingInsertIds('comments')})`)
          .run(user.fullName, user.userId, String(previousRow.name));
        statements
          .get(`UPDATE sync_outbox SET fields = json_set(fields, '$.author', ?) WHERE table_name = 'comments' AND op = 'insert' AND json_extract(fields, '$.user_id') = ? AND json_extract(fields, '$.author') = ?`)
          .run(user.fullName, user.userId, String(previousRow.name));
      }
    }
    for (const { table, column } of AUTHOR_COLUMNS) reattributed += repoint(table, column, null, user.userId, true);
    let removedProvisional = false;
    if (previous && previous !== user.userId && localOnly) {
      // The made-up profile never existed for anyone else: it and its queued changes go. (Since
      // this release it is never queued; a replica made by an earlier one still has it queued.)
      const dropped = statements.get(`DELETE FROM sync_outbox WHERE table_name = 'users' AND row_id = ? AND status = 'pending'`).run(previous).changes;
      statements.get(`DELETE FROM sync_outbox WHERE table_name = 'users' AND row_id = ?`).run(previous);
      // The server takes a replica's mutations as one gapless sequence: renumber what is left.
      if (dropped > 0) deps.state.setSeqBase(deps.outbox.requeue({ history: false }).base - (deps.state.serverSeq() ?? 0));
      statements.get(`DELETE FROM sync_outbox_history WHERE table_name = 'users' AND row_id = ?`).run(previous);
      statements.get('DELETE FROM users WHERE id = ?').run(previous);
      statements.get(`DELETE FROM sync_row_versions WHERE table_name = 'users' AND row_id = ?`).run(previous);
      removedProvisional = true;
    }
    return { reattributed, previousUserId: previous, removedProvisional };
  }

  return {
    bound,

    /** Forgets the binding (joining another central database, signing out). */
    clear(): void {
      session.setSetting(BOUND_KEY, '');
    },

    /**
     * `userRow`: the person's central users row in local form (stored now, so everything that
     * names them has its parent). `takeOver`: hand the current local profile's work to them —
     * always for a provisional profile; for a profile someone chose on purpose only when the login
     * cannot act for others (a service login keeps acting as the chosen profile).
     */
    bind(signedIn: { user: SignedInUser; bypassesRls: boolean }, centralId: string, userRow: { row: Row; version: number | null }): BindOutcome {
      const { user } = signedIn;
      return db.transaction((): BindOutcome => {
        db.pragma('defer_foreign_keys = ON');
        deps.applier.apply({ upserts: [{ table: 'users', row: userRow.row, version: userRow.version }], deletes: [] });
        const previous = session.currentUserId;
        const previousRow = previous ? (statements.get('SELECT * FROM users WHERE id = ?').get(previous) as Row | undefined) : undefined;
        const provisional = previous !== null && (session.getSetting(PROVISIONAL_USER_KEY) === previous || looksProvisional(previousRow));
        const takeOver = previous === null || provisional || !signedIn.bypassesRls;
        const outcome = takeOver ? reattribute(previous, user, previousRow) : { reattributed: 0, previousUserId: previous, removedProvisional: false };
        if (takeOver) session.setCurrentUser(user.userId);
        session.setSetting(PROVISIONAL_USER_KEY, '');
        session.setSetting(BOUND_KEY, JSON.stringify({ ...user, centralId } satisfies BoundIdentity));
        log.info('replica bound to its person', { userId: user.userId, login: user.login, reattributed: outcome.reattributed, removedProvisional: outcome.removedProvisional });
        return outcome;
      })();
    },
  };
}
export type IdentityBinding = ReturnType<typeof createIdentityBinding>;
