import type { HealthCheck } from '../../shared/health';
import { AppError } from '../common/errors';
import { assertPasswordTransport, parseTlsMode, tlsOptions } from '../common/transport-security';
import { describeFailure, passwordOf } from './errors';

/**
 * Reachability of the CRM's MySQL and of the AI endpoint. Deliberately shallow — connect and ask
 * the cheapest question — so doctor tells "cannot reach it / credentials refused" apart from
 * problems inside the bridge or the agent, which have their own diagnostics.
 */

export interface CrmHealth {
  checks: HealthCheck[];
  counts: Record<string, number>;
}

/** Tables doctor counts when the CRM has them (Perfex's, with its default prefix). */
const CRM_TABLES = ['tblstaff', 'tblprojects', 'tbltasks', 'tbltask_comments'];

export async function crmHealth(url: string, options: { sslCa?: string; allowPlaintextPassword?: boolean } = {}): Promise<CrmHealth> {
  const secrets = passwordOf(url);
  const counts: Record<string, number> = {};
  let target: { host: string; port: number; user: string; password: string; database: string; ssl: ReturnType<typeof tlsOptions> };
  try {
    const u = new URL(url);
    if (!['mysql:', 'mariadb:'].includes(u.protocol)) throw new AppError('VALIDATION', 'The CRM URL must start with mysql:// or mariadb://');
    const tls = parseTlsMode(u.searchParams.get('ssl-mode') ?? u.searchParams.get('sslmode'));
    assertPasswordTransport({ service: "the CRM's MySQL", host: u.hostname, tls, hasPassword: u.password !== '', allowPlaintextPassword: options.allowPlaintextPassword });
    target = {
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: decodeURIComponent(u.pathname.replace(/^\//, '')),
      ssl: tlsOptions(tls, options.sslCa),
    };
  } catch (error) {
    const detail = error instanceof AppError ? error.message : 'the CRM URL is not valid (expected mysql://user@host:port/database)';
    return { checks: [{ name: 'crm.connect', ok: false, detail: describeFailure(detail, secrets) }], counts };
  }
  const where = `${target.host}:${target.port}/${target.database}`;
  const mysql = await import('mysql2/promise');
  let connection: Awaited<ReturnType<typeof mysql.createConnection>> | null = null;
  try {
    connection = await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      ...(target.database ? { database: target.database } : {}),
      connectTimeout: 10_000,
      ...(target.ssl ? { ssl: target.ssl } : {}),
    });
    connection.on('error', () => undefined);
    const [rows] = await connection.query('SELECT 1 AS one, VERSION() AS version');
    const version = Array.isArray(rows) && rows[0] && typeof rows[0] === 'object' && 'version' in rows[0] ? String(rows[0].version) : '?';
    const checks: HealthCheck[] = [{ name: 'crm.connect', ok: true, detail: `${where}, server ${version}` }];
    if (target.database) {
      const [tables] = await connection.query('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ?', [target.database]);
      const present = new Set(Array.isArray(tables) ? tables.map((r) => (r && typeof r === 'object' && 't' in r ? String(r.t) : '')) : []);
      for (const table of CRM_TABLES.filter((t) => present.has(t))) {
        const [n] = await connection.query(`SELECT count(*) AS n FROM \`${table}\``);
        counts[table] = Array.isArray(n) && n[0] && typeof n[0] === 'object' && 'n' in n[0] ? Number(n[0].n) : 0;
      }
    }
    return { checks, counts };
  } catch (error) {
    return { checks: [{ name: 'crm.connect', ok: false, detail: `${where}: ${describeFailure(error, secrets)}` }], counts };
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

/**
 * The OpenAI-compatible endpoint answers `GET /models` (OpenAI, Ollama, LM Studio, llama.cpp and
 * vLLM all serve it). The key is sent as the API would send it and never printed.
 */
export async function aiHealth(baseUrl: string, apiKey: string | undefined, options: { timeoutMs?: number } = {}): Promise<HealthCheck> {
  const secrets = apiKey ? [apiKey] : [];
  let url: URL;
  try {
    url = new URL(`${baseUrl.replace(/\/+$/, '')}/models`);
    if (!['http:', 'https:'].includes(url.protocol)) throw new Error('not http(s)');
  } catch {
    return { name: 'ai.endpoint', ok: false, detail: 'OPENAI_BASE_URL is not an http(s) URL' };
  }
  const where = `${url.protocol}//${url.host}${url.pathname.replace(/\/models$/, '')}`;
  try {
    const response = await fetch(url, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    if (!response.ok) return { name: 'ai.endpoint', ok: false, detail: `${where}: HTTP ${response.status}` };
    const body: unknown = await response.json().catch(() => null);
    const models = body && typeof body === 'object' && 'data' in body && Array.isArray(body.data) ? body.data.length : null;
    return { name: 'ai.endpoint', ok: true, detail: `${where}: ${models === null ? 'reachable' : `${models} models`}` };
  } catch (error) {
    return { name: 'ai.endpoint', ok: false, detail: `${where}: ${describeFailure(error, secrets)}` };
  }
}
