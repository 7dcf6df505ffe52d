import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migratePg } from '../../core/sync/central/migrate-pg';
import { addPerson, dropLogins, ensureServiceLogin, PERSON_PASSWORD, startService } from './sync-service';
import { testTransport } from './transport';

const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh PostgreSQL database for one test, with the central schema migrated in. `drop` removes
 * it (terminating any connection a test left behind).
 */
export async function tempCentral(options: { migrate?: boolean } = {}): Promise<{
  url: string;
  /** Where replicas sync by default: `url`, or the sync service's URL when the tests run through it (test/support/transport.ts). */
  replicaUrl: string;
  name: string;
  query: pg.Client['query'];
  client: pg.Client;
  /** Empties data and sync bookkeeping (sync-harness `resetCentral`), keeping the service's person able to sign in. */
  reset(): Promise<void>;
  drop(): Promise<void>;
}> {
  const name = `coord_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(ADMIN_URL, name);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  if (options.migrate !== false) await migratePg(client);
  const service = options.migrate !== false && testTransport() === 'service' ? await throughService(client, url) : null;
  return {
    url,
    replicaUrl: service?.url ?? url,
    name,
    client,
    query: client.query.bind(client) as pg.Client['query'],
    async reset() {
      await resetCentral(client);
      await service?.reenrol();
    },
    async drop() {
      await service?.close();
      await client.end().catch(() => undefined);
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
      await a.query(`DROP DATABASE IF EXISTS ${name}`);
      await a.end();
    },
  };
}

/**
 * The sync service in front of this central database, and the login the replicas sign in with.
 * The direct suite syncs as the superuser, who bypasses row-level security (and whose first
 * sign-in hands no earlier local work to a person, docs/team-identity.md); the service never
 * acts as a superuser, so its replicas use an administrator login with BYPASSRLS: the same view
 * and the same identity rules, only the transport differs.
 */
async function throughService(client: pg.Client, url: string): Promise<{ url: string; reenrol(): Promise<void>; close(): Promise<void> }> {
  await ensureServiceLogin(client);
  const owner = await addPerson(client, 'admin', 'owner');
  await client.query(`ALTER ROLE ${client.escapeIdentifier(owner.login)} BYPASSRLS`);
  const { rows } = await client.query<Record<string, unknown>>('SELECT id, username, email, name, role FROM users WHERE id = $1', [owner.userId]);
  const ownerRow = rows[0] ?? {};
  const running = await startService(url);
  return {
    url: running.urlFor(owner.login, PERSON_PASSWORD),
    // An emptied central database has lost the person the login maps to: the same person again,
    // as an administrator would provision them (the login itself is cluster-wide and survives).
    async reenrol() {
      await client.query('INSERT INTO users (id, username, email, name, role) VALUES ($1, $2, $3, $4, $5)', [ownerRow.id, ownerRow.username, ownerRow.email, ownerRow.name, ownerRow.role]);
      await client.query('INSERT INTO sync_db_users (db_role, user_id) VALUES ($1, $2)', [owner.login, owner.userId]);
    },
    async close() {
      await running.close();
      await dropLogins(ADMIN_URL, [owner.login]);
    },
  };
}

/**
 * Empties a migrated central database (data and sync bookkeeping) so one database can serve many
 * property-test runs; TRUNCATE fires no row triggers, so nothing lands in the change log.
 */
async function resetCentral(client: pg.ClientBase): Promise<void> {
  await client.query(`TRUNCATE users, employees, projects, tasks, comments, notifications, memory_embeddings,
    conversation_history, prompt_templates, ai_actions, audit_log, sync_changes, sync_clients, sync_conflicts,
    sync_db_users, sync_meta, sync_rejections, sync_row_meta, sync_tombstones, sync_applied_mutations RESTART IDENTITY CASCADE`);
}

