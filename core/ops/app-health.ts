import type { AppHealth } from '../../shared/health';
import type { SqliteDb } from '../database/open';
import { runDoctor } from './doctor';
import { lastRecovery } from './recovery';

/**
 * The About / Health screen's data: the doctor report of the running replica (local checks only —
 * the desktop's central connection is reported by the sync status — and `quick_check`, so the
 * window is not held up by a full integrity check) and the last start-up recovery, if any.
 */
export async function appHealth(db: SqliteDb, dbFile: string, version: string): Promise<AppHealth> {
  const report = await runDoctor({ db, dbFile, integrity: 'quick' });
  return { ...report, version, recovery: lastRecovery(db) };
}
