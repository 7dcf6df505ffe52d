/**
 * Benchmark `fleet` (issue 16): many laptops — real SQLite replicas, each with its own client id
 * and its own person (a login provisioned with core/admin `addUser`) — edit and sync on their own
 * schedules against one PostgreSQL, through each transport in turn; baseline: the same writes as
 * plain SQL INSERT/UPDATE against PostgreSQL, on the same schedule, in the same run.
 *
 *   npm run bench:fleet -- [--laptops 50,200,500] [--transports service,direct,pgbouncer] [--interval-ms 5000]
 *                          [--duration 30] [--pool 20] [--service-pool 8] [--balance connection|request|laptop] [--laptop-fsync]
 *
 * Transports (default `service,direct`): `service` is the sync service (`coordinator serve`), two
 * instances each in its own process with a pool of `--service-pool` PostgreSQL connections, behind
 * a round-robin balancer, its own process too (bench/support/round-robin-proxy.ts): by default
 * TCP, each new connection to the next instance; `--balance request` an HTTP proxy sending each
 * request to the next instance; `--balance laptop` none, laptop i talking to instance i mod 2;
 * `direct` is each laptop's own PostgreSQL login; `pgbouncer` the same through PgBouncer.
 * FLEET_SERVICE_PROFILE_DIR=DIR writes a CPU profile of each service instance there (node --cpu-prof);
 * FLEET_TRACK=all counts the statements inside server functions too (pg_stat_statements.track), and
 * FLEET_TOP=N lists N statements instead of 8.
 *
 * Time is scaled: a laptop syncs every ~10 s in the field; here every `--interval-ms` (default 5 s,
 * a factor of 2), so N laptops here offer the sync rate of 2·N laptops in the field. Each laptop
 * makes a few edits before each sync (two task edits and a comment on its own tasks, and one time
 * in five a priority change on a task its group of ten shares, which makes conflicts).
 *
 * The server is a private PostgreSQL cluster (durable: fsync and synchronous commit on) with
 * pg_stat_statements preloaded, so its CPU (from /proc) and statement time belong to this run
 * alone. The laptops all live in this one Node.js process: their latency includes waiting for
 * this process's event loop, whose own CPU use is reported too (client and server share the
 * machine's cores). Their SQLite files run with synchronous = NORMAL unless `--laptop-fsync`:
 * one shared disk and one event loop would otherwise serialise every laptop's fsyncs.
 *
 * A transport is a parameter (`TRANSPORTS`): how a laptop with a login reaches the central
 * database. The CPU of a transport's own processes (service instances, balancer, PgBouncer) is
 * read from /proc like the server's, and reported beside it.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { z } from 'zod';
import { addUser } from '../core/admin';
import { openCore, type Core } from '../core/app/core';
import type { SyncEngine } from '../core/sync/engine';
import { startPgBouncer } from '../test/support/pgbouncer';
import { freePort, startPrivateCluster, type PrivateCluster } from '../test/support/sync-fault-pgcluster';
import { asLogin, ensureServiceLogin, SERVICE_LOGIN, SERVICE_PASSWORD, TEST_SECRET } from '../test/support/sync-service';
import { percentile } from './harness';
import { processCpuSeconds, readDatabaseTime, sampleConnections, serverCpuSeconds, topStatements, type DatabaseTime } from './support/server-load';
import { tempDir } from './support/util';

const FIELD_INTERVAL_MS = 10_000;
const GROUP = 10;
const OWN_TASKS = 3;
const STATUSES = ['todo', 'in_progress', 'done'] as const;
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;

interface Options {
  laptops: number[];
  transports: string[];
  intervalMs: number;
  durationS: number;
  pool: number;
  /** PostgreSQL connections of each sync-service instance. */
  servicePool: number;
  /** Spread over the service instances: each connection in turn (TCP balancer), each request in turn (HTTP balancer), or each laptop to one instance. */
  balance: 'connection' | 'request' | 'laptop';
  /** Keep the laptops' SQLite fsync per commit (off by default, see openLaptops). */
  laptopFsync: boolean;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (name: string, fallback: string) => (value(name) ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
  const laptops = list('--laptops', '50,200,500').map(Number);
  if (laptops.some((n) => !Number.isInteger(n) || n < GROUP)) throw new Error(`--laptops takes numbers of at least ${GROUP}, comma-separated`);
  const transports = list('--transports', 'service,direct');
  const unknown = transports.filter((t) => !(t in TRANSPORTS));
  if (unknown.length > 0) throw new Error(`unknown transport ${unknown.join(', ')}; known: ${Object.keys(TRANSPORTS).join(', ')}`);
  return {
    laptops,
    transports,
    intervalMs: Number(value('--interval-ms') ?? 5_000),
    durationS: Number(value('--duration') ?? 30),
    pool: Number(value('--pool') ?? 20),
    servicePool: Number(value('--service-pool') ?? 8),
    balance: z.enum(['connection', 'request', 'laptop']).parse(value('--balance') ?? 'connection'),
    laptopFsync: argv.includes('--laptop-fsync'),
  };
}

// ---- transports ------------------------------------------------------------------------------

/** How a laptop with a login reaches the central database. */
interface FleetTransport {
  name: string;
  /** The URL laptop number `index` syncs with. */
  urlFor(login: string, password: string, index: number): string;
  /** CPU seconds so far of each of the transport's own processes, by name (none for direct). */
  cpuSeconds(): Record<string, number>;
  /** What the balancer handed each service instance so far (requests or connections), when there is one. */
  handedOut?(): Promise<{ unit: 'requests' | 'connections'; counts: number[] }>;
  close(): Promise<void>;
}

interface TransportEnv {
  centralUrl: string;
  /** A superuser connection to the central database (to make the service's own login). */
  central: pg.Client;
  logins: string[];
  /** Server connections a pooling transport may use. */
  pool: number;
  servicePool: number;
  balance: Options['balance'];
}

const SERVICE_INSTANCES = 2;
const serviceCpuPart = (i: number) => `service #${i + 1}`;

/** A child process of this benchmark, ready once it printed `ready` on its standard output. */
async function startChild(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stderr.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start within 60 s: ${output}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      collect(chunk);
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${String(code)}): ${output}`));
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${args.join(' ')}: no process id`);
  return {
    pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const repoFile = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url));

const withLogin = (url: string, login: string, password: string) => {
  const u = new URL(url);
  u.username = login;
  u.password = password;
  return u.toString();
};

const TRANSPORTS: Record<string, (env: TransportEnv) => Promise<FleetTransport>> = {
  /** Each laptop connects to PostgreSQL itself, with its own login. */
  direct: async ({ centralUrl }) => ({ name: 'direct', urlFor: (l, p) => withLogin(centralUrl, l, p), cpuSeconds: () => ({}), close: async () => undefined }),
  /** Each laptop connects to PgBouncer (transaction pooling) with its own login. */
  pgbouncer: async ({ centralUrl, logins, pool }) => {
    const bouncer = await startPgBouncer({ target: centralUrl, poolSize: pool, logins });
    return {
      name: 'pgbouncer',
      urlFor: (l, p) => withLogin(bouncer.urlFor(centralUrl), l, p),
      cpuSeconds: () => ({ PgBouncer: processCpuSeconds(bouncer.pid()) }),
      close: () => bouncer.destroy(),
    };
  },
  /**
   * Each laptop signs in to the sync service (`coordinator serve`, docs/sync-service.md): two
   * instances, each its own process with its own small pool under the service's one login, behind
   * a balancer that sends each request to the next instance.
   */
  service: async ({ centralUrl, central, servicePool, balance }) => {
    await ensureServiceLogin(central);
    const children: { pid: number; stop(): Promise<void> }[] = [];
    try {
      const ports: number[] = [];
      for (let i = 0; i < SERVICE_INSTANCES; i += 1) {
        const port = await freePort();
        children.push(
          await startChild(
            [...(process.env.FLEET_SERVICE_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FLEET_SERVICE_PROFILE_DIR}`] : []), repoFile('bin/coordinator.mjs'), 'serve', '--listen', `127.0.0.1:${port}`, '--pool-max', String(servicePool)],
            { COORDINATOR_PG_URL: asLogin(centralUrl, SERVICE_LOGIN, SERVICE_PASSWORD), COORDINATOR_SYNC_SECRET: TEST_SECRET },
            /listening on/,
          ),
        );
        ports.push(port);
      }
      const instances = () => Object.fromEntries(ports.map((_, i) => [serviceCpuPart(i), processCpuSeconds(children[i]?.pid ?? null)]));
      const close = async () => {
        for (const c of children) await c.stop();
      };
      // Without the balancer, laptop i always talks to instance i mod 2.
      if (balance === 'laptop') return { name: 'service', urlFor: (l, p, i) => withLogin(`http://127.0.0.1:${ports[i % ports.length]}/`, l, p), cpuSeconds: instances, close };
      const [port, controlPort] = [await freePort(), await freePort()];
      const balancer = await startChild(['--import', 'tsx', repoFile('bench/support/round-robin-proxy.ts'), balance === 'request' ? 'http' : 'tcp', String(port), String(controlPort), ...ports.map(String)], {}, /listening/);
      children.push(balancer);
      return {
        name: 'service',
        urlFor: (l, p) => withLogin(`http://127.0.0.1:${port}/`, l, p),
        cpuSeconds: () => ({ ...instances(), balancer: processCpuSeconds(balancer.pid) }),
        handedOut: async () => ({ unit: balance === 'request' ? 'requests' : 'connections', counts: z.array(z.number()).parse(await (await fetch(`http://127.0.0.1:${controlPort}/`)).json()) }),
        close,
      };
    } catch (error) {
      for (const c of children) await c.stop();
      throw error;
    }
  },
};

// ---- the organisation ------------------------------------------------------------------------

interface Person {
  login: string;
  password: string;
  userId: string;
  projectId: string;
  tasks: string[];
  /** The task this person's group of ten shares. */
  hotTask: string;
}

const uuid = () => crypto.randomUUID();

/** People with logins (core/admin), a project and three tasks each, a shared task per ten. */
async function provision(admin: pg.Client, tag: string, count: number): Promise<Person[]> {
  const people: Person[] = [];
  let hotTask = '';
  for (let i = 0; i < count; i += 1) {
    const login = `${tag}_${i}`;
    const password = `pw-${login}-fleet`;
    const member = await addUser(admin, { username: login, email: `${login}@fleet.example`, fullName: `Laptop ${i}`, role: 'coordinator', password });
    if (i % GROUP === 0) hotTask = uuid();
    people.push({ login, password, userId: member.userId, projectId: uuid(), tasks: Array.from({ length: OWN_TASKS }, uuid), hotTask });
  }
  await seedWork(admin, people);
  return people;
}

/** The same projects and tasks in a database (the central one, or the baseline's). */
async function seedWork(db: pg.Client, people: Person[]): Promise<void> {
  await db.query('BEGIN');
  for (const p of people) {
    await db.query(`INSERT INTO users (id, username, email, name, role) VALUES ($1, $2, $3, $2, 'coordinator') ON CONFLICT DO NOTHING`, [p.userId, p.login, `${p.login}@fleet.example`]);
    await db.query('INSERT INTO projects (id, name, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [p.projectId, `Project of ${p.login}`, p.userId]);
    for (const [k, t] of p.tasks.entries()) {
      await db.query('INSERT INTO tasks (id, title, project_id, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [t, `${p.login} task ${k}`, p.projectId, p.userId]);
    }
    await db.query('INSERT INTO tasks (id, title, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [p.hotTask, `shared task ${p.hotTask.slice(0, 8)}`, p.userId]);
  }
  await db.query('COMMIT');
}

/** The edits of one tick, as values: the laptop makes them locally, the baseline as plain SQL. */
function editsOf(p: Person, tick: number, rng: () => number) {
  const own = p.tasks[tick % OWN_TASKS] as string;
  const other = p.tasks[(tick + 1) % OWN_TASKS] as string;
  return {
    retitle: { id: own, title: `${p.login} task rev ${tick}`, status: STATUSES[tick % STATUSES.length] as (typeof STATUSES)[number] },
    reprioritise: { id: other, priority: PRIORITIES[tick % PRIORITIES.length] as (typeof PRIORITIES)[number] },
    comment: { taskId: own, content: `${p.login} tick ${tick}` },
    hot: rng() < 0.2 ? { id: p.hotTask, priority: PRIORITIES[Math.floor(rng() * PRIORITIES.length)] as (typeof PRIORITIES)[number] } : null,
  };
}

// ---- laptops ---------------------------------------------------------------------------------

interface Laptop {
  person: Person;
  core: Core;
  engine: SyncEngine;
}

/** An empty migrated replica file to copy (opening and migrating one per laptop takes ~0.35 s). */
function makeTemplate(dir: string): string {
  const file = path.join(dir, 'template.db');
  const core = openCore({ dbFile: file });
  // The replica id is made when the file is first opened: each copy must make its own.
  core.db.prepare(`DELETE FROM local_settings WHERE key = 'sync.client_id'`).run();
  core.db.pragma('wal_checkpoint(TRUNCATE)');
  core.close();
  return file;
}

async function openLaptops(people: Person[], transport: FleetTransport, dir: string, template: string, laptopFsync: boolean): Promise<Laptop[]> {
  mkdirSync(dir, { recursive: true });
  const laptops = people.map((person, i) => {
    const file = path.join(dir, `laptop-${i}.db`);
    copyFileSync(template, file);
    const core = openCore({ dbFile: file });
    const engine = core.sync.connect({ central: { url: transport.urlFor(person.login, person.password, i) }, firstConnect: 'upload' });
    return { person, core, engine };
  });
  // First syncs (bootstrap), ten at a time; not measured.
  for (let i = 0; i < laptops.length; i += 10) await Promise.all(laptops.slice(i, i + 10).map((l) => withRetry(() => l.engine.syncOnce())));
  // Simulated laptops share one disk and one event loop, where better-sqlite3's fsync per commit
  // (synchronous = FULL) would block every other laptop: each real laptop pays its own. Set after
  // the bootstrap, which restores FULL when it ends.
  if (!laptopFsync) for (const l of laptops) l.core.db.pragma('synchronous = NORMAL');
  return laptops;
}

async function closeLaptops(laptops: Laptop[]): Promise<void> {
  for (const l of laptops) {
    await l.engine.close();
    l.core.close();
  }
}

const sqlState = (error: unknown) => String((error as { code?: unknown }).code ?? (error instanceof Error ? error.message.slice(0, 40) : 'error'));

/** The chain of causes of an error, as ` <- message (code)` each. */
function causes(error: unknown): string {
  let text = '';
  for (let e = error instanceof Error ? error.cause : undefined, depth = 0; e && depth < 4; e = e instanceof Error ? e.cause : undefined, depth += 1) {
    const code = (e as { code?: unknown }).code;
    text += ` <- ${e instanceof Error ? e.message : String(e)}${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  return text;
}

async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await fn();
    } catch (error) {
      if (i >= attempts) throw error;
      await sleep(200 * i);
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---- one measured run --------------------------------------------------------------------------

interface RunResult {
  label: string;
  windowS: number;
  syncs: number;
  failures: Map<string, number>;
  latencies: number[];
  /** PostgreSQL: postmaster and backends. */
  serverCpuS: number;
  /** The transport's own processes (service instances, balancer, PgBouncer), by name. */
  transportCpuS: Record<string, number>;
  /** What each service instance was handed in the window by the balancer (requests or connections). */
  handedOut: { unit: 'requests' | 'connections'; counts: number[] } | null;
  clientCpuS: number;
  /** 1-minute load average of the machine at the end of the window. */
  load: number;
  db: DatabaseTime;
  connections: { max: number; mean: number; busyMax: number; busyMean: number };
  convergeS: number | null;
  verified: string;
  /** Where the database time went (pg_stat_statements over the window). */
  top: { query: string; calls: number; rows: number; totalMs: number }[];
  /** Server CPU (PostgreSQL, and the transport's processes) of a sync with nothing to push or pull, after convergence (one interval). */
  idle: { cpuMsPerSync: number; transportCpuMsPerSync: number; syncs: number };
}

interface Actor {
  /** One tick's work: edit and sync (laptop) or the same writes as SQL (baseline). */
  tick(tick: number, edits: boolean): Promise<void>;
  /** Nothing left to push. */
  idle(): boolean;
}

/**
 * Every actor ticks every `intervalMs` from a random phase; the measured window starts after one
 * interval (every actor has started) and lasts `durationS`. Then edits stop and actors keep
 * syncing until every one of them has finished a sync that began after the last pending change
 * anywhere was pushed: the time from the stop to then is the convergence time.
 */
async function measure(label: string, actors: Actor[], ctx: { cluster: PrivateCluster; database: string; admin: pg.Client; intervalMs: number; durationS: number; transport?: FleetTransport }): Promise<Omit<RunResult, 'verified'>> {
  const { cluster, database, admin, intervalMs, durationS } = ctx;
  const postmaster = cluster.postmasterPid();
  if (postmaster === null) throw new Error('no postmaster pid');
  let seed = 42;
  const rng = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  let phase: 'load' | 'drain' | 'idle' | 'done' = 'load';
  // Read through a function: the actors' loops change it, which the compiler's narrowing does not see.
  const currentPhase = () => phase;
  let idleSyncs = 0;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let syncs = 0;
  let emptySince: number | null = null;
  const convergedAt = new Map<number, number>();

  const loop = async (actor: Actor, index: number) => {
    await sleep(rng() * intervalMs);
    for (let tick = 0; phase !== 'done'; tick += 1) {
      const due = performance.now() + intervalMs;
      const started = performance.now();
      const editing = phase === 'load';
      try {
        await actor.tick(tick, editing);
        const ended = performance.now();
        // Throughput and latency of the syncs that ended inside the window (a sync may take longer than it).
        if (ended >= windowStart && ended <= windowEnd) {
          latencies.push(ended - started);
          syncs += 1;
        }
        if (phase === 'idle') idleSyncs += 1;
        if (phase === 'drain') {
          if (emptySince === null && actors.every((a) => a.idle())) emptySince = ended;
          if (emptySince !== null && started >= emptySince && !convergedAt.has(index)) convergedAt.set(index, ended);
          if (convergedAt.size === actors.length) phase = 'idle';
        }
      } catch (error) {
        const code = sqlState(error);
        if (performance.now() >= windowStart && performance.now() <= windowEnd) failures.set(code, (failures.get(code) ?? 0) + 1);
        if (!failures.has(`${code} (shown)`)) {
          failures.set(`${code} (shown)`, 0);
          console.log(`  ${label}: first ${code}: ${error instanceof Error ? error.message : String(error)} ${String((error as { detail?: unknown }).detail ?? '')}${causes(error)}`.slice(0, 600));
        }
      }
      await sleep(Math.max(0, due - performance.now()));
    }
  };

  const loops = actors.map((a, i) => loop(a, i));
  await sleep(intervalMs);
  await admin.query('SELECT pg_stat_statements_reset()').catch(() => undefined);
  const sampler = sampleConnections(cluster.adminUrl, database);
  const transportCpu = () => ctx.transport?.cpuSeconds() ?? {};
  const handedOut = async () => (await ctx.transport?.handedOut?.()) ?? null;
  const before = { cpu: serverCpuSeconds(postmaster), transport: transportCpu(), handedOut: await handedOut(), client: process.cpuUsage(), db: await readDatabaseTime(admin, database) };
  windowStart = performance.now();
  await sleep(durationS * 1000);
  windowEnd = performance.now();
  phase = 'drain';
  const after = { cpu: serverCpuSeconds(postmaster), transport: transportCpu(), handedOut: await handedOut(), client: process.cpuUsage(before.client), db: await readDatabaseTime(admin, database) };
  const load = os.loadavg()[0] ?? Number.NaN;
  const connections = await sampler.stop();
  const top = await topStatements(admin, database);
  const stoppedAt = performance.now();
  const deadline = stoppedAt + Math.max(120_000, intervalMs * 4);
  while (currentPhase() === 'drain' && performance.now() < deadline) await sleep(50);
  const converged = currentPhase() === 'idle' ? (Math.max(...convergedAt.values()) - stoppedAt) / 1000 : null;
  // Then a window of syncs with nothing to push or pull: the fixed cost of a sync.
  let idle = { cpuMsPerSync: Number.NaN, transportCpuMsPerSync: Number.NaN, syncs: 0 };
  if (currentPhase() === 'idle') {
    idleSyncs = 0;
    const cpu = serverCpuSeconds(postmaster);
    const transport = sum(transportCpu());
    await sleep(Math.max(2, intervalMs / 1000) * 1000);
    const syncsSeen = Math.max(1, idleSyncs);
    idle = { cpuMsPerSync: ((serverCpuSeconds(postmaster) - cpu) * 1000) / syncsSeen, transportCpuMsPerSync: ((sum(transportCpu()) - transport) * 1000) / syncsSeen, syncs: idleSyncs };
  }
  phase = 'done';
  await Promise.all(loops);
  const windowS = (windowEnd - windowStart) / 1000;
  return {
    label,
    windowS,
    syncs,
    failures,
    latencies,
    serverCpuS: after.cpu - before.cpu,
    transportCpuS: Object.fromEntries(Object.entries(after.transport).map(([k, v]) => [k, v - (before.transport[k] ?? 0)])),
    handedOut: after.handedOut && { unit: after.handedOut.unit, counts: after.handedOut.counts.map((n, i) => n - (before.handedOut?.counts[i] ?? 0)) },
    clientCpuS: (after.client.user + after.client.system) / 1e6,
    load,
    db: {
      statementMs: after.db.statementMs,
      statements: after.db.statements,
      commits: after.db.commits - before.db.commits,
      sessions: after.db.sessions - before.db.sessions,
      activeMs: after.db.activeMs - before.db.activeMs,
    },
    connections,
    convergeS: converged,
    top,
    idle,
  };
}

const total = (values: number[]) => values.reduce((a, b) => a + b, 0);
const sum = (parts: Record<string, number>) => total(Object.values(parts));

// ---- verification ------------------------------------------------------------------------------

const TASK_COLUMNS = 'id, title, status, priority';
const COMMENT_COLUMNS = 'id, content, comment_order';

function digest(rows: unknown[][]): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(JSON.stringify(r.map((v) => (v === null ? null : String(v)))));
  return h.digest('hex').slice(0, 16);
}

async function centralDigest(db: pg.Client): Promise<string> {
  const tasks = await db.query({ text: `SELECT ${TASK_COLUMNS} FROM tasks ORDER BY id`, rowMode: 'array' });
  const comments = await db.query({ text: `SELECT ${COMMENT_COLUMNS} FROM comments ORDER BY id`, rowMode: 'array' });
  return `${digest(tasks.rows as unknown[][])}/${digest(comments.rows as unknown[][])}`;
}

function localDigest(core: Core): string {
  const tasks = core.db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks ORDER BY id`).raw(true).all() as unknown[][];
  const comments = core.db.prepare(`SELECT ${COMMENT_COLUMNS} FROM comments ORDER BY id`).raw(true).all() as unknown[][];
  return `${digest(tasks)}/${digest(comments)}`;
}

// ---- the run -----------------------------------------------------------------------------------

async function runScale(cluster: PrivateCluster, options: Options, laptopsCount: number, template: string, dir: string, onRun: (r: RunResult) => void): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const centralUrl = await cluster.createCentral();
  const baselineUrl = await cluster.createCentral();
  const database = new URL(centralUrl).pathname.slice(1);
  const baselineDb = new URL(baselineUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  // The bench's own connections are named, so the connection count leaves them out.
  const central = new pg.Client({ connectionString: centralUrl, application_name: 'fleet-bench' });
  const baseline = new pg.Client({ connectionString: baselineUrl, application_name: 'fleet-bench' });
  await Promise.all([admin.connect(), central.connect(), baseline.connect()]);
  try {
    let started = performance.now();
    const people = await provision(central, `f${laptopsCount}`, laptopsCount);
    console.log(`  ${laptopsCount} people provisioned in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const name of options.transports) {
      const transport = await (TRANSPORTS[name] as (env: TransportEnv) => Promise<FleetTransport>)({ centralUrl, central, logins: people.map((p) => p.login), pool: options.pool, servicePool: options.servicePool, balance: options.balance });
      try {
        started = performance.now();
        const laptops = await openLaptops(people, transport, path.join(dir, `${laptopsCount}-${name}`), template, options.laptopFsync);
        console.log(`  ${name}: ${laptopsCount} laptops opened and bootstrapped in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        let seed = 7;
        const rng = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
        const actors: Actor[] = laptops.map((l) => ({
          async tick(tick, edits) {
            if (edits) {
              const e = editsOf(l.person, tick, rng);
              l.core.tasks.update(e.retitle);
              l.core.tasks.update(e.reprioritise);
              l.core.comments.add(e.comment);
              if (e.hot) l.core.tasks.update(e.hot);
            }
            await l.engine.syncOnce();
          },
          idle: () => l.core.sync.outbox.pendingCount() === 0,
        }));
        const run = await measure(name, actors, { cluster, database, admin, intervalMs: options.intervalMs, durationS: options.durationS, transport });
        const expected = await centralDigest(central);
        const equal = laptops.filter((l) => localDigest(l.core) === expected).length;
        const refused = laptops.reduce((n, l) => n + l.core.sync.outbox.rejected().length, 0);
        results.push({ ...run, verified: `${equal}/${laptops.length} equal central${refused ? `, ${refused} refused` : ''}` });
        onRun(results[results.length - 1] as RunResult);
        await closeLaptops(laptops);
      } finally {
        await transport.close();
      }
    }

    // Baseline: the same edits on the same schedule, as plain SQL on a database without the sync
    // triggers, through a pool of the same size as PgBouncer's.
    await seedWork(baseline, people);
    for (const t of ['users', 'projects', 'tasks', 'comments', 'employees', 'notifications']) await baseline.query(`ALTER TABLE ${t} DISABLE TRIGGER trg_sync_change`);
    await baseline.query('ALTER TABLE comments DISABLE TRIGGER comments_unique_order');
    const pool = new pg.Pool({ connectionString: baselineUrl, max: options.pool });
    try {
      let seed = 7;
      const rng = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
      const actors: Actor[] = people.map((p) => ({
        async tick(tick, edits) {
          if (!edits) return;
          const e = editsOf(p, tick, rng);
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            await c.query('UPDATE tasks SET title = $2, status = $3, updated_at = now() WHERE id = $1', [e.retitle.id, e.retitle.title, e.retitle.status]);
            await c.query('UPDATE tasks SET priority = $2, updated_at = now() WHERE id = $1', [e.reprioritise.id, e.reprioritise.priority]);
            await c.query('INSERT INTO comments (id, task_id, user_id, author, content, comment_order) VALUES ($1, $2, $3, $4, $5, $6)', [uuid(), e.comment.taskId, p.userId, p.login, e.comment.content, tick + 1]);
            if (e.hot) await c.query('UPDATE tasks SET priority = $2, updated_at = now() WHERE id = $1', [e.hot.id, e.hot.priority]);
            await c.query('COMMIT');
          } catch (error) {
            await c.query('ROLLBACK').catch(() => undefined);
            throw error;
          } finally {
            c.release();
          }
        },
        idle: () => true,
      }));
      const run = await measure('baseline SQL', actors, { cluster, database: baselineDb, admin, intervalMs: options.intervalMs, durationS: options.durationS });
      results.push({ ...run, convergeS: null, idle: { cpuMsPerSync: Number.NaN, transportCpuMsPerSync: Number.NaN, syncs: 0 }, verified: '-' });
    } finally {
      await pool.end();
    }
  } finally {
    await Promise.all([admin.end(), central.end(), baseline.end()]);
  }
  return results;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const perSync = (r: RunResult, seconds: number) => (seconds * 1000) / Math.max(1, r.syncs);
const serviceParts = (r: RunResult) => Object.entries(r.transportCpuS).filter(([k]) => k.startsWith('service'));
const transportCores = (r: RunResult) => (Object.keys(r.transportCpuS).length ? ` + ${f2(sum(r.transportCpuS) / r.windowS)}` : '');
function handed(r: RunResult): string {
  if (!r.handedOut) return '-';
  const { unit, counts } = r.handedOut;
  const all = total(counts);
  return `${unit === 'requests' ? `${f1(all / Math.max(1, r.syncs))} requests/sync` : `${all} connections`} (${counts.map((n) => `${Math.round((100 * n) / Math.max(1, all))}%`).join(' / ')})`;
}
const partCpu = (r: RunResult, part: string) => (part in r.transportCpuS ? `${f2(perSync(r, r.transportCpuS[part] ?? 0))} ms` : '-');
function serviceCpu(r: RunResult): string {
  const parts = serviceParts(r);
  if (parts.length === 0) return '-';
  return `${f2(perSync(r, sum(Object.fromEntries(parts))))} ms (${parts.map(([, v]) => f2(perSync(r, v))).join(' + ')})`;
}

function printScale(laptops: number, options: Options, results: RunResult[]): void {
  const offered = laptops / (options.intervalMs / 1000);
  const rows: [string, (r: RunResult) => string, string][] = [
    ['syncs/s held (offered)', (r) => `${f1(r.syncs / r.windowS)} (${f1(offered)})`, `field equivalent at 10 s: ${laptops * (FIELD_INTERVAL_MS / options.intervalMs)} laptops`],
    ['sync p50 / p99', (r) => { const s = [...r.latencies].sort((a, b) => a - b); return `${f1(percentile(s, 50))} / ${f1(percentile(s, 99))} ms`; }, 'syncOnce() wall time (baseline: one write transaction)'],
    ['failed syncs', (r) => { const f = [...r.failures].filter(([k]) => !k.endsWith('(shown)')); return f.length ? f.map(([k, v]) => `${v}x ${k}`).join(', ') : '0'; }, 'retried at the next interval'],
    ['server CPU', (r) => `${f2(r.serverCpuS / r.windowS)}${transportCores(r)} cores`, 'PostgreSQL (postmaster + backends) [+ transport processes], /proc'],
    ['server CPU per sync, all', (r) => `${f2(perSync(r, r.serverCpuS + sum(r.transportCpuS)))} ms`, 'PostgreSQL + service + balancer/PgBouncer'],
    ['  PostgreSQL CPU per sync', (r) => `${f2(perSync(r, r.serverCpuS))} ms`, 'postmaster + backends'],
    ['  service CPU per sync', (r) => serviceCpu(r), 'both instances (each instance)'],
    ['  balancer CPU per sync', (r) => partCpu(r, 'balancer'), 'round-robin balancer (TCP, or HTTP with --balance request), its own process'],
    ['  PgBouncer CPU per sync', (r) => partCpu(r, 'PgBouncer'), ''],
    ['balancer handed out', (r) => handed(r), 'requests (--balance request) or new connections, in the window; share per instance'],
    ['DB statement time per sync', (r) => `${f2(r.db.statementMs / Math.max(1, r.syncs))} ms (${f1(r.db.statements / Math.max(1, r.syncs))} stmts)`, 'pg_stat_statements, top level'],
    ['commits per sync', (r) => f1(r.db.commits / Math.max(1, r.syncs)), 'pg_stat_database'],
    ['PG connections max / mean', (r) => `${r.connections.max} / ${f1(r.connections.mean)}`, 'pg_stat_activity, sampled every 200 ms'],
    ['  busy max / mean', (r) => `${r.connections.busyMax} / ${f1(r.connections.busyMean)}`, 'in a statement or a transaction'],
    ['backends started', (r) => `${r.db.sessions} (${f2(r.db.sessions / Math.max(1, r.syncs))}/sync)`, 'pg_stat_database.sessions'],
    ['bench process CPU', (r) => `${f2(r.clientCpuS / r.windowS)} cores`, 'all laptops (SQLite, engine) in one Node process'],
    ['idle sync server CPU', (r) => (r.idle.syncs ? `${f2(r.idle.cpuMsPerSync)}${r.idle.transportCpuMsPerSync > 0 ? ` + ${f2(r.idle.transportCpuMsPerSync)}` : ''} ms (${r.idle.syncs} syncs)` : '-'), 'after convergence, nothing to push or pull: PostgreSQL [+ transport]'],
    ['converged after stop', (r) => (r.convergeS === null ? '-' : `${f1(r.convergeS)} s (${f1((r.convergeS * 1000) / options.intervalMs)} intervals)`), ''],
    ['laptops equal central', (r) => r.verified, 'tasks + comments digest'],
    ['load average', (r) => f1(r.load), `1 min, end of window (${os.cpus().length} cores, shared)`],
  ];
  const headers = ['measure', ...results.map((r) => r.label), 'note'];
  const table = rows.map(([label, fn, note]) => [label, ...results.map(fn), note]);
  const widths = headers.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(`\n## ${laptops} laptops, interval ${options.intervalMs} ms (10 s / ${FIELD_INTERVAL_MS / options.intervalMs}), window ${options.durationS} s, pool ${options.pool}, service ${SERVICE_INSTANCES} x ${options.servicePool} connections; ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}`);
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(line(r));
  for (const r of results) {
    if (r.top.length === 0) continue;
    console.log(`  top statements, ${r.label} (per sync: ms, calls, rows):`);
    const per = (v: number) => (v / Math.max(1, r.syncs)).toFixed(2).padStart(8);
    for (const t of r.top) console.log(`    ${per(t.totalMs)} ${per(t.calls)} ${per(t.rows)}  ${t.query}`);
  }
  console.log(
    JSON.stringify({
      name: 'fleet',
      laptops,
      intervalMs: options.intervalMs,
      runs: results.map((r) => {
        const s = [...r.latencies].sort((a, b) => a - b);
        return {
          transport: r.label, syncsPerS: r.syncs / r.windowS, p50: percentile(s, 50), p99: percentile(s, 99), failures: Object.fromEntries([...r.failures].filter(([k]) => !k.endsWith('(shown)'))),
          serverCpuMsPerSync: perSync(r, r.serverCpuS), transportCpuMsPerSync: Object.fromEntries(Object.entries(r.transportCpuS).map(([k, v]) => [k, perSync(r, v)])),
          handedOut: r.handedOut, load: r.load, dbMsPerSync: r.db.statementMs / Math.max(1, r.syncs), maxConnections: r.connections.max,
          backendsStarted: r.db.sessions, convergeS: r.convergeS, idleCpuMsPerSync: r.idle.cpuMsPerSync, verified: r.verified,
        };
      }),
    }),
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const top = Math.max(...options.laptops);
  console.log(`# fleet: ${options.laptops.join('/')} laptops x ${options.transports.join(', ')} + baseline SQL`);
  const cluster = await startPrivateCluster({
    maxConnections: top + 60,
    settings: {
      fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on', shared_buffers: '256MB',
      shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': process.env.FLEET_TRACK ?? 'top', track_io_timing: 'on',
    },
  });
  const tmp = tempDir();
  try {
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await admin.end();
    const template = makeTemplate(tmp.dir);
    for (const n of options.laptops) printScale(n, options, await runScale(cluster, options, n, template, tmp.dir, (r) => printScale(n, options, [r])));
  } finally {
    cluster.destroy();
    tmp.remove();
  }
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});
