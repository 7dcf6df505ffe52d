import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../common/errors';
import { createLogger } from '../common/logger';
import type { SqliteDb } from '../database/open';
import type { Session } from '../database/session';
import type { Applier } from './apply';

const log = createLogger('sync');

/** Local settings that belong to a replica's identity and sync position, not to the person's preferences. */
const REPLICA_SETTINGS = ["key LIKE 'sync.%'", "key LIKE 'identity.%'", "key = 'current_user_id'", "key LIKE 'demo.%'"].join(' OR ');

/**
 * Keeps everything this replica holds in a file beside it (a complete, openable copy) and empties
 * the replica, so it starts over as a new one: starting from a team's data instead of uploading
 * local work, or signing out. Nothing is deleted that the copy does not hold.
 */
export function setAsideAndReset(deps: { db: SqliteDb; session: Session; applier: Applier; now: Date }, label: 'before-joining' | 'signed-out'): string {
  const file = deps.db.name;
  if (!file || file === ':memory:') throw new AppError('UNAVAILABLE', 'An in-memory database cannot be set aside; nothing was changed');
  const stamp = deps.now.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const base = path.join(path.dirname(file), `${path.basename(file, '.db')}.${label}-${stamp}`);
  let target = `${base}.db`;
  for (let i = 2; existsSync(target); i += 1) target = `${base}-${i}.db`;
  deps.db.prepare('VACUUM INTO ?').run(target);
  deps.applier.wipeSyncedTables();
  deps.db.transaction(() => {
    for (const table of ['sync_outbox', 'sync_outbox_history', 'sync_conflicts', 'audit_log']) deps.db.prepare(`DELETE FROM ${table}`).run();
    deps.db.prepare(`DELETE FROM local_settings WHERE ${REPLICA_SETTINGS}`).run();
  })();
  deps.session.forgetCachedUser();
  log.info('replica set aside and emptied', { label, target });
  return target;
}
