import type { LocalWork } from '../../shared/team';
import type { SqliteDb } from '../database/open';
import { DEMO_KEY, PROVISIONAL_USER_KEY, type Session } from '../database/session';
import { createStatementCache } from '../database/statements';

/**
 * What this laptop holds that no central database has seen: rows whose insert is still queued,
 * and every queued change but the provisional profile's own (it never leaves the laptop) and the
 * assistant's prompt templates (the built-in ones, seeded when a window opens, have the same ids
 * on every laptop and are nobody's work: counting them put every fresh desktop to the choice).
 */
export function readLocalWork(db: SqliteDb, session: Session): LocalWork {
  const statements = createStatementCache(db);
  const queuedInserts = (table: string) =>
    (statements.get(`SELECT count(DISTINCT row_id) AS n FROM sync_outbox WHERE table_name = ? AND op = 'insert' AND status = 'pending'`).get(table) as { n: number }).n;
  const provisional = session.getSetting(PROVISIONAL_USER_KEY) || null;
  const pending = (
    statements
      .get(`SELECT count(*) AS n FROM sync_outbox WHERE status = 'pending' AND table_name <> 'prompt_templates' AND NOT (table_name = 'users' AND row_id IS ?)`)
      .get(provisional) as { n: number }
  ).n;
  return {
    projects: queuedInserts('projects'),
    tasks: queuedInserts('tasks'),
    comments: queuedInserts('comments'),
    pendingChanges: pending,
    demo: Boolean(session.getSetting(DEMO_KEY)),
  };
}

/** "3 projects, 12 tasks and 4 comments" — the work a choice is about, in words. */
export function describeLocalWork(work: LocalWork): string {
  const parts = [
    [work.projects, 'project'],
    [work.tasks, 'task'],
    [work.comments, 'comment'],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, what]) => `${n} ${what}${n === 1 ? '' : 's'}`);
  const items = parts.length === 0 ? `${work.pendingChanges} local change${work.pendingChanges === 1 ? '' : 's'}` : parts.length === 1 ? String(parts[0]) : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return work.demo ? `the demo organisation (${items})` : items;
}
