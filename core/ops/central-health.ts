import type pg from 'pg';
import { z } from 'zod';
import type { HealthCheck } from '../../shared/health';
import { findMigrationsDir } from '../database/migrations-dir';
import { isKnownChecksum, loadMigrations } from '../database/migrations';
import { connectCentral, describeTarget, type CentralConfig } from '../sync/central/connect';
import { SYNC_ORDER } from '../sync/columns';
import { describeFailure, passwordOf } from './errors';

/** Bookkeeping tables worth watching: they grow with every change and every replica. */
const BOOKKEEPING = ['sync_changes', 'sync_tombstones', 'sync_conflicts', 'sync_clients'] as const;

export interface CentralHealth {
  checks: HealthCheck[];
  counts: Record<string, number>;
  /** Central changes newer than the replica's cursor (null without a cursor or on failure). */
  behindChanges: number | null;
}

/**
 * Connectivity, schema and size of the central PostgreSQL, and how far the replica is behind it.
 * Uses the sync's own connection code, so TLS and the plain-text password rule apply here too.
 */
export async function centralHealth(config: CentralConfig, cursor: { xid: string; version: number } | null): Promise<CentralHealth> {
  const secrets = passwordOf(config.url);
  const checks: HealthCheck[] = [];
  const counts: Record<string, number> = {};
  let client: pg.Client;
  try {
    client = await connectCentral({ ...config, queryTimeoutMs: config.queryTimeoutMs ?? 30_000 });
  } catch (error) {
    checks.push({ name: 'central.connect', ok: false, detail: `${describeTarget(config.url)}: ${describeFailure(error, secrets)}` });
    return { checks, counts, behindChanges: null };
  }
  let behindChanges: number | null = null;
  try {
    const { rows } = await client.query<{ v: string; tls: boolean | null }>(
      `SELECT current_setting('server_version') AS v, (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS tls`,
    );
    checks.push({ name: 'central.connect', ok: true, detail: `${describeTarget(config.url)}, PostgreSQL ${rows[0]?.v ?? '?'}, ${rows[0]?.tls ? 'TLS' : 'no TLS'}` });

    const known = loadMigrations(findMigrationsDir('pg'));
    const ledger = await client
      .query<{ idx: number; checksum: string }>('SELECT idx, checksum FROM schema_migrations ORDER BY idx')
      .then((r) => r.rows)
      .catch(() => null);
    if (!ledger) {
      checks.push({ name: 'central.migrations', ok: false, detail: 'no schema_migrations table; run `coordinator migrate --pg URL`' });
    } else {
      const byIndex = new Map(known.map((m) => [m.index, m]));
      const unknown = ledger.filter((r) => !byIndex.has(r.idx)).length;
      const changed = ledger.filter((r) => {
        const migration = byIndex.get(r.idx);
        return migration !== undefined && !isKnownChecksum(migration, r.checksum);
      }).length;
      const missing = known.length - ledger.filter((r) => byIndex.has(r.idx)).length;
      const ok = unknown === 0 && changed === 0 && missing === 0;
      checks.push({
        name: 'central.migrations',
        ok,
        detail: ok ? `${ledger.length}/${known.length} applied` : `${ledger.length}/${known.length} applied; ${missing} missing, ${unknown} unknown, ${changed} changed`,
      });
    }

    // Exact counts, one round trip; row-level security limits them to what this login may read.
    const tables = [...SYNC_ORDER, ...BOOKKEEPING];
    const present = new Set(
      (await client.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema()`)).rows.map((r) => r.t),
    );
    const countable = tables.filter((t) => present.has(t));
    if (countable.length > 0) {
      const sql = countable.map((t) => `(SELECT count(*) FROM "${t}")::bigint AS "${t}"`).join(', ');
      const row = (await client.query<Record<string, string>>(`SELECT ${sql}`)).rows[0] ?? {};
      for (const t of countable) counts[t] = Number(row[t] ?? 0);
    }

    if (present.has('sync_changes')) {
      const log = (
        await client.query<{ oldest: string | null; pruned: string | null }>(
          `SELECT (SELECT min(changed_at)::text FROM sync_changes) AS oldest,
                  (SELECT value FROM sync_meta WHERE key = 'changes_pruned_below_xid') AS pruned`,
        )
      ).rows[0];
      checks.push({
        name: 'central.change-log',
        ok: true,
        detail: `${counts.sync_changes ?? 0} changes${log?.oldest ? `, oldest ${log.oldest}` : ''}${log?.pruned ? `, pruned below xid ${log.pruned}` : ''}`,
      });
      if (cursor) {
        // Pull reads only below the visibility horizon (docs/sync-protocol.md): a committed change
        // above it waits for an older write transaction still running anywhere in the cluster.
        // Those are in flight, not missed; counting them as "behind" would make a healthy replica
        // look stale whenever another database on the server is busy.
        const { rows: behind } = await client.query<{ n: string; waiting: string }>(
          `SELECT count(*) FILTER (WHERE xid < pg_snapshot_xmin(pg_current_snapshot()))::bigint AS n,
                  count(*) FILTER (WHERE xid >= pg_snapshot_xmin(pg_current_snapshot()))::bigint AS waiting
             FROM sync_changes WHERE (xid, version) > ($1::xid8, $2::bigint)`,
          [cursor.xid, cursor.version],
        );
        behindChanges = Number(behind[0]?.n ?? 0);
        const waiting = Number(behind[0]?.waiting ?? 0);
        checks.push({
          name: 'sync.behind',
          ok: true,
          detail: `${behindChanges} central changes not pulled yet${waiting > 0 ? `; ${waiting} more wait for older transactions still running on the server` : ''}`,
        });
      }
    }
    if (present.has('crm_bridge_state')) checks.push(...(await crmBridgeHealth(client)));
  } catch (error) {
    checks.push({ name: 'central.query', ok: false, detail: describeFailure(error, secrets) });
  } finally {
    await client.end().catch(() => undefined);
  }
  return { checks, counts, behindChanges };
}

const STUCK_INTENT_MS = 60 * 60 * 1000;

/** CRM sync health as the bridge left it in the central database: pairing, last run, rows linked, stuck creations. */
async function crmBridgeHealth(client: pg.Client): Promise<HealthCheck[]> {
  const readable = await client
    .query<{ key: string; value: unknown }>(`SELECT key, value FROM crm_bridge_state WHERE key IN ('crm_target', 'last_run')`)
    .then((r) => r.rows)
    .catch(() => null);
  if (!readable) return []; // not an administrator's login: the bridge's state is not ours to see
  const state = new Map(readable.map((r) => [r.key, r.value]));
  const target = state.get('crm_target');
  if (typeof target !== 'string') return [{ name: 'crm.sync', ok: true, detail: 'no CRM paired with this central database' }];
  const run = lastRunSchema.safeParse(state.get('last_run'));
  const { rows: linked } = await client.query<{ entity: string; n: string }>('SELECT entity, count(*)::text AS n FROM crm_bridge_rows GROUP BY entity ORDER BY entity');
  const { rows: intents } = await client.query<{ n: string; oldest: string | null }>('SELECT count(*)::text AS n, min(created_at)::text AS oldest FROM crm_bridge_intents');
  const stuck = intents[0]?.oldest ? Date.now() - Date.parse(intents[0].oldest) > STUCK_INTENT_MS : false;
  const rows = linked.map((l) => `${l.n} ${l.entity}`).join(', ') || 'nothing linked yet';
  const last = run.success ? (run.data.ok ? `last reconcile ${run.data.at} (imported ${run.data.imported ?? 0}, exported ${run.data.exported ?? 0}, skipped ${run.data.skipped ?? 0})` : `last reconcile ${run.data.at} FAILED: ${run.data.error ?? '?'}`) : 'never reconciled';
  return [
    {
      name: 'crm.sync',
      ok: (!run.success || run.data.ok) && !stuck,
      detail: `${target}: ${last}; ${rows}${Number(intents[0]?.n ?? 0) ? `; ${intents[0]?.n} CRM rows being created${stuck ? ' for over an hour' : ''}` : ''}`,
    },
  ];
}

const lastRunSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  imported: z.number().optional(),
  exported: z.number().optional(),
  skipped: z.number().optional(),
  error: z.string().optional(),
});
