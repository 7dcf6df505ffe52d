import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { HealthReport } from '../../../shared/health';
import { AppError } from '../../common/errors';
import { parseTlsMode } from '../../common/transport-security';
import type { SqliteDb } from '../../database/open';
import type { CentralConfig } from '../../sync/central/connect';
import { globalOptions, withCore } from '../context';
import { assertFolderExists, ReportedFailure } from '../errors';
import { createOutput, plural, table, type Output } from '../output';

/**
 * Operations: doctor, backup, verify-backup, retention, maintain, recover. The logic lives in
 * core/ops (shared with the desktop's Health screen); these commands parse flags and print.
 */

interface RemoteOpts {
  pg?: string;
  sslmode?: string;
  crm?: string;
  allowPlaintextPassword?: boolean;
}

function centralFrom(opts: RemoteOpts): CentralConfig | undefined {
  const url = opts.pg ?? process.env.COORDINATOR_PG_URL;
  if (!url) return undefined;
  return { url, ...(opts.sslmode ? { sslMode: parseTlsMode(opts.sslmode) } : {}), ...(opts.allowPlaintextPassword ? { allowPlaintextPassword: true } : {}) };
}

const days = (flag: string) => (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new AppError('VALIDATION', `${flag} must be a whole number of days`);
  return Number(value);
};

const mark = (ok: boolean) => (ok ? '✓' : '✗');

function printHealth(out: Output, report: HealthReport): void {
  for (const c of report.checks) out.line(`${mark(c.ok)} ${c.name}  ${c.detail}`);
  const rows = Object.entries(report.counts.local).map(([t, n]) => [t, String(n), String(report.growth.local[t] ?? '–'), String(report.counts.central[t] ?? '–')]);
  if (rows.length > 0) {
    out.line();
    out.line(table([{ header: 'TABLE' }, { header: 'LOCAL', align: 'right' }, { header: 'NEW (7 D)', align: 'right' }, { header: 'CENTRAL', align: 'right' }], rows));
  }
  const s = report.sync;
  out.line();
  out.line(`Sync: ${s.pending} pending${s.pending ? ` (oldest ${s.lagSeconds} s)` : ''}, ${s.rejected} refused, ${s.openConflicts} conflicts; last synced ${s.lastSyncedAt ?? 'never'}${s.behindChanges !== null ? `; ${s.behindChanges} central changes to pull` : ''}`);
  out.line(report.ok ? 'All checks passed.' : `${plural(report.checks.filter((c) => !c.ok).length, 'check')} failed.`);
}

async function openForDoctor(dbFile: string): Promise<{ db: SqliteDb | null; error?: string }> {
  if (dbFile !== ':memory:' && !existsSync(dbFile)) return { db: null, error: 'there is no database at this path' };
  const { openDatabase } = await import('../../database/open');
  try {
    // Read-only and unmigrated: doctor looks at the file as it is, even while the app runs.
    return { db: openDatabase({ file: dbFile, readonly: true, migrate: false }) };
  } catch (error) {
    return { db: null, error: error instanceof Error ? error.message : String(error) };
  }
}

export function registerOpsCommands(program: Command): void {
  program
    .command('doctor')
    .description('check the local database, the central database, the CRM and the AI endpoint; exit 1 when a check fails')
    .option('--pg <url>', 'central database URL (or COORDINATOR_PG_URL)')
    .option('--sslmode <mode>', 'disable | require | verify-ca | verify-full (overrides the URL)')
    .option('--allow-plaintext-password', 'permit sending the password without TLS to another machine (refused by default)')
    .option('--crm <url>', "the CRM's MySQL, mysql://user@host/db (or COORDINATOR_CRM_URL)")
    .option('--quick', 'quick_check instead of the full integrity_check')
    .action(async (opts: RemoteOpts & { quick?: boolean }, cmd: Command) => {
      const { dbFile, json } = globalOptions(cmd);
      const out = createOutput(json);
      const { runDoctor } = await import('../../ops/doctor');
      const opened = await openForDoctor(dbFile);
      try {
        const aiBase = process.env.OPENAI_BASE_URL;
        const report = await runDoctor({
          db: opened.db,
          dbFile,
          openError: opened.error,
          central: centralFrom(opts),
          crmUrl: opts.crm ?? process.env.COORDINATOR_CRM_URL,
          crmAllowPlaintextPassword: opts.allowPlaintextPassword,
          ai: aiBase ? { baseUrl: aiBase, apiKey: process.env.OPENAI_API_KEY } : undefined,
          integrity: opts.quick ? 'quick' : 'integrity',
        });
        if (json) out.data(report);
        else printHealth(out, report);
        if (!report.ok) throw new ReportedFailure('doctor found problems');
      } finally {
        opened.db?.close();
      }
    });

  program
    .command('backup')
    .description('online backup of the local database to one self-contained file (verified before it gets its name)')
    .requiredOption('--out <file>', 'where to write the backup')
    .option('--overwrite', 'replace an existing file')
    .action((opts: { out: string; overwrite?: boolean }, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        assertFolderExists(opts.out, '--out');
        const { backupDatabase } = await import('../../ops/backup');
        const result = await backupDatabase(core.db, opts.out, { overwrite: opts.overwrite });
        if (out.json) return out.data(result);
        out.line(`Backed up to ${result.file} (${(result.sizeBytes / 1024).toFixed(0)} KiB, ${result.pages} pages) in ${result.durationMs} ms; verified.`);
      }),
    );

  program
    .command('restore')
    .description('replace the database with a verified backup (quit the app first); its next sync runs as a new replica so nothing is lost')
    .requiredOption('--from <file>', 'the backup file')
    .action(async (opts: { from: string }, cmd: Command) => {
      const { dbFile, json } = globalOptions(cmd);
      const out = createOutput(json);
      const { restoreBackup } = await import('../../ops/backup');
      const result = restoreBackup(opts.from, dbFile);
      if (json) return out.data(result);
      out.line(`Restored ${result.file} from ${result.from}. The next sync gives this database a new replica id and pushes its ${plural(result.pending, 'pending change')}.`);
    });

  program
    .command('verify-backup')
    .description('open a backup read-only: integrity check, row counts, migrations; exit 1 when it is not usable')
    .argument('<file>', 'the backup file')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const { json } = globalOptions(cmd);
      const out = createOutput(json);
      const { verifyBackup } = await import('../../ops/backup');
      const result = verifyBackup(file);
      if (json) out.data(result);
      else {
        out.line(`${mark(result.ok)} ${result.file}: ${result.ok ? 'usable' : result.problems.join('; ')}`);
        if (result.migrations) out.line(`  migrations ${result.migrations.applied}/${result.migrations.known}; integrity ${result.integrity.ok ? 'ok' : 'FAILED'}`);
        for (const [t, n] of Object.entries(result.counts)) out.line(`  ${t.padEnd(24)} ${n}`);
      }
      if (!result.ok) throw new ReportedFailure('the backup is not usable');
    });

  program
    .command('retention')
    .description('what the retention policies would remove from the local database (dry run), or --apply to remove it')
    .option('--apply', 'remove it (default: dry run)')
    .option('--notifications-days <n>', 'keep read notifications this many days (90)')
    .option('--conflicts-days <n>', 'keep resolved conflicts this many days (90)')
    .option('--audit-days <n>', 'keep the local audit trail this many days (365)')
    .option('--conversations-days <n>', 'keep agent conversations this many days (180)')
    .action(
      (
        opts: { apply?: boolean; notificationsDays?: string; conflictsDays?: string; auditDays?: string; conversationsDays?: string },
        cmd: Command,
      ) =>
        withCore(cmd, async ({ core, out }) => {
          const { runRetention } = await import('../../ops/retention');
          const settings = Object.fromEntries(
            Object.entries({
              readNotificationsDays: days('--notifications-days')(opts.notificationsDays),
              resolvedConflictsDays: days('--conflicts-days')(opts.conflictsDays),
              auditDays: days('--audit-days')(opts.auditDays),
              conversationDays: days('--conversations-days')(opts.conversationsDays),
            }).filter(([, v]) => v !== undefined),
          );
          const report = runRetention(core.db, settings, { apply: Boolean(opts.apply), clock: core.clock });
          if (out.json) return out.data(report);
          out.line(table([{ header: 'POLICY' }, { header: 'MATCHED', align: 'right' }, { header: 'REMOVED', align: 'right' }, { header: 'WHAT' }], report.policies.map((p) => [p.name, String(p.matched), String(p.removed), p.description])));
          out.line(report.applied ? `Removed ${plural(report.removed, 'row')}.` : `Dry run: ${plural(report.matched, 'row')} would be removed; add --apply to remove them.`);
        }),
    );

  program
    .command('maintain')
    .description('local: refresh statistics, release free pages, checkpoint the WAL; central (--pg): compact the change log, VACUUM ANALYZE')
    .option('--pg <url>', 'central database URL (or COORDINATOR_PG_URL)')
    .option('--sslmode <mode>', 'disable | require | verify-ca | verify-full (overrides the URL)')
    .option('--allow-plaintext-password', 'permit sending the password without TLS to another machine (refused by default)')
    .option('--vacuum', 'rewrite the local file with VACUUM (needs the database to itself)')
    .action((opts: RemoteOpts & { vacuum?: boolean }, cmd: Command) =>
      withCore(cmd, async ({ core, dbFile, out }) => {
        const { maintainCentral, maintainLocal } = await import('../../ops/maintain');
        const local = maintainLocal(core.db, dbFile, { vacuum: opts.vacuum });
        const config = centralFrom(opts);
        const central = config ? await maintainCentral(config) : null;
        const ok = local.steps.every((s) => s.ok) && (central?.steps.every((s) => s.ok) ?? true);
        if (out.json) out.data({ ok, local, central });
        else {
          for (const s of local.steps) out.line(`${mark(s.ok)} local ${s.name}  ${s.detail}`);
          out.line(`  ${(local.before.sizeBytes / 1024).toFixed(0)} KiB → ${(local.after.sizeBytes / 1024).toFixed(0)} KiB, WAL ${(local.after.walBytes / 1024).toFixed(0)} KiB`);
          for (const s of central?.steps ?? []) out.line(`${mark(s.ok)} central ${s.name}  ${s.detail}`);
        }
        if (!ok) throw new ReportedFailure('maintenance step failed');
      }),
    );

  program
    .command('recover')
    .description('check the local database and, when it is damaged, move it aside, salvage unsynced changes and rebuild it')
    .action(async (_opts: unknown, cmd: Command) => {
      const { dbFile, json } = globalOptions(cmd);
      const out = createOutput(json);
      const { checkDatabaseFile, recoverDatabase } = await import('../../ops/recovery');
      if (!existsSync(dbFile)) throw new AppError('NOT_FOUND', `There is no Coordinator database at ${dbFile}`);
      const verdict = checkDatabaseFile(dbFile);
      const report = verdict.ok ? null : recoverDatabase(dbFile, verdict.reason);
      if (json) return out.data({ damaged: !verdict.ok, recovery: report });
      if (!report) return out.line('The database passed its check; nothing to recover.');
      out.line(`The database was damaged (${report.reason}).`);
      out.line(`Moved aside to ${report.movedTo}; salvaged ${plural(report.salvaged.pending, 'unsynced change')} and ${plural(report.salvaged.rejected, 'refused change')}.`);
      for (const p of report.problems) out.line(`  ${p}`);
      out.line(`${plural(report.replayed, 'unsynced change')} shown again already; the next \`coordinator sync\` pushes them and downloads everything else from the central database.`);
    });
}
