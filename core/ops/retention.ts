import { retentionSettingsSchema, type RetentionSettings } from '../../shared/retention';
import { parseInput } from '../common/errors';
import type { SqliteDb } from '../database/open';
import { isoNow, type Clock } from '../common/time';
import { SYNC_ORDER } from '../sync/columns';

/**
 * Data retention for the local replica (docs/schema.md, "Data retention"). Each policy removes only what has served its
 * purpose and is never needed to sync: nothing still pending in the outbox, no open conflict, no
 * unread notification. Deletions are local housekeeping, not user edits: they bypass the outbox
 * and are never sent to the central database, which keeps its own history.
 */

interface Policy {
  name: string;
  description: (s: RetentionSettings) => string;
  /** FROM … WHERE … selecting what goes; `?` is the cutoff when `days` is set. */
  table: string;
  where: string;
  days: ((s: RetentionSettings) => number) | null;
}

const POLICIES: Policy[] = [
  {
    name: 'read-notifications',
    description: (s) => `notifications read more than ${s.readNotificationsDays} days ago`,
    table: 'notifications',
    where: `read = 1 AND coalesce(read_at, created_at) < ?
            AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.table_name = 'notifications' AND o.row_id = notifications.id)`,
    days: (s) => s.readNotificationsDays,
  },
  {
    name: 'resolved-conflicts',
    description: (s) => `conflicts restored or dismissed more than ${s.resolvedConflictsDays} days ago`,
    table: 'sync_conflicts',
    where: 'resolved_at IS NOT NULL AND resolved_at < ?',
    days: (s) => s.resolvedConflictsDays,
  },
  {
    name: 'audit-log',
    description: (s) => `audit entries older than ${s.auditDays} days`,
    table: 'audit_log',
    where: 'created_at < ?',
    days: (s) => s.auditDays,
  },
  {
    name: 'conversation-history',
    description: (s) => `agent conversations older than ${s.conversationDays} days`,
    table: 'conversation_history',
    where: `created_at < ?
            AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.table_name = 'conversation_history' AND o.row_id = conversation_history.id)`,
    days: (s) => s.conversationDays,
  },
  {
    // Acknowledged outbox entries are deleted on acknowledgement; what can linger is the sync
    // version of a row that no longer exists locally (and has nothing pending).
    name: 'orphan-row-versions',
    description: () => 'sync versions of rows that no longer exist locally',
    table: 'sync_row_versions',
    where: `(${SYNC_ORDER.map((t) => `(table_name = '${t}' AND NOT EXISTS (SELECT 1 FROM "${t}" x WHERE x.id = sync_row_versions.row_id))`).join(' OR ')})
            AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.table_name = sync_row_versions.table_name AND o.row_id = sync_row_versions.row_id)`,
    days: null,
  },
];

export interface RetentionPolicyResult {
  name: string;
  description: string;
  table: string;
  cutoff: string | null;
  matched: number;
  removed: number;
}

export interface RetentionReport {
  applied: boolean;
  settings: RetentionSettings;
  policies: RetentionPolicyResult[];
  matched: number;
  removed: number;
}

const tableExists = (db: SqliteDb, table: string) => db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(table) !== undefined;

/**
 * Dry run by default: counts what each policy would remove. With `apply`, removes it — all
 * policies in one transaction, so an interrupted run removes all or nothing.
 */
export function runRetention(db: SqliteDb, raw: unknown, options: { apply?: boolean; clock?: Clock } = {}): RetentionReport {
  const settings = parseInput(retentionSettingsSchema, raw ?? {}, 'retention settings');
  const now = new Date(isoNow(options.clock));
  const run = (): RetentionPolicyResult[] =>
    POLICIES.filter((p) => tableExists(db, p.table)).map((policy) => {
      const days = policy.days?.(settings) ?? null;
      const cutoff = days === null ? null : new Date(now.getTime() - days * 86_400_000).toISOString();
      const params = cutoff === null ? [] : [cutoff];
      const matched = (db.prepare(`SELECT count(*) AS n FROM "${policy.table}" WHERE ${policy.where}`).get(...params) as { n: number }).n;
      let removed = 0;
      if (options.apply && matched > 0) removed = db.prepare(`DELETE FROM "${policy.table}" WHERE ${policy.where}`).run(...params).changes;
      return { name: policy.name, description: policy.description(settings), table: policy.table, cutoff, matched, removed };
    });
  const policies = options.apply ? db.transaction(run).immediate() : run();
  return {
    applied: Boolean(options.apply),
    settings,
    policies,
    matched: policies.reduce((n, p) => n + p.matched, 0),
    removed: policies.reduce((n, p) => n + p.removed, 0),
  };
}
