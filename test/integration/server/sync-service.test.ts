/**
 * The sync service (issue 16) against a real PostgreSQL server that checks passwords (SCRAM):
 * sign-in, tokens (expired, forged, another service's, another central's), revoked people, a
 * replica id of someone else, oversized and malformed bodies, replayed pushes, row-level security
 * through the service, the server-side identity rule itself, and a fuzz of every endpoint.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeUser } from '../../../core/admin';
import { issueToken, secretKey } from '../../../core/server/tokens';
import { REPLICA_ENDPOINTS } from '../../../core/sync/transport/protocol';
import { tempCore } from '../../support/core';
import { startPrivateCluster, type PrivateCluster } from '../../support/sync-fault-pgcluster';
import { addPerson, asLogin, ensureServiceLogin, PERSON_PASSWORD, SERVICE_LOGIN, SERVICE_PASSWORD, startService, TEST_SECRET, type RunningService } from '../../support/sync-service';

let cluster: PrivateCluster;
let centralUrl: string;
let admin: pg.Client;
let service: RunningService;
let mia: { login: string; userId: string };
let ben: { login: string; userId: string };

interface Reply {
  status: number;
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
}

async function call(path: string, body: unknown, token?: string, init: { raw?: string; method?: string } = {}): Promise<Reply> {
  const response = await fetch(new URL(path, service.baseUrl), {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: init.method === 'GET' ? undefined : (init.raw ?? JSON.stringify(body)),
  });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

async function signIn(login: string, password = PERSON_PASSWORD): Promise<{ accessToken: string; refreshToken: string }> {
  const reply = await call('v1/sign-in', { login, password });
  expect(reply.status).toBe(200);
  return reply.body.value as { accessToken: string; refreshToken: string };
}

beforeAll(async () => {
  cluster = await startPrivateCluster({ passwords: true });
  centralUrl = await cluster.createCentral();
  admin = new pg.Client({ connectionString: centralUrl });
  await admin.connect();
  await ensureServiceLogin(admin);
  mia = await addPerson(admin, 'member', 'mia');
  ben = await addPerson(admin, 'member', 'ben');
  service = await startService(centralUrl, { bodyLimit: 64 * 1024 });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await admin?.end().catch(() => undefined);
  cluster?.destroy();
});

describe('sign-in and tokens', () => {
  it('signs in with the right password and says who the person is; refuses a wrong one and an unknown login alike', async () => {
    const tokens = await signIn(mia.login);
    const me = await call('v1/whoami', undefined, tokens.accessToken, { method: 'GET' });
    expect(me.status).toBe(200);
    expect(me.body.value).toMatchObject({ login: mia.login, userId: mia.userId, role: 'member' });
    const wrong = await call('v1/sign-in', { login: mia.login, password: 'not-the-password' });
    const unknown = await call('v1/sign-in', { login: 'nobody_here', password: 'whatever-password' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.error?.message).toBe(unknown.body.error?.message);
  });

  it('refresh gives a new pair; an access token is no refresh token and the reverse', async () => {
    const tokens = await signIn(mia.login);
    const renewed = await call('v1/refresh', { refreshToken: tokens.refreshToken });
    expect(renewed.status).toBe(200);
    expect((await call('v1/refresh', { refreshToken: tokens.accessToken })).status).toBe(401);
    expect((await call('v1/replica/horizon', {}, tokens.refreshToken)).status).toBe(401);
  });

  it('refuses expired, forged, other-secret and other-central tokens with 401', async () => {
    const key = secretKey(TEST_SECRET);
    const { centralId } = (await call('v1/replica/hello', { clientId: 'x' }, (await signIn(mia.login)).accessToken)).body.value as { centralId: string };
    const claims = { sub: mia.login, uid: mia.userId, cid: centralId, typ: 'access' as const };
    const expired = await issueToken(key, claims, Date.now() - 3_600_000);
    const otherSecret = await issueToken(secretKey('another-secret-of-more-than-thirty-two-bytes'), claims);
    const otherCentral = await issueToken(key, { ...claims, cid: 'another-central' });
    const valid = await issueToken(key, claims);
    const [header, payload, signature] = valid.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: ben.login, uid: ben.userId })).toString('base64url');
    const forged = `${header}.${forgedPayload}.${signature}`;
    for (const token of [expired, otherSecret, otherCentral, forged, 'not-a-jwt']) {
      const reply = await call('v1/replica/horizon', {}, token);
      expect(reply.status).toBe(401);
      expect(reply.body.ok).toBe(false);
    }
    expect((await call('v1/replica/horizon', {}, undefined)).status).toBe(401);
    expect((await call('v1/replica/horizon', {}, valid)).status).toBe(200);
  });

  it('a token of another central database is refused with 401 even when its login has no access here (403 with a token of this one)', async () => {
    // Logins are cluster-wide: this one is a person only in another central database on the same server.
    const otherUrl = await cluster.createCentral();
    const other = new pg.Client({ connectionString: otherUrl });
    await other.connect();
    try {
      const elsewhere = await addPerson(other, 'member', 'eli');
      const key = secretKey(TEST_SECRET);
      const { centralId } = (await call('v1/replica/hello', { clientId: 'x' }, (await signIn(mia.login)).accessToken)).body.value as { centralId: string };
      const claims = { sub: elsewhere.login, uid: elsewhere.userId, typ: 'access' as const };
      expect((await call('v1/replica/horizon', {}, await issueToken(key, { ...claims, cid: 'the-other-central' }))).status).toBe(401);
      expect((await call('v1/replica/horizon', {}, await issueToken(key, { ...claims, cid: centralId }))).status).toBe(403);
    } finally {
      await other.end();
    }
  });

  it('a person revoked after signing in is refused at once with 403, refresh too', async () => {
    const rex = await addPerson(admin, 'member', 'rex');
    const tokens = await signIn(rex.login);
    expect((await call('v1/replica/horizon', {}, tokens.accessToken)).status).toBe(200);
    await revokeUser(admin, rex.login);
    expect((await call('v1/replica/horizon', {}, tokens.accessToken)).status).toBe(403);
    expect((await call('v1/refresh', { refreshToken: tokens.refreshToken })).status).toBe(403);
    expect((await call('v1/sign-in', { login: rex.login, password: PERSON_PASSWORD })).status).toBe(401);
  });
});

describe('hostile input', () => {
  it('oversized body → 413, malformed JSON → 400, unknown fields → 400, unknown endpoint → 404, all in the envelope', async () => {
    const { accessToken } = await signIn(mia.login);
    const big = await call('v1/replica/push', { clientId: 'c', mutations: [], pad: 'x'.repeat(100 * 1024) }, accessToken);
    expect(big.status).toBe(413);
    const malformed = await call('v1/replica/push', undefined, accessToken, { raw: '{"clientId": "c", "mutations": [' });
    expect(malformed.status).toBe(400);
    const extra = await call('v1/replica/horizon', { sneaky: true }, accessToken);
    expect(extra.status).toBe(400);
    const nowhere = await call('v1/replica/drop-everything', {}, accessToken);
    expect(nowhere.status).toBe(404);
    for (const r of [big, malformed, extra, nowhere]) expect(r.body).toMatchObject({ ok: false, error: { code: expect.any(String), message: expect.any(String) } });
  });

  it("pushing under another person's replica id is refused with 403 and applies nothing; a replayed push is a duplicate", async () => {
    const cora = await addPerson(admin, 'coordinator', 'cora');
    const miaTokens = await signIn(cora.login);
    const benTokens = await signIn(ben.login);
    const rowId = '0193f6a0-0000-7000-8000-000000000001';
    const mutation = { seq: 1, mutationId: 'm-1', table: 'projects', rowId, op: 'insert', fields: { id: rowId, name: 'Mia project', created_by: cora.userId }, baseVersion: null, hlc: '2026-03-02T09:00:00.000Z-0000-mia' };
    const first = await call('v1/replica/push', { clientId: 'mia-laptop', mutations: [mutation] }, miaTokens.accessToken);
    expect(first.status).toBe(200);
    expect(first.body.value).toMatchObject({ results: [{ seq: 1, status: 'applied' }] });
    const replay = await call('v1/replica/push', { clientId: 'mia-laptop', mutations: [mutation] }, miaTokens.accessToken);
    expect(replay.status).toBe(200);
    expect(replay.body.value).toMatchObject({ results: [{ seq: 1, status: 'duplicate' }] });
    const theft = await call('v1/replica/push', { clientId: 'mia-laptop', mutations: [{ ...mutation, seq: 2, mutationId: 'm-2', op: 'update', fields: { name: 'Ben was here' } }] }, benTokens.accessToken);
    expect(theft.status).toBe(403);
    const { rows } = await admin.query<{ name: string }>('SELECT name FROM projects WHERE id = $1', [rowId]);
    expect(rows).toEqual([{ name: 'Mia project' }]);
  });

  it('row-level security applies through the service: a member reads only what is theirs', async () => {
    const { accessToken } = await signIn(ben.login);
    const rows = await call('v1/replica/snapshot', { table: 'projects', afterId: null, limit: 100 }, accessToken);
    expect(rows.status).toBe(200);
    expect(rows.body.value).toEqual([]);
  });

  it('fuzz: random bodies to every endpoint get a 4xx in the envelope, never a 5xx, and the service stays up', async () => {
    const { accessToken } = await signIn(mia.login);
    const paths = [...REPLICA_ENDPOINTS.map((e) => `v1/replica/${e}`), 'v1/sign-in', 'v1/refresh'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.oneof(fc.jsonValue(), fc.object(), fc.string()), async (path, body) => {
        const reply = await call(path, undefined, accessToken, { raw: JSON.stringify(body) ?? 'null' });
        expect(reply.status).toBeLessThan(500);
        if (reply.status >= 400) expect(reply.body).toMatchObject({ ok: false, error: { code: expect.any(String) } });
      }),
      { numRuns: 150 },
    );
    expect((await call('healthz', undefined, undefined, { method: 'GET' })).status).toBe(200);
  });
});

describe('server-side identity (coordinator_acting_login)', () => {
  it("a person's own login setting coordinator.login is ignored: it still acts as itself", async () => {
    const client = new pg.Client({ connectionString: asLogin(centralUrl, mia.login, PERSON_PASSWORD) });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('coordinator.login', $1, true)`, [ben.login]);
      const { rows } = await client.query<{ login: string }>('SELECT db_login AS login FROM coordinator_whoami()');
      expect(rows).toEqual([{ login: mia.login }]);
      await client.query('ROLLBACK');
      await expect(client.query(`SET ROLE ${ben.login}`)).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });

  it('the service login acts as nobody unless SET ROLE and coordinator.login name the same person', async () => {
    const client = new pg.Client({ connectionString: asLogin(centralUrl, SERVICE_LOGIN, SERVICE_PASSWORD) });
    await client.connect();
    try {
      await expect(client.query('SELECT * FROM coordinator_whoami()')).rejects.toThrow(/not mapped|permission denied/);
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${mia.login}`);
      await client.query(`SELECT set_config('coordinator.login', $1, true)`, [ben.login]);
      await expect(client.query('SELECT * FROM coordinator_whoami()')).rejects.toThrow(/not mapped/);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${mia.login}`);
      await client.query(`SELECT set_config('coordinator.login', $1, true)`, [mia.login]);
      const { rows } = await client.query<{ login: string }>('SELECT db_login AS login FROM coordinator_whoami()');
      expect(rows).toEqual([{ login: mia.login }]);
      await client.query('COMMIT');
      // Without a role taken, the service's own login reads nothing (NOINHERIT: no person's privileges).
      await expect(client.query('SELECT count(*) FROM projects')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });
});

describe('a replica through the HTTP transport', () => {
  it('signs in with the password in its URL, binds to the person, pushes and pulls; a wrong password is refused in words', async () => {
    const core = tempCore();
    const engine = core.sync.connect({ central: { url: service.urlFor(mia.login, PERSON_PASSWORD) }, firstConnect: 'upload' });
    try {
      const result = await engine.syncOnce();
      expect(result.signedIn).toMatchObject({ login: mia.login, userId: mia.userId });
      expect(result.bootstrapped).toBe(true);
      expect(core.sync.binding.bound()).toMatchObject({ userId: mia.userId });
    } finally {
      await engine.close();
      core.dispose();
    }
    const other = tempCore();
    const refused = other.sync.connect({ central: { url: service.urlFor(mia.login, 'wrong-password') }, firstConnect: 'upload' });
    try {
      await expect(refused.syncOnce()).rejects.toThrow(/Wrong login or password/);
      expect(refused.status().state).toBe('error');
    } finally {
      await refused.close();
      other.dispose();
    }
  });
});
