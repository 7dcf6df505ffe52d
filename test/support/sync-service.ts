/**
 * The sync service for tests: `coordinator serve`'s core started in-process on 127.0.0.1:0 against
 * a real central database, with its own login (a member of coordinator_service), and people's
 * logins made the way an administrator makes them (core/admin addUser).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { addUser } from '../../core/admin';
import { createSyncService, type SyncService, type SyncServiceOptions } from '../../core/server/service';

export const SERVICE_LOGIN = 'coord_sync_service_test';
export const SERVICE_PASSWORD = 'service-password-for-tests';
export const TEST_SECRET = 'a-test-secret-of-more-than-thirty-two-bytes!';

/** The service's login on this cluster (roles are cluster-wide: made once, shared by test files running at once). */
export async function ensureServiceLogin(admin: pg.ClientBase): Promise<void> {
  await admin.query(`DO $$ BEGIN
    CREATE ROLE ${SERVICE_LOGIN} LOGIN NOINHERIT PASSWORD '${SERVICE_PASSWORD}' IN ROLE coordinator_service;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
}

/** The central URL with another login (and password) in it. */
export function asLogin(url: string, login: string, password?: string): string {
  const u = new URL(url);
  u.username = login;
  u.password = password ?? '';
  return u.toString();
}

export interface RunningService {
  service: SyncService;
  /** http://127.0.0.1:PORT/ */
  baseUrl: string;
  /** The replica's URL for a person: http://login:password@127.0.0.1:PORT/ */
  urlFor(login: string, password: string): string;
  close(): Promise<void>;
}

export async function startService(centralUrl: string, options: Partial<SyncServiceOptions> = {}): Promise<RunningService> {
  const service = createSyncService({ central: { url: asLogin(centralUrl, SERVICE_LOGIN, SERVICE_PASSWORD) }, secret: TEST_SECRET, poolMax: 4, ...options });
  const address = await service.listen('127.0.0.1', 0);
  const baseUrl = `${address}/`;
  return {
    service,
    baseUrl,
    urlFor(login, password) {
      const u = new URL(baseUrl);
      u.username = login;
      u.password = password;
      return u.toString();
    },
    close: () => service.close(),
  };
}

export const PERSON_PASSWORD = 'person-password-123';

/** A person with a login, as `coordinator admin user add` makes them; the login name is unique on the cluster. */
export async function addPerson(admin: pg.ClientBase, role: 'admin' | 'coordinator' | 'member', name: string = role): Promise<{ login: string; userId: string }> {
  const login = `${name}_${randomBytes(4).toString('hex')}`;
  const member = await addUser(admin, { username: login, role, email: `${login}@example.com`, fullName: `${name} person`, password: PERSON_PASSWORD });
  return { login, userId: member.userId };
}

/** Logins are cluster-wide: tests drop the ones they made. */
export async function dropLogins(adminUrl: string, logins: string[]): Promise<void> {
  const a = new pg.Client({ connectionString: adminUrl });
  await a.connect();
  try {
    for (const login of logins) {
      await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [login]);
      await a.query(`DROP ROLE IF EXISTS ${a.escapeIdentifier(login)}`);
    }
  } finally {
    await a.end();
  }
}
