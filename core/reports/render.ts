import type { ReportTask, StatusReport } from '../../shared/insights';
import { insightsCharts } from '../../shared/insights-charts';

/** The report's sections, in order: one heading each in every format. */
export const REPORT_HEADINGS = ['Summary', 'Done this week', 'Slipped', 'At risk', 'Blockers', 'Workload', 'Forecast', 'Charts'] as const;

const VERDICTS: Record<string, string> = {
  on_track: 'on track',
  at_risk: 'at risk',
  late: 'late',
  no_deadline: 'no deadline set',
  no_throughput: 'no recent throughput to project from',
  done: 'all tasks done',
};

export const reportTitle = (r: StatusReport) => `Status report — ${r.projectName}, ${r.week} (${r.weekStart} to ${r.weekEnd})`;

const forecastLine = (r: StatusReport): string => {
  const f = r.forecast;
  if (!f) return 'No forecast: the project is closed.';
  const range = f.p50 && f.p85 ? `projected completion ${f.p50} (50 %) to ${f.p85} (85 %)` : 'no projected completion';
  return `${f.remainingTasks} open tasks; ${range}; deadline ${r.deadline ?? 'none'} — ${VERDICTS[f.verdict] ?? f.verdict}.`;
};

const figuresLine = (r: StatusReport): string =>
  `Done this week: ${r.figures.doneThisWeek} · Open: ${r.figures.openTasks} tasks, ${r.figures.openHours} h · Overdue: ${r.figures.overdue} · Awaiting feedback: ${r.figures.awaitingFeedback} · Throughput: ${r.figures.avgWeeklyThroughput}/week over the eight weeks before`;

// ---------------------------------------------------------------- Markdown

const mdEscape = (s: string) => s.replace(/([\\`*_[\]|<>#])/g, '\\$1').replace(/\r?\n/g, ' ');
const mdTasks = (tasks: ReportTask[]) =>
  tasks.length === 0 ? 'None.' : ['| Task | Assignee | Due | Status | Note |', '|---|---|---|---|---|', ...tasks.map((t) => `| ${mdEscape(t.title)} | ${mdEscape(t.assignee ?? '—')} | ${t.dueDate ?? '—'} | ${t.status} | ${mdEscape(t.note)} |`)].join('\n');

export function renderMarkdown(r: StatusReport): string {
  const charts = insightsCharts(r.insights, ['burndown', 'throughput']);
  const sections: [string, string][] = [
    ['Summary', `${mdEscape(r.summary.text)}\n\n${figuresLine(r)}`],
    ['Done this week', mdTasks(r.done)],
    ['Slipped', mdTasks(r.slipped)],
    ['At risk', mdTasks(r.atRisk)],
    ['Blockers', mdTasks(r.blockers)],
    ['Workload', r.workload.length === 0 ? 'No open work.' : ['| Person | Open tasks | Open hours | Overdue |', '|---|---|---|---|', ...r.workload.map((w) => `| ${mdEscape(w.name)} | ${w.openTasks} | ${w.openHours} | ${w.overdue} |`)].join('\n')],
    ['Forecast', forecastLine(r)],
    ['Charts', charts.map((c) => [`### ${c.title}`, `| ${c.table.headers.join(' | ')} |`, `|${c.table.headers.map(() => '---').join('|')}|`, ...c.table.rows.map((row) => `| ${row.map((v) => mdEscape(String(v))).join(' | ')} |`)].join('\n')).join('\n\n')],
  ];
  return `# ${mdEscape(reportTitle(r))}\n\n${sections.map(([h, body]) => `## ${h}\n\n${body}`).join('\n\n')}\n`;
}

// ---------------------------------------------------------------- HTML

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const htmlTable = (headers: string[], rows: (string | number | null)[][], caption?: string) =>
  `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((v) => `<td>${esc(String(v ?? '—'))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
const htmlTasks = (tasks: ReportTask[]) =>
  tasks.length === 0 ? '<p>None.</p>' : htmlTable(['Task', 'Assignee', 'Due', 'Status', 'Note'], tasks.map((t) => [t.title, t.assignee, t.dueDate, t.status, t.note]));

const STYLE = `
:root { color-scheme: light dark; --fg: #111827; --bg: #ffffff; --muted: #4b5563; --line: #d1d5db; }
[data-theme="dark"] { --fg: #f3f4f6; --bg: #111827; --muted: #d1d5db; --line: #374151; }
@media (prefers-color-scheme: dark) { :root:not([data-theme="light"]) { --fg: #f3f4f6; --bg: #111827; --muted: #d1d5db; --line: #374151; } }
body { font: 13px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 24px; }
h1 { font-size: 20px; margin: 0 0 8px; } h2 { font-size: 15px; margin: 18px 0 6px; border-bottom: 1px solid var(--line); }
.figures { color: var(--muted); } table { border-collapse: collapse; width: 100%; margin: 4px 0; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; } caption { text-align: left; font-weight: 600; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; } .chart { max-width: 100%; height: auto; color: var(--fg); }
details summary { cursor: pointer; color: var(--muted); }
@media print { body { margin: 0; } .charts { break-inside: avoid; } details > :not(summary) { display: block; } }
`;

/** A self-contained page (no scripts, no external resources), also the PDF's source. */
export function renderHtml(r: StatusReport, options: { theme?: 'light' | 'dark' } = {}): string {
  const charts = insightsCharts(r.insights, ['burndown', 'throughput', 'flow', 'workload']);
  const body = [
    `<header><h1>${esc(reportTitle(r))}</h1></header>`,
    `<section aria-labelledby="s-summary"><h2 id="s-summary">Summary</h2><p class="summary">${esc(r.summary.text)}</p><p class="figures">${esc(figuresLine(r))}</p></section>`,
    `<section aria-labelledby="s-done"><h2 id="s-done">Done this week</h2>${htmlTasks(r.done)}</section>`,
    `<section aria-labelledby="s-slipped"><h2 id="s-slipped">Slipped</h2>${htmlTasks(r.slipped)}</section>`,
    `<section aria-labelledby="s-risk"><h2 id="s-risk">At risk</h2>${htmlTasks(r.atRisk)}</section>`,
    `<section aria-labelledby="s-blockers"><h2 id="s-blockers">Blockers</h2>${htmlTasks(r.blockers)}</section>`,
    `<section aria-labelledby="s-workload"><h2 id="s-workload">Workload</h2>${r.workload.length === 0 ? '<p>No open work.</p>' : htmlTable(['Person', 'Open tasks', 'Open hours', 'Overdue'], r.workload.map((w) => [w.name, w.openTasks, w.openHours, w.overdue]))}</section>`,
    `<section aria-labelledby="s-forecast"><h2 id="s-forecast">Forecast</h2><p>${esc(forecastLine(r))}</p></section>`,
    `<section aria-labelledby="s-charts"><h2 id="s-charts">Charts</h2><div class="charts">${charts
      .map((c) => `<figure>${c.svg}<details><summary>${esc(c.title)} as a table</summary>${htmlTable(c.table.headers, c.table.rows, c.title)}</details></figure>`)
      .join('')}</div></section>`,
  ].join('\n');
  return `<!doctype html>\n<html lang="en"${options.theme ? ` data-theme="${options.theme}"` : ''}><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(reportTitle(r))}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>\n`;
}
