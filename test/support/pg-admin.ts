import pg from 'pg';

/** The PostgreSQL superuser connection the tests create and drop their databases through. */
export const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Drops each database (if it still exists), first ending every connection to it. */
export async function dropDatabases(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    for (const name of names) {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)}`);
    }
  } finally {
    await admin.end();
  }
}

/** The databases whose names start with `prefix` (taken literally). */
export async function databasesStartingWith(prefix: string): Promise<string[]> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [prefix]);
    return rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
}
