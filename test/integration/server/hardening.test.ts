/**
 * The sync service under strain, against a real PostgreSQL server that checks passwords: tokens
 * that expire between syncs (the laptop renews them, or signs in again, without the person
 * noticing), sign-in rate limiting, a statement stopped by the per-request statement timeout while
 * it waits on a lock, and a client trickling its request. The service's clock is moved by the
 * test, so expiry and the sign-in window need no waiting.
 */
import http from 'node:http';
import net from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetPassword, revokeUser } from '../../../core/admin';
import { tempCore } from '../../support/core';
import { startPrivateCluster, type PrivateCluster } from '../../support/sync-fault-pgcluster';
import { addPerson, ensureServiceLogin, PERSON_PASSWORD, SERVICE_LOGIN, startService, type RunningService } from '../../support/sync-service';

let cluster: PrivateCluster;
let centralUrl: string;
let admin: pg.Client;
/** How far ahead of the wall clock the services' clock runs. */
let skew = 0;
const serviceClock = () => Date.now() + skew;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

beforeAll(async () => {
  cluster = await startPrivateCluster({ passwords: true });
  centralUrl = await cluster.createCentral();
  admin = new pg.Client({ connectionString: centralUrl });
  await admin.connect();
  await ensureServiceLogin(admin);
}, 120_000);

afterAll(async () => {
  await admin?.end().catch(() => undefined);
  cluster?.destroy();
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string; sqlState?: string } };
}

/** One JSON request, optionally from another loopback address (the whole of 127.0.0.0/8 is this machine). */
function request(base: string, path: string, body: unknown, options: { token?: string; from?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const url = new URL(path, base);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        localAddress: options.from,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Reply['body'] }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('tokens that expire between syncs, through the HTTP transport', () => {
  let service: RunningService;
  /** Every request the laptop's transport made: `path status`. */
  let calls: string[];
  let cora: { login: string; userId: string };

  beforeAll(async () => {
    service = await startService(centralUrl, { now: serviceClock });
    cora = await addPerson(admin, 'coordinator', 'cora');
  });
  afterAll(async () => {
    await service?.close();
  });
  beforeEach(() => {
    calls = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const response = await realFetch(input, init);
      calls.push(`${new URL(input instanceof Request ? input.url : input).pathname} ${response.status}`);
      return response;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const centralProject = async (id: string) => (await admin.query<{ name: string }>('SELECT name FROM projects WHERE id = $1', [id])).rows;

  it('renews an expired access token with the refresh token and retries; then signs in again once the refresh token has expired too', async () => {
    const core = tempCore();
    const engine = core.sync.connect({ central: { url: service.urlFor(cora.login, PERSON_PASSWORD) }, firstConnect: 'upload' });
    try {
      await engine.syncOnce();
      expect(calls.filter((c) => c.startsWith('/v1/sign-in '))).toEqual(['/v1/sign-in 200']);

      // Past the access token's 15 minutes: the first call is refused, renewed, and retried once.
      skew += 16 * MINUTE;
      calls = [];
      const renamed = core.projects.create({ name: 'Made after the access token expired' });
      const afterAccess = await engine.syncOnce();
      expect(afterAccess.pushed).toBe(1);
      const first = calls[0]?.split(' ')[0] ?? '';
      expect(first).toMatch(/^\/v1\/replica\//);
      expect(calls.slice(0, 3)).toEqual([`${first} 401`, '/v1/refresh 200', `${first} 200`]);
      expect(calls.filter((c) => c.endsWith(' 401'))).toHaveLength(1);
      expect(calls.some((c) => c.startsWith('/v1/sign-in '))).toBe(false);
      expect(await centralProject(renamed.id)).toEqual([{ name: 'Made after the access token expired' }]);

      // Past the refresh token's 7 days: the refresh is refused too, so the password signs in again.
      skew += 8 * DAY;
      calls = [];
      const later = core.projects.create({ name: 'Made a week later' });
      const afterRefresh = await engine.syncOnce();
      expect(afterRefresh.pushed).toBe(1);
      expect(calls.slice(0, 4)).toEqual([`${first} 401`, '/v1/refresh 401', '/v1/sign-in 200', `${first} 200`]);
      expect(await centralProject(later.id)).toEqual([{ name: 'Made a week later' }]);
      expect(engine.status()).toMatchObject({ state: 'idle', pending: 0 });
    } finally {
      await engine.close();
      core.dispose();
    }
  });

  it('a refresh refused and a password no longer accepted: the sync fails in words and applies nothing', async () => {
    const reset = await addPerson(admin, 'coordinator', 'reset');
    const core = tempCore();
    const engine = core.sync.connect({ central: { url: service.urlFor(reset.login, PERSON_PASSWORD) }, firstConnect: 'upload' });
    try {
      await engine.syncOnce();
      await resetPassword(admin, reset.login, 'a-new-password-456');
      skew += 8 * DAY;
      calls = [];
      const project = core.projects.create({ name: 'Never reaches central' });
      await expect(engine.syncOnce()).rejects.toThrow(/Wrong login or password/);
      expect(calls.map((c) => c.replace(/^\/v1\/replica\/\S+/, 'replica'))).toEqual(['replica 401', '/v1/refresh 401', '/v1/sign-in 401']);
      expect(engine.status()).toMatchObject({ state: 'error', pending: 1 });
      expect(await centralProject(project.id)).toEqual([]);
    } finally {
      await engine.close();
      core.dispose();
    }
  });

  it('a person revoked while their token expired: the refresh is refused with 403 in words and nothing is applied', async () => {
    const rex = await addPerson(admin, 'coordinator', 'rex');
    const core = tempCore();
    const engine = core.sync.connect({ central: { url: service.urlFor(rex.login, PERSON_PASSWORD) }, firstConnect: 'upload' });
    try {
      await engine.syncOnce();
      await revokeUser(admin, rex.login);
      skew += 16 * MINUTE;
      calls = [];
      const project = core.projects.create({ name: 'Made after being revoked' });
      const failure = await engine.syncOnce().catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/\S/) });
      expect(calls.map((c) => c.replace(/^\/v1\/replica\/\S+/, 'replica'))).toEqual(['replica 401', '/v1/refresh 403']);
      expect(engine.status()).toMatchObject({ state: 'error', pending: 1 });
      expect(await centralProject(project.id)).toEqual([]);
    } finally {
      await engine.close();
      core.dispose();
    }
  });

  it('a forged or expired refresh token gets 401 over HTTP', async () => {
    const signedIn = await request(service.baseUrl, 'v1/sign-in', { login: cora.login, password: PERSON_PASSWORD });
    expect(signedIn.status).toBe(200);
    const { refreshToken } = signedIn.body.value as { refreshToken: string };
    const [header, payload, signature] = refreshToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: Number(claims.exp) + 365 * 86_400 })).toString('base64url')}.${signature}`;
    expect((await request(service.baseUrl, 'v1/refresh', { refreshToken: forged })).status).toBe(401);
    skew += 8 * DAY;
    const expired = await request(service.baseUrl, 'v1/refresh', { refreshToken });
    expect(expired.status).toBe(401);
    expect(expired.body.error?.message).toMatch(/expired/);
  });
});

describe('sign-in rate limiting', () => {
  const limits = { perLogin: 3, perAddress: 6, windowSeconds: 60 };
  let service: RunningService;
  let proxied: RunningService;
  let mia: { login: string };
  let ben: { login: string };

  beforeAll(async () => {
    service = await startService(centralUrl, { now: serviceClock, signInLimits: limits });
    proxied = await startService(centralUrl, { now: serviceClock, signInLimits: { ...limits, perAddress: 2 }, trustProxy: ['127.0.0.1'] });
    mia = await addPerson(admin, 'member', 'mia');
    ben = await addPerson(admin, 'member', 'ben');
  });
  afterAll(async () => {
    await service?.close();
    await proxied?.close();
  });
  // Each test starts in a window of its own.
  beforeEach(() => {
    skew += limits.windowSeconds * 1000 + 1000;
  });

  const signIn = (login: string, password: string, options: { from?: string; headers?: Record<string, string>; via?: RunningService } = {}) =>
    request((options.via ?? service).baseUrl, 'v1/sign-in', { login, password }, options);

  it('after N wrong passwords a login gets 429 with Retry-After, even with the right one; other people sign in; the window passes', async () => {
    for (let i = 0; i < limits.perLogin; i++) expect((await signIn(mia.login, 'wrong-password')).status).toBe(401);
    const refused = await signIn(mia.login, PERSON_PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringMatching(/Too many failed sign-ins for this login/) } });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(limits.windowSeconds);
    expect((await signIn(ben.login, PERSON_PASSWORD)).status).toBe(200);
    skew += retryAfter * 1000;
    expect((await signIn(mia.login, PERSON_PASSWORD)).status).toBe(200);
  });

  it('a right password does not count; only failures do', async () => {
    for (let i = 0; i < limits.perLogin + 2; i++) expect((await signIn(ben.login, PERSON_PASSWORD)).status).toBe(200);
    for (let i = 0; i < limits.perLogin - 1; i++) expect((await signIn(ben.login, 'wrong-password')).status).toBe(401);
    expect((await signIn(ben.login, PERSON_PASSWORD)).status).toBe(200);
  });

  it('wrong passwords for many logins from one address block that address, not the others', async () => {
    for (let i = 0; i < limits.perAddress; i++) expect((await signIn(`nobody_${i}`, 'wrong-password', { from: '127.0.0.2' })).status).toBe(401);
    const refused = await signIn(ben.login, PERSON_PASSWORD, { from: '127.0.0.2' });
    expect(refused.status).toBe(429);
    expect(refused.body.error?.message).toMatch(/for this address/);
    expect((await signIn(ben.login, PERSON_PASSWORD, { from: '127.0.0.3' })).status).toBe(200);
  });

  it('attempts in flight count: a burst of wrong passwords reaches the database only N times', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, () => signIn(mia.login, 'wrong-password', { from: '127.0.0.4' })));
    expect(replies.map((r) => r.status).sort()).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
  });

  it('behind a trusted proxy, each client address (X-Forwarded-For) is limited on its own', async () => {
    const via = proxied;
    for (let i = 0; i < 2; i++) expect((await signIn(`nobody_x${i}`, 'wrong-password', { via, headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(401);
    expect((await signIn(ben.login, PERSON_PASSWORD, { via, headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(429);
    expect((await signIn(ben.login, PERSON_PASSWORD, { via, headers: { 'x-forwarded-for': '203.0.113.8' } })).status).toBe(200);
  });
});

describe('the statement timeout of each request', () => {
  const STATEMENT_TIMEOUT_MS = 1500;
  let service: RunningService;
  let cora: { login: string; userId: string };

  beforeAll(async () => {
    service = await startService(centralUrl, { statementTimeoutMs: STATEMENT_TIMEOUT_MS });
    cora = await addPerson(admin, 'coordinator', 'cora');
  });
  afterAll(async () => {
    await service?.close();
  });

  /** Holds a row lock on the project in another connection (as an administrator's long transaction would) until `release`. */
  async function lockProject(id: string): Promise<{ release(): Promise<void> }> {
    const holder = new pg.Client({ connectionString: centralUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM projects WHERE id = $1 FOR UPDATE', [id]);
    return {
      async release() {
        await holder.query('ROLLBACK');
        await holder.end();
      },
    };
  }

  const waitingServiceBackends = async () =>
    Number((await admin.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'`, [SERVICE_LOGIN])).rows[0]?.n);

  it('a push waiting on a lock is stopped: 503 in the envelope, nothing applied, the connection freed, others served; the retry applies', async () => {
    const signedIn = await request(service.baseUrl, 'v1/sign-in', { login: cora.login, password: PERSON_PASSWORD });
    const { accessToken: token } = signedIn.body.value as { accessToken: string };
    const rowId = '0193f6a0-0000-7000-8000-00000000a001';
    const insert = { seq: 1, mutationId: 'h-1', table: 'projects', rowId, op: 'insert', fields: { id: rowId, name: 'Before the lock', created_by: cora.userId }, baseVersion: null, hlc: '2026-03-02T09:00:00.000Z-0000-cora' };
    const update = { seq: 2, mutationId: 'h-2', table: 'projects', rowId, op: 'update', fields: { name: 'After the lock' }, baseVersion: 1, hlc: '2026-03-02T09:01:00.000Z-0000-cora' };
    expect((await request(service.baseUrl, 'v1/replica/push', { clientId: 'cora-laptop', mutations: [insert] }, { token })).status).toBe(200);

    const lock = await lockProject(rowId);
    try {
      const [stopped, other] = await Promise.all([
        request(service.baseUrl, 'v1/replica/push', { clientId: 'cora-laptop', mutations: [update] }, { token }),
        request(service.baseUrl, 'v1/replica/horizon', {}, { token }),
      ]);
      expect(stopped.status).toBe(503);
      expect(stopped.body).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', sqlState: '57014', message: expect.stringMatching(/took too long.*nothing of it was applied/) } });
      expect(other.status).toBe(200);
      // The lock is still held, yet no service connection waits on it any more.
      expect(await waitingServiceBackends()).toBe(0);
      const { rows } = await admin.query<{ last_mutation_seq: string }>(`SELECT last_mutation_seq::text FROM sync_clients WHERE client_id = 'cora-laptop'`);
      expect(rows).toEqual([{ last_mutation_seq: '1' }]);
    } finally {
      await lock.release();
    }
    const retried = await request(service.baseUrl, 'v1/replica/push', { clientId: 'cora-laptop', mutations: [update] }, { token });
    expect(retried.status).toBe(200);
    expect(retried.body.value).toMatchObject({ results: [{ seq: 2, status: 'applied' }] });
    expect((await admin.query('SELECT name FROM projects WHERE id = $1', [rowId])).rows).toEqual([{ name: 'After the lock' }]);
  });

  it('a laptop whose push is stopped is offline for that run, keeps its change, and pushes it on the next', async () => {
    const core = tempCore();
    const engine = core.sync.connect({ central: { url: service.urlFor(cora.login, PERSON_PASSWORD) }, firstConnect: 'upload' });
    try {
      await engine.syncOnce();
      const project = core.projects.create({ name: 'Locked soon' });
      await engine.syncOnce();
      core.projects.update({ id: project.id, name: 'Renamed while locked' });
      const lock = await lockProject(project.id);
      try {
        await expect(engine.syncOnce()).rejects.toThrow(/took too long/);
        expect(engine.status()).toMatchObject({ state: 'offline', pending: 1 });
      } finally {
        await lock.release();
      }
      const result = await engine.syncOnce();
      expect(result.pushed).toBe(1);
      expect((await admin.query('SELECT name FROM projects WHERE id = $1', [project.id])).rows).toEqual([{ name: 'Renamed while locked' }]);
    } finally {
      await engine.close();
      core.dispose();
    }
  });
});

describe('a client trickling its request', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService(centralUrl, { requestTimeoutMs: 500 });
  });
  afterAll(async () => {
    await service?.close();
  });

  /**
   * Sends `head`, then `trickle` a byte every 50 ms, until the server closes the connection or
   * everything is sent, in about 12 s (so a server that does not cut it off, or only at Node's
   * default check every 30 s, fails the test with whatever it answers).
   */
  function trickle(head: string, trickle: string): Promise<{ answer: string; sent: number }> {
    const url = new URL(service.baseUrl);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname);
      let answer = '';
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ answer, sent });
      });
      socket.on('connect', () => {
        socket.write(head);
        timer = setInterval(() => {
          if (sent < trickle.length && !socket.destroyed) socket.write(trickle[sent++] ?? '');
          else clearInterval(timer);
        }, 50);
      });
    });
  }

  it('is cut off with 408 in the envelope, in its body or its headers, while other requests are served', async () => {
    const body = JSON.stringify({ login: 'slow_person', password: 'x'.repeat(200) });
    const slowBody = trickle(`POST /v1/sign-in HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body);
    const slowHeaders = trickle('POST /v1/sign-in HTTP/1.1\r\n', `${'X-Padding: slow\r\n'.repeat(14)}\r\n`);
    for (let i = 0; i < 5; i++) {
      const healthy = await fetch(new URL('healthz', service.baseUrl));
      expect(healthy.status).toBe(200);
    }
    for (const { answer, sent } of await Promise.all([slowBody, slowHeaders])) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      const envelope = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as unknown;
      expect(envelope).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringMatching(/did not arrive in time/) } });
      expect(sent).toBeGreaterThan(0);
    }
    expect((await fetch(new URL('healthz', service.baseUrl))).status).toBe(200);
  });
});
