import { isTlsMode, TLS_MODES, type TlsMode } from '../../../shared/settings';
import type { Command } from 'commander';
import type { FirstConnectChoice } from '../../../shared/team';
import { AppError } from '../../common/errors';
import { withCore } from '../context';
import { oneLine } from '../errors';
import { createLogger } from '../../common/logger';

const log = createLogger('cli');
import { plural, shortId } from '../output';
import { resolveRef } from '../resolve';

const CONFLICT_ID_HELP = 'conflict id as shown by `conflicts list` (8 characters are enough), or outbox:N for a refused change';

function pgUrl(opts: { pg?: string }): string {
  const url = opts.pg ?? process.env.COORDINATOR_PG_URL;
  if (!url) throw new AppError('VALIDATION', 'Give the central database with --pg URL or COORDINATOR_PG_URL');
  return url;
}

/** `sync` reaches central directly (`--pg postgres://…`) or through the sync service (`--server https://login:password@host/`). */
function centralUrl(opts: { pg?: string; server?: string }): string {
  if (opts.pg && opts.server) throw new AppError('VALIDATION', 'Give either --pg or --server, not both');
  return opts.server ?? pgUrl(opts);
}

const sslOption = (value: string | undefined) => {
  if (value === undefined) return undefined;
  if (!isTlsMode(value)) throw new AppError('VALIDATION', `--sslmode must be one of ${TLS_MODES.join(', ')}`);
  return value;
};

interface SyncOpts {
  pg?: string;
  server?: string;
  readUrl?: string;
  crm?: string;
  crmPrefix?: string;
  crmTimezone?: string;
  once?: boolean;
  watch?: boolean;
  interval?: string;
  sslmode?: string;
  allowPlaintextPassword?: boolean;
  join?: boolean;
  upload?: boolean;
  startFresh?: boolean;
  indexMemory?: boolean;
}

/** The person's choice for a first connection with local work (docs/team-identity.md). */
function firstConnectChoice(opts: SyncOpts): FirstConnectChoice | undefined {
  if (opts.upload && opts.startFresh) throw new AppError('VALIDATION', 'Give either --upload or --start-fresh, not both');
  return opts.upload ? 'upload' : opts.startFresh ? 'start-fresh' : undefined;
}

async function reconcileWithCrm(
  central: { url: string; sslMode?: TlsMode; allowPlaintextPassword?: boolean },
  crm: { url: string; prefix?: string; timeZone?: string; allowPlaintextPassword?: boolean },
) {
  const { reconcileCrm } = await import('../../crm/reconcile');
  const r = await reconcileCrm({ central, crm });
  return { ran: r.ran, ...(r.reason ? { reason: r.reason } : {}), imported: r.imported, exported: r.exported, conflicts: r.conflicts, skipped: r.skipped, warnings: r.warnings, durationMs: r.durationMs };
}

export function registerSyncCommands(program: Command): void {
  program
    .command('migrate')
    .description('create or upgrade the central PostgreSQL schema (idempotent)')
    .option('--pg <url>', 'central database URL (or COORDINATOR_PG_URL)')
    .option('--sslmode <mode>', 'disable | require | verify-ca | verify-full (overrides the URL)')
    .option('--allow-plaintext-password', 'permit sending the password without TLS to another machine (refused by default)')
    .action(async (opts: SyncOpts, cmd: Command) => {
      const { connectCentral } = await import('../../sync/central/connect');
      const { migratePg } = await import('../../sync/central/migrate-pg');
      const json = Boolean(cmd.optsWithGlobals<{ json?: boolean }>().json);
      const client = await connectCentral({ url: pgUrl(opts), sslMode: sslOption(opts.sslmode), allowPlaintextPassword: opts.allowPlaintextPassword });
      try {
        const report = await migratePg(client);
        if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else process.stdout.write(report.applied.length ? `Applied ${report.applied.join(', ')}\n` : 'The central schema is up to date.\n');
      } finally {
        await client.end();
      }
    });

  program
    .command('sync')
    .description('sync the local database with the central PostgreSQL (push the outbox, pull changes)')
    .option('--pg <url>', 'central database URL (or COORDINATOR_PG_URL); an https:// URL is a sync service')
    .option('--server <url>', 'the sync service instead: https://login:password@host/ (docs/sync-service.md)')
    .option('--read-url <url>', 'direct mode: a streaming standby of the central database that serves pulls (login and password from --pg when it names none)')
    .option('--sslmode <mode>', 'disable | require | verify-ca | verify-full (overrides the URL)')
    .option('--allow-plaintext-password', 'permit sending the password without TLS to another machine (refused by default)')
    .option('--crm <url>', 'also reconcile the central database with Perfex CRM: mysql://user:password@host/db (or COORDINATOR_CRM_URL)')
    .option('--crm-prefix <prefix>', "the CRM's table prefix", 'tbl')
    .option('--crm-timezone <zone>', "the CRM's timezone (default: its default_timezone option)")
    .option('--once', 'sync once and exit (the default)')
    .option('--watch', 'keep syncing every --interval seconds until interrupted')
    .option('--interval <seconds>', 'seconds between syncs with --watch', '30')
    .option('--join', 'this is another central database than the one this replica synced with: rebuild local data from it and push pending work to it')
    .option('--upload', "first connection only: add this laptop's local work (made before joining the team) to the team's data")
    .option('--start-fresh', "first connection only: start from the team's data; local work is kept in a file beside the database, not uploaded, not deleted")
    .option('--index-memory', "after each sync, embed the memory the central database has no vector for yet (this replica's model) and share the vectors: a server running this keeps new laptops from starting cold")
    .action((opts: SyncOpts, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        if (opts.once && opts.watch) throw new AppError('VALIDATION', 'Give either --once or --watch, not both');
        const interval = Number(opts.interval);
        if (!Number.isFinite(interval) || interval < 1) throw new AppError('VALIDATION', '--interval must be a number of seconds ≥ 1');
        const central = { url: centralUrl(opts), sslMode: sslOption(opts.sslmode), allowPlaintextPassword: opts.allowPlaintextPassword, ...(opts.readUrl ? { readUrl: opts.readUrl } : {}) };
        const crmUrl = opts.crm ?? process.env.COORDINATOR_CRM_URL;
        const engine = core.sync.connect({ central, join: Boolean(opts.join), firstConnect: firstConnectChoice(opts) });
        /** Duplicates the services refuse can still arrive from the server: reported, never fatal. */
        const duplicates = (): string[] => [
          ...core.employees.duplicateEmails().map((d) => `employees ${d.names.join(', ')} share the email ${d.email}`),
          ...core.projects.duplicateActiveNames().map((d) => `${d.count} active projects are named "${d.name}"`),
        ];
        // The headless indexer: embed what the central exchange lacks for this replica's model and
        // share it (the provider key comes from the environment, as for `memory reindex`).
        if (opts.indexMemory) core.memory.useApiKey(() => process.env.OPENAI_API_KEY || undefined);
        const indexMemory = async () => {
          const m = await core.memory.drain();
          // Memory rows derived here were written locally: push them with their vectors shared.
          if (m.sourcesWritten > 0) await engine.syncOnce();
          return { model: core.memory.model(), adopted: m.shared.adopted, embedded: m.embedded, error: m.error };
        };
        let lastReported = '';
        /** One sync; with `quiet` (every run of --watch after the first) nothing is printed unless something happened. */
        const once = async (quiet: boolean) => {
          let r;
          try {
            r = await engine.syncOnce();
          } catch (error) {
            if (error instanceof AppError && engine.status().needsJoin) throw new AppError(error.code, `${error.message} To join it, sync with --join.`);
            if (error instanceof AppError && engine.status().needsChoice) throw new AppError(error.code, `${error.message} Sync again with --upload or with --start-fresh.`);
            if (error instanceof AppError) throw error;
            throw new AppError('UNAVAILABLE', engine.status().lastError ?? (error instanceof Error ? error.message : String(error)));
          }
          const summary = {
            pushed: r.pushed, pulled: r.pulled, conflicts: r.conflicts, rejected: r.rejected, skipped: r.skipped, durationMs: r.durationMs,
            signedIn: r.signedIn, ...(r.identity ? { identity: r.identity } : {}), ...(r.setAside ? { setAside: r.setAside } : {}),
          };
          const crm = crmUrl ? await reconcileWithCrm(central, { url: crmUrl, prefix: opts.crmPrefix, timeZone: opts.crmTimezone, allowPlaintextPassword: opts.allowPlaintextPassword }) : undefined;
          // What the CRM brought in reaches this replica in the same run.
          if (crm && crm.imported > 0) summary.pulled += (await engine.syncOnce()).pulled;
          const memory = opts.indexMemory ? await indexMemory() : undefined;
          const warnings = duplicates();
          const report = { ...summary, ...(crm ? { crm } : {}), ...(memory ? { memory } : {}), ...(warnings.length > 0 ? { duplicates: warnings } : {}) };
          const eventful =
            summary.pushed + summary.pulled + summary.conflicts + summary.rejected + summary.skipped.length > 0 ||
            Boolean(r.identity) || Boolean(r.setAside) || r.reattributed > 0 ||
            (memory !== undefined && (memory.adopted + memory.embedded > 0 || memory.error !== undefined)) ||
            (crm !== undefined && (!crm.ran || crm.imported + crm.exported + crm.conflicts + crm.skipped.length + crm.warnings.length > 0));
          const reported = JSON.stringify(warnings);
          log.debug('sync run', { quiet, eventful, pushed: summary.pushed, pulled: summary.pulled });
          if (quiet && !eventful && reported === lastReported) return;
          lastReported = reported;
          if (out.json) return out.data(report);
          if (r.identity) out.line(r.identity.message);
          if (r.setAside) out.line(`Your local work was kept in ${r.setAside}; this laptop now starts from the team's data.`);
          if (r.reattributed > 0 && r.signedIn) out.line(`Signed in as ${r.signedIn.fullName} (${r.signedIn.login}): the work made on this laptop before is now theirs.`);
          out.line(`Pushed ${plural(summary.pushed, 'change')}, pulled ${plural(summary.pulled, 'change')}, ${plural(r.conflicts, 'conflict')} in ${r.durationMs} ms${r.bootstrapped ? ' (initial download)' : ''}.`);
          for (const s of r.skipped) out.line(`skipped ${s.table} ${s.id}: ${s.reason}`);
          if (r.rejected > 0) out.line(`${plural(r.rejected, 'change')} refused by the server; see \`coordinator conflicts list\`.`);
          if (memory) out.line(`Memory (${memory.model}): took ${plural(memory.adopted, 'shared vector')}, embedded ${memory.embedded}${memory.error ? ` (stopped: ${memory.error})` : ''}.`);
          if (crm && !crm.ran) out.line(`CRM: ${crm.reason ?? 'skipped'}`);
          else if (crm) {
            out.line(`CRM: imported ${plural(crm.imported, 'change')}, exported ${plural(crm.exported, 'change')}, ${plural(crm.conflicts, 'conflict')} in ${crm.durationMs} ms.`);
            for (const s of crm.skipped) out.line(`CRM skipped ${s.entity}${s.crmId ? ` #${s.crmId}` : ''}: ${s.reason}`);
            for (const w of crm.warnings) out.line(`CRM warning: ${w}`);
          }
          for (const w of warnings) out.line(`warning: ${w}; rename or merge them (\`coordinator doctor\` lists them too)`);
        };
        try {
          if (!opts.watch) return await once(false);
          let stop = false;
          const onSignal = () => {
            stop = true;
          };
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          let lastError: string | null = null;
          for (let run = 0; !stop; run += 1) {
            try {
              await once(run > 0);
              lastError = null;
            } catch (error) {
              // The same failure every interval is said once, until it changes or clears.
              const message = oneLine(error instanceof Error ? error.message : String(error));
              if (message !== lastError) process.stderr.write(`error: ${message}\n`);
              lastError = message;
            }
            for (let waited = 0; waited < interval * 10 && !stop; waited += 1) await new Promise((r) => setTimeout(r, 100));
          }
        } finally {
          await engine.close();
        }
      }),
    );

  program
    .command('status')
    .description('sync status of the local database')
    .action((_opts: unknown, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const pending = core.sync.outbox.pendingCount();
        const lastError = core.sync.state.lastError();
        const status = {
          state: lastError ? (/cannot be reached/.test(lastError) ? 'offline' : 'error') : 'idle',
          pending,
          rejected: core.sync.outbox.rejected().length,
          conflicts: core.sync.conflicts.openCount(),
          lastSyncedAt: core.sync.state.lastSyncedAt(),
          lastError,
          cursor: core.sync.state.cursor(),
          clientId: core.sync.state.clientId(),
          central: core.sync.state.central(),
        };
        if (out.json) return out.data(status);
        out.line(`State: ${status.state}${lastError ? ` — ${lastError}` : ''}`);
        out.line(`Pending changes: ${pending}; refused: ${status.rejected}; open conflicts: ${status.conflicts}`);
        out.line(`Last synced: ${status.lastSyncedAt ?? 'never'}`);
      }),
    );

  const conflicts = program.command('conflicts').description('values that lost a sync conflict, and changes the server refused');
  conflicts
    .command('list')
    .description('list open conflicts')
    .option('--all', 'include resolved ones')
    .action((opts: { all?: boolean }, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const list = core.sync.conflicts.list({ includeResolved: Boolean(opts.all) });
        if (out.json) return out.data(list);
        if (list.length === 0) return out.line('No conflicts.');
        for (const c of list) {
          out.line(`${c.id.startsWith('outbox:') ? c.id : shortId(c.id)}  ${c.kind.padEnd(11)} ${c.table}.${c.field ?? '*'}  ${c.label ?? c.rowId}  lost: ${JSON.stringify(c.losingValue).slice(0, 60)}${c.reason ? `  (${c.reason})` : ''}`);
        }
      }),
    );
  conflicts
    .command('restore')
    .description('put a losing value back (it syncs as a new edit)')
    .argument('<id>', CONFLICT_ID_HELP)
    .action((id: string, _opts: unknown, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const restored = core.sync.conflicts.restore(resolveRef(core, 'conflict', id));
        if (out.json) return out.data(restored);
        out.line(`Restored ${restored.table}.${restored.field ?? '*'} on ${restored.label ?? restored.rowId}.`);
      }),
    );
  conflicts
    .command('dismiss')
    .description('keep the winning value and close the conflict (or drop a change the server refused)')
    .argument('<id>', CONFLICT_ID_HELP)
    .action((id: string, _opts: unknown, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const resolved = resolveRef(core, 'conflict', id);
        core.sync.conflicts.dismiss(resolved);
        if (out.json) return out.data({ id: resolved, dismissed: true });
        out.line(`Dismissed conflict ${resolved.startsWith('outbox:') ? resolved : shortId(resolved)}.`);
      }),
    );
}
