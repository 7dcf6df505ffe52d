import type { Queryable } from './connect';

/**
 * Compacts the central change log (`sync_changes`): a change is dropped once a later change of
 * the same row exists. Always safe to run, at any time, while laptops sync:
 *
 * - Writes to one row hold its row lock until commit, and each change's version is drawn under
 *   that lock, so for one row a higher version means a later commit. A reader that reaches the
 *   later change fetches the row as it is then, which includes everything the dropped change
 *   said; a reader that had already passed the later change already holds that state.
 * - The newest change of every row stays, so the highest version in the log (which replicas
 *   compare to detect a restored server, docs/sync-protocol.md) never goes down, and a delete stays
 *   until something newer happens to the same id.
 *
 * A fleet's log otherwise grows by every edit for ever; compacted, it holds about one entry per
 * row, and a laptop back from a long absence reads each changed row once instead of every edit.
 * Batched, so no statement holds many locks or runs long.
 */
export async function compactChangeLog(db: Queryable, batchSize = 10_000): Promise<{ removed: number; remaining: number }> {
  let removed = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM sync_changes WHERE version IN (
         SELECT c.version FROM sync_changes c
         WHERE EXISTS (SELECT 1 FROM sync_changes n WHERE n.table_name = c.table_name AND n.row_id = c.row_id AND n.version > c.version)
         LIMIT $1)`,
      [batchSize],
    );
    removed += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) break;
  }
  const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM sync_changes');
  return { removed, remaining: Number(rows[0]?.n ?? 0) };
}
