import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../common/errors';
import { isoDate } from '../../common/time';
import { withCore } from '../context';
import { resolveProject } from '../resolve';
import { table } from '../output';

interface ReportOptions {
  project: string;
  week?: string;
  format: string;
  out: string;
  summary?: string;
  draft?: boolean;
  force?: boolean;
}

const FORMATS = ['pdf', 'html', 'md'] as const;
type Format = (typeof FORMATS)[number];
const isFormat = (f: string): f is Format => (FORMATS as readonly string[]).includes(f);

/** Writes next to the target, then renames: a failed export never leaves half a file or clobbers one. */
function writeAtomically(file: string, data: string | Uint8Array, force: boolean): void {
  if (existsSync(file) && !force) throw new AppError('CONFLICT', `${file} already exists; choose another --out or add --force to replace it`);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof AppError) throw error;
    throw new AppError('UNAVAILABLE', `Cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function registerInsightsCommands(program: Command): void {
  program
    .command('insights')
    .description('the series behind every insights chart: burndown, cumulative flow, throughput, cycle time, overdue, workload, forecast')
    .option('--project <project>', 'one project (id or name); all projects when absent')
    .option('--from <date>', 'first day YYYY-MM-DD (default: eight weeks before --to)')
    .option('--to <date>', 'last day YYYY-MM-DD (default: today)')
    .action((opts: { project?: string; from?: string; to?: string }, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const insights = core.insights.compute({ projectId: opts.project === undefined ? undefined : resolveProject(core, opts.project), from: opts.from, to: opts.to });
        if (out.json) return out.data(insights);
        const last = insights.burndown.at(-1);
        out.line(`${insights.scope.projectName ?? 'All projects'}, ${insights.scope.from} to ${insights.scope.to}`);
        out.line(`Open on ${insights.scope.to}: ${last?.openTasks ?? 0} tasks, ${last?.openHours ?? 0} h; overdue ${insights.overdue.at(-1)?.overdue ?? 0}`);
        out.line(`Throughput: ${insights.throughput.map((w) => `${w.week} ${w.done}`).join(', ')}`);
        out.line(`Cycle time: ${insights.cycleTime.count} tasks, median ${insights.cycleTime.p50Days ?? '—'} d, 85th percentile ${insights.cycleTime.p85Days ?? '—'} d`);
        if (insights.forecasts.length > 0) {
          out.line('');
          out.line(table([{ header: 'PROJECT' }, { header: 'OPEN', align: 'right' }, { header: 'P50' }, { header: 'P85' }, { header: 'DEADLINE' }, { header: 'VERDICT' }], insights.forecasts.map((f) => [f.projectName, String(f.remainingTasks), f.p50 ?? '—', f.p85 ?? '—', f.deadline ?? '—', f.verdict])));
        }
      }),
    );

  program
    .command('report')
    .description("write a project's weekly status report (summary, done, slipped, at risk, blockers, workload, forecast, charts)")
    .requiredOption('--project <project>', 'the project (id or name)')
    .option('--week <week>', 'ISO week, e.g. 2026-W49 (default: this week)')
    .option('--format <format>', 'pdf | html | md', 'md')
    .requiredOption('--out <file>', 'where to write the report')
    .option('--summary <text>', 'your own summary paragraph (replaces the template)')
    .option('--draft', 'let the assistant draft the summary from the figures (OPENAI_BASE_URL, OPENAI_API_KEY, COORDINATOR_AI_MODEL)')
    .option('--force', 'replace --out if it exists')
    .action((opts: ReportOptions, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        if (!isFormat(opts.format)) throw new AppError('VALIDATION', `Invalid input: --format must be pdf, html or md, not "${opts.format}"`, [{ path: 'format', message: 'must be pdf, html or md' }]);
        const { isoWeekOf } = await import('../../insights/weeks');
        const projectId = resolveProject(core, opts.project);
        const week = opts.week ?? isoWeekOf(isoDate(core.clock.now()));
        const file = path.resolve(opts.out);
        if (existsSync(file) && !opts.force) throw new AppError('CONFLICT', `${file} already exists; choose another --out or add --force to replace it`);
        const report = core.reports.build({ projectId, week }, opts.summary === undefined ? undefined : { text: opts.summary });
        if (opts.draft && opts.summary === undefined) {
          const { aiConfigFromEnv } = await import('../../ai/config');
          const draft = await core.reports.draft(report, aiConfigFromEnv());
          report.summary = draft;
          if (draft.note) process.stderr.write(`note: ${draft.note}\n`);
        }
        const { chromiumPrinter } = await import('../../reports/pdf');
        const data = await core.reports.render(report, opts.format, opts.format === 'pdf' ? chromiumPrinter() : undefined);
        writeAtomically(file, data, Boolean(opts.force));
        const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
        if (out.json) return out.data({ file, format: opts.format, bytes, week: report.week, figures: report.figures, summary: report.summary });
        out.line(`Wrote ${report.week} report for ${report.projectName} to ${file} (${bytes} bytes).`);
      }),
    );
}
