import { useMemo, useState } from 'react';
import { insightsCharts, type InsightsChart } from '../../../shared/insights-charts';
import type { Forecast, StatusReport, ReportTask } from '../../../shared/insights';
import { ErrorBanner } from '../components/ErrorBanner';
import { Loading } from '../components/EmptyState';
import { ViewHeader } from '../components/ViewHeader';
import { call, type ApiError } from '../api';
import { useQuery } from '../lib/useQuery';

const todayUtc = () => new Date().toISOString().slice(0, 10);
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** ISO week of a UTC calendar date (the same rule as core/insights/weeks). */
function isoWeekOf(date: string): string {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  const thursday = addDays(date, 4 - day);
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor((Date.parse(`${thursday}T00:00:00Z`) - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

const VERDICT: Record<Forecast['verdict'], string> = {
  on_track: 'On track',
  at_risk: 'At risk',
  late: 'Late',
  no_deadline: 'No deadline',
  no_throughput: 'No recent throughput',
  done: 'Done',
};

function ChartFigure({ chart }: { chart: InsightsChart }) {
  return (
    <figure className="insights-chart" data-testid={`chart-${chart.id}`}>
      {/* The SVG is drawn from numbers only, every text escaped (shared/insights-charts). */}
      <div className="insights-svg" tabIndex={0} role="img" aria-label={`${chart.title}; the numbers are in the table below`} dangerouslySetInnerHTML={{ __html: chart.svg }} />
      <details>
        <summary>{chart.title}: show the numbers</summary>
        <div className="insights-table-wrap" tabIndex={0} role="region" aria-label={`${chart.title} numbers`}>
          <table className="insights-table">
            <caption className="sr-only">{chart.title}</caption>
            <thead>
              <tr>
                {chart.table.headers.map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {chart.table.rows.map((row, i) => (
                <tr key={i}>
                  {row.map((v, j) => (
                    <td key={j}>{v}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

function TaskList({ tasks, label }: { tasks: ReportTask[]; label: string }) {
  if (tasks.length === 0) return <p className="muted">None.</p>;
  return (
    <ul aria-label={label} className="report-tasks">
      {tasks.map((t) => (
        <li key={t.id}>
          <strong>{t.title}</strong> <span className="muted">— {t.assignee ?? 'unassigned'}, {t.note}</span>
        </li>
      ))}
    </ul>
  );
}

function download(fileName: string, mime: string, base64: string) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function ReportPreview({ projectId }: { projectId: string }) {
  const [week, setWeek] = useState(() => isoWeekOf(todayUtc()));
  const [summary, setSummary] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const valid = /^\d{4}-W\d{2}$/.test(week);
  const report = useQuery('reports.build', { projectId, week }, { enabled: valid, tables: ['tasks', 'projects', 'employees'] });
  const r: StatusReport | undefined = report.data;
  const text = summary ?? r?.summary.text ?? '';

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    try {
      await work();
    } catch (error) {
      setFailure(error as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const draft = () =>
    run(async () => {
      const d = await call('reports.draft', { projectId, week });
      setSummary(d.text);
      setNote(d.note ?? (d.source === 'assistant' ? 'Drafted by the assistant from the figures: edit it, then export.' : null));
    });
  const exportAs = (format: 'pdf' | 'html' | 'md') =>
    run(async () => {
      const file = await call('reports.export', { projectId, week, format, summary: text });
      download(file.fileName, file.mime, file.base64);
    });

  return (
    <section className="card report-preview" aria-labelledby="report-title" data-testid="report-preview">
      <div className="report-toolbar">
        <h2 id="report-title">Status report</h2>
        <label>
          Week{' '}
          <input className="input" value={week} onChange={(e) => setWeek(e.target.value)} aria-invalid={!valid} data-testid="report-week" size={9} />
        </label>
        <button type="button" className="btn" onClick={() => void draft()} disabled={busy || !r} data-testid="report-draft">
          Draft summary with the assistant
        </button>
        {(['pdf', 'html', 'md'] as const).map((f) => (
          <button key={f} type="button" className="btn" onClick={() => void exportAs(f)} disabled={busy || !r} data-testid={`report-export-${f}`}>
            Export {f.toUpperCase()}
          </button>
        ))}
      </div>
      {failure ? <ErrorBanner error={failure} /> : null}
      {report.error ? <ErrorBanner error={report.error} onRetry={report.reload} /> : null}
      {!r ? (
        valid ? <Loading label="Building the report…" /> : <p className="muted">Enter a week like 2026-W49.</p>
      ) : (
        <article data-testid="report-body">
          <h3>
            {r.projectName}, {r.week} ({r.weekStart} to {r.weekEnd})
          </h3>
          <h4>Summary</h4>
          <label className="sr-only" htmlFor="report-summary">
            Summary paragraph
          </label>
          <textarea id="report-summary" className="input report-summary" rows={4} value={text} onChange={(e) => setSummary(e.target.value)} data-testid="report-summary" />
          {note ? (
            <p className="muted" role="status" data-testid="report-summary-note">
              {note}
            </p>
          ) : null}
          <p className="muted" data-testid="report-figures">
            Done this week: {r.figures.doneThisWeek} · Open: {r.figures.openTasks} tasks, {r.figures.openHours} h · Overdue: {r.figures.overdue} · Awaiting feedback:{' '}
            {r.figures.awaitingFeedback} · Throughput: {r.figures.avgWeeklyThroughput}/week over the eight weeks before
          </p>
          <h4>Done this week</h4>
          <TaskList tasks={r.done} label="Done this week" />
          <h4>Slipped</h4>
          <TaskList tasks={r.slipped} label="Slipped" />
          <h4>At risk</h4>
          <TaskList tasks={r.atRisk} label="At risk" />
          <h4>Blockers</h4>
          <TaskList tasks={r.blockers} label="Blockers" />
          <h4>Forecast</h4>
          <p>
            {r.forecast?.p50 ? `Projected completion ${r.forecast.p50} to ${r.forecast.p85}` : 'No projection'}; deadline {r.deadline ?? 'none'} —{' '}
            {r.forecast ? VERDICT[r.forecast.verdict] : 'closed'}.
          </p>
        </article>
      )}
    </section>
  );
}

/**
 * Insights: burndown, cumulative flow, throughput, cycle time, overdue trend, workload and the
 * forecast, for one project or all, over any dates; every chart has its numbers as a table.
 * Below, a project's weekly status report: preview, edit the summary, export.
 */
export function InsightsScreen() {
  const projects = useQuery('projects.list', undefined, { tables: ['projects'] });
  const [projectId, setProjectId] = useState<string>('');
  const [to, setTo] = useState(todayUtc);
  const [from, setFrom] = useState(() => addDays(todayUtc(), -55));
  const rangeOk = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  const insights = useQuery('insights.get', { projectId: projectId || undefined, from, to }, { enabled: rangeOk, tables: ['tasks', 'projects', 'employees'] });
  const charts = useMemo(() => (insights.data ? insightsCharts(insights.data) : []), [insights.data]);

  return (
    <section className="view" aria-labelledby="view-title">
      <ViewHeader title="Insights" subtitle={insights.data?.scope.projectName ?? 'All projects'}>
        <label>
          Project{' '}
          <select className="input" value={projectId} onChange={(e) => setProjectId(e.target.value)} data-testid="insights-project">
            <option value="">All projects</option>
            {(projects.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From <input className="input" type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="insights-from" />
        </label>
        <label>
          To <input className="input" type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="insights-to" />
        </label>
      </ViewHeader>
      <div className="view-body insights" tabIndex={0} role="region" aria-label="Insights">
        {insights.error ? <ErrorBanner error={insights.error} onRetry={insights.reload} /> : null}
        {!rangeOk ? <p className="banner banner-error">The start date must not be after the end date.</p> : null}
        {!insights.data ? (
          <Loading label="Computing…" />
        ) : (
          <>
            <div className="insights-grid" data-testid="insights-charts">
              {charts.map((c) => (
                <ChartFigure key={c.id} chart={c} />
              ))}
            </div>
            <section className="card" aria-labelledby="forecast-title">
              <h2 id="forecast-title">Forecast</h2>
              <table className="insights-table" data-testid="insights-forecast">
                <thead>
                  <tr>
                    <th scope="col">Project</th>
                    <th scope="col">Open tasks</th>
                    <th scope="col">Likely (50 %)</th>
                    <th scope="col">Safe (85 %)</th>
                    <th scope="col">Deadline</th>
                    <th scope="col">Verdict</th>
                  </tr>
                </thead>
                <tbody>
                  {insights.data.forecasts.map((f) => (
                    <tr key={f.projectId}>
                      <td>{f.projectName}</td>
                      <td>{f.remainingTasks}</td>
                      <td>{f.p50 ?? '—'}</td>
                      <td>{f.p85 ?? '—'}</td>
                      <td>{f.deadline ?? '—'}</td>
                      <td>{VERDICT[f.verdict]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            {projectId ? <ReportPreview projectId={projectId} /> : <p className="muted">Choose a project to preview its weekly status report.</p>}
          </>
        )}
      </div>
    </section>
  );
}
