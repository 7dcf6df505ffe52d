import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migratePg } from '../../core/sync/central/migrate-pg';

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
export async function tempCentral(options: { migrate?: boolean } = {}): Promise<{ url: string; name: string; query: pg.Client['query']; client: pg.Client; drop(): Promise<void> }> {
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
  return {
    url,
    name,
    client,
    query: client.query.bind(client) as pg.Client['query'],
    async drop() {
      await client.end().catch(() => undefined);
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
      await a.query(`DROP DATABASE IF EXISTS ${name}`);
      await a.end();
    },
  };
}
