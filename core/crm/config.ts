import { z } from 'zod';
import { AppError, parseInput } from '../common/errors';
import { sslModeSchema, type TlsMode } from '../../shared/settings';
import { assertPasswordTransport, parseTlsMode } from '../common/transport-security';
import { assertTimeZone } from './timezone';

/** How to reach the CRM and how it is set up; everything else is discovered from the CRM itself. */
export const crmConfigSchema = z.object({
  /** mysql://user:password@host:port/database */
  url: z.string().min(1),
  /** Perfex's APP_DB_PREFIX. */
  prefix: z.string().regex(/^[A-Za-z0-9_]{0,32}$/, 'letters, digits and _ only').default('tbl'),
  /** IANA zone of the CRM's naive datetimes; read from the CRM's options when absent. */
  timeZone: z.string().optional(),
  sslMode: sslModeSchema.optional(),
  sslCa: z.string().optional(),
  allowPlaintextPassword: z.boolean().optional(),
  /** The session's SQL mode, when it must differ from the server default (Perfex clears it). */
  sqlMode: z.string().regex(/^[A-Z_,]*$/, 'SQL mode names only').optional(),
  /** Rows per checksum chunk. */
  chunkSize: z.number().int().min(16).max(100_000).default(1000),
});
export type CrmConfigInput = z.input<typeof crmConfigSchema>;
export type CrmConfig = z.output<typeof crmConfigSchema>;

export interface ResolvedCrmTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  sslMode: TlsMode;
}

export function parseCrmConfig(input: CrmConfigInput): CrmConfig {
  const config = parseInput(crmConfigSchema, input, 'CRM settings');
  if (config.timeZone) assertTimeZone(config.timeZone);
  return config;
}

/** Splits the URL, applies TLS settings and refuses a clear-text password to another machine. */
export function resolveCrmTarget(config: CrmConfig): ResolvedCrmTarget {
  let u: URL;
  try {
    u = new URL(config.url);
  } catch {
    throw new AppError('VALIDATION', 'The CRM URL is not valid (expected mysql://user:password@host:port/database)');
  }
  if (!['mysql:', 'mariadb:'].includes(u.protocol)) throw new AppError('VALIDATION', 'The CRM URL must start with mysql:// or mariadb://');
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new AppError('VALIDATION', 'The CRM URL must name the database (mysql://user@host/perfex)');
  // The same TLS vocabulary and plain-text password rule as the central connection.
  const sslMode = config.sslMode ?? parseTlsMode(u.searchParams.get('sslmode') ?? u.searchParams.get('ssl-mode'));
  const password = decodeURIComponent(u.password);
  assertPasswordTransport({ service: "the CRM's MySQL", host: u.hostname, tls: sslMode, hasPassword: password !== '', allowPlaintextPassword: config.allowPlaintextPassword });
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 3306), user: decodeURIComponent(u.username), password, database, sslMode };
}

/** Where the CRM is, for messages and for pairing the bridge state; never includes the password. */
export function describeCrm(config: CrmConfig): string {
  try {
    const u = new URL(config.url);
    return `${u.hostname}:${u.port || '3306'}${u.pathname} (prefix ${config.prefix})`;
  } catch {
    return '(invalid URL)';
  }
}
