import { healthReportSchema, type HealthCheck, type HealthReport } from '../../shared/health';
import type { SqliteDb } from '../database/open';
import type { CentralConfig } from '../sync/central/connect';
import { centralHealth } from './central-health';
import { aiHealth, crmHealth } from './endpoint-health';
import { localHealth } from './local-health';

export interface DoctorOptions {
  /** The open local database; null when it could not be opened (the reason is in `openError`). */
  db: SqliteDb | null;
  dbFile: string;
  openError?: string;
  central?: CentralConfig;
  crmUrl?: string;
  /** Permit a clear-text password to a non-loopback CRM (the central one carries its own flag). */
  crmAllowPlaintextPassword?: boolean;
  ai?: { baseUrl: string; apiKey?: string };
  now?: Date;
  /** `quick` for interactive callers (the Health screen); the CLI runs the full check. */
  integrity?: 'integrity' | 'quick';
}

/**
 * `coordinator doctor` and the About / Health screen: every check that applies, never throwing
 * (a failure is a check with ok=false), so one broken component does not hide the others.
 */
export async function runDoctor(options: DoctorOptions): Promise<HealthReport> {
  const now = options.now ?? new Date();
  const checks: HealthCheck[] = [];
  let report: Omit<HealthReport, 'ok' | 'checks' | 'checkedAt'> = {
    counts: { local: {}, central: {} },
    growth: { local: {} },
    sync: { pending: 0, rejected: 0, openConflicts: 0, oldestPendingAt: null, lagSeconds: 0, lastSyncedAt: null, lastError: null, behindChanges: null },
    database: null,
  };
  let cursor: { xid: string; version: number } | null = null;

  if (options.db) {
    const local = localHealth(options.db, options.dbFile, now, { integrity: options.integrity });
    checks.push(...local.checks);
    const { cursor: localCursor, ...sync } = local.sync;
    cursor = localCursor;
    report = { ...report, counts: { ...report.counts, local: local.counts }, growth: { local: local.growth }, sync: { ...sync, behindChanges: null }, database: local.database };
  } else {
    checks.push({ name: 'local.open', ok: false, detail: `${options.dbFile}: ${options.openError ?? 'cannot be opened'}` });
  }

  // The remote checks are independent: run them side by side.
  const [central, crm, ai] = await Promise.all([
    options.central ? centralHealth(options.central, cursor) : null,
    options.crmUrl ? crmHealth(options.crmUrl, { allowPlaintextPassword: options.crmAllowPlaintextPassword }) : null,
    options.ai ? aiHealth(options.ai.baseUrl, options.ai.apiKey) : null,
  ]);
  if (central) {
    checks.push(...central.checks);
    report.counts.central = central.counts;
    report.sync.behindChanges = central.behindChanges;
  }
  if (crm) {
    checks.push(...crm.checks);
    report.counts.crm = crm.counts;
  }
  if (ai) checks.push(ai);

  // The schema is the contract of the JSON output and the IPC channel alike.
  return healthReportSchema.parse({ ok: checks.every((c) => c.ok), checkedAt: now.toISOString(), checks, ...report });
}
