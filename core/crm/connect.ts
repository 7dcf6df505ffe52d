import mysql from 'mysql2/promise';
import { AppError } from '../common/errors';
import { tlsOptions } from '../common/transport-security';
import { createLogger } from '../common/logger';
import type { CrmConfig } from './config';
import { resolveCrmTarget } from './config';
import { crmTables, type CrmTables } from './tables';
import { assertTimeZone } from './timezone';

const log = createLogger('crm');

export interface CrmConnection {
  db: mysql.Connection;
  tables: CrmTables;
  timeZone: string;
  /** Tables whose text columns are utf8mb3 (Perfex before 3.1.1): 4-byte characters must be replaced. */
  narrowCharsetTables: Set<string>;
  close(): Promise<void>;
}

/**
 * Connects to the CRM with datetimes as strings (they are naive local times, not instants), checks
 * the Perfex tables exist, and learns the timezone and which tables cannot store 4-byte UTF-8.
 */
export async function connectCrm(config: CrmConfig): Promise<CrmConnection> {
  const target = resolveCrmTarget(config);
  let db: mysql.Connection;
  try {
    db = await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      charset: 'utf8mb4_unicode_ci',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      connectTimeout: 10_000,
      multipleStatements: false,
      ...(target.sslMode === 'disable' ? {} : { ssl: tlsOptions(target.sslMode, config.sslCa) || undefined }),
    });
  } catch (error) {
    // A server that never greets (PostgreSQL waits for the client to speak first) times out too.
    const timedOut = (error as { code?: unknown }).code === 'ETIMEDOUT';
    const hint = timedOut ? ` (no MySQL/MariaDB server answered; is the host up, and is ${target.port} the CRM database's port rather than, say, PostgreSQL's 5432?)` : '';
    throw new AppError('UNAVAILABLE', `The CRM at ${target.host}:${target.port} cannot be reached: ${error instanceof Error ? error.message : String(error)}${hint}`);
  }
  db.on('error', () => undefined);
  try {
    if (config.sqlMode !== undefined) await db.query('SET SESSION sql_mode = ?', [config.sqlMode]);
    await db.query("SET time_zone = '+00:00'");
    const tables = crmTables(config.prefix);
    await assertTablesExist(db, target.database, tables);
    const timeZone = config.timeZone ?? (await readCrmTimeZone(db, tables));
    const narrowCharsetTables = await findNarrowCharsetTables(db, target.database, tables);
    return { db, tables, timeZone, narrowCharsetTables, close: () => db.end().catch(() => undefined) };
  } catch (error) {
    await db.end().catch(() => undefined);
    throw error;
  }
}

async function assertTablesExist(db: mysql.Connection, database: string, tables: CrmTables): Promise<void> {
  const wanted = [tables.staff, tables.projects, tables.tasks, tables.taskAssigned, tables.taskComments, tables.taskTimers];
  const [rows] = await db.query<mysql.RowDataPacket[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)',
    [database, wanted],
  );
  const present = new Set(rows.map((r) => String(r.name)));
  const missing = wanted.filter((t) => !present.has(t));
  if (missing.length) {
    throw new AppError('VALIDATION', `The CRM database has no ${missing.join(', ')}; is this a Perfex CRM and is the table prefix right (--crm-prefix)?`);
  }
}

async function readCrmTimeZone(db: mysql.Connection, tables: CrmTables): Promise<string> {
  try {
    const [rows] = await db.query<mysql.RowDataPacket[]>(`SELECT value FROM \`${tables.options}\` WHERE name = 'default_timezone' LIMIT 1`);
    const zone = rows[0]?.value;
    if (typeof zone === 'string' && zone.trim()) return assertTimeZone(zone.trim());
  } catch (error) {
    if (error instanceof AppError) throw error;
  }
  log.warn('The CRM has no default_timezone option; treating its datetimes as UTC (set --crm-timezone)');
  return 'UTC';
}

async function findNarrowCharsetTables(db: mysql.Connection, database: string, tables: CrmTables): Promise<Set<string>> {
  const [rows] = await db.query<mysql.RowDataPacket[]>(
    `SELECT DISTINCT TABLE_NAME AS name FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?) AND CHARACTER_SET_NAME IN ('utf8', 'utf8mb3')`,
    [database, Object.values(tables)],
  );
  return new Set(rows.map((r) => String(r.name)));
}
