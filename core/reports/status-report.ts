import type { ReportTask, StatusReport } from '../../shared/insights';
import { addDaysToDate, isoDate } from '../common/time';
import type { createEmployeesService } from '../employees/employees-service';
import type { createProjectsService } from '../projects/projects-service';
import { stateAt, type TaskHistory } from '../insights/history';
import type { InsightsService } from '../insights/insights-service';
import { FORECAST_WEEKS } from '../insights/insights';
import { weekBounds } from '../insights/weeks';
import { templateSummary } from './summary';

export interface ReportDeps {
  insights: InsightsService;
  projects: ReturnType<typeof createProjectsService>;
  employees: ReturnType<typeof createEmployeesService>;
  now: () => Date;
}

/** How far past the week's end an open, unstarted task's due date puts it at risk. */
export const AT_RISK_DAYS = 7;

const endOfDay = (date: string) => `${date}T23:59:59.999Z`;
const round1 = (n: number) => Math.round(n * 10) / 10;
const daysLate = (due: string, on: string) => Math.round((Date.parse(`${on}T00:00:00Z`) - Date.parse(`${due}T00:00:00Z`)) / 86_400_000);

/**
 * The week's status report for one project: every figure computed from the audit-trail history
 * as it stood at the end of the week (or now, for the current week). The summary starts as the
 * template's; the assistant may propose another, which the coordinator accepts or edits.
 */
export function buildStatusReport(deps: ReportDeps, projectId: string, week: string): StatusReport {
  const { start, end } = weekBounds(week);
  const project = deps.projects.get(projectId);
  const nowIso = deps.now().toISOString();
  const asOfIso = nowIso < endOfDay(end) ? nowIso : endOfDay(end);
  const asOf = new Date(asOfIso);
  const asOfDay = isoDate(asOf);
  const insights = deps.insights.compute({ projectId, from: addDaysToDate(start, -7 * (FORECAST_WEEKS - 1)), to: end, asOf });
  const names = new Map(deps.employees.list().map((e) => [e.id, e.name]));
  const histories = deps.insights.histories(projectId);

  const item = (h: TaskHistory, note: string): ReportTask => {
    const s = stateAt(h, asOfIso)!;
    return { id: h.id, title: h.title, assignee: s.assignee ? (names.get(s.assignee) ?? null) : null, dueDate: s.due, status: s.status, estimatedHours: s.estimate, note };
  };
  const done: ReportTask[] = [];
  const slipped: ReportTask[] = [];
  const atRisk: ReportTask[] = [];
  const blockers: ReportTask[] = [];
  let openTasks = 0;
  let openHours = 0;
  let overdue = 0;
  let awaiting = 0;
  for (const h of histories) {
    const s = stateAt(h, asOfIso);
    if (!s) continue;
    if (s.status === 'done') {
      const finished = [...h.transitions].reverse().find((t) => t.to === 'done');
      if (finished && finished.at.slice(0, 10) >= start && finished.at.slice(0, 10) <= end) done.push(item(h, `done ${finished.at.slice(0, 10)}`));
      continue;
    }
    openTasks += 1;
    openHours += s.estimate ?? 0;
    if (s.due && s.due < asOfDay) overdue += 1;
    if (s.status === 'awaiting_feedback') {
      awaiting += 1;
      blockers.push(item(h, 'awaiting feedback'));
    }
    if (s.due && s.due >= start && s.due <= end && s.due < asOfDay) slipped.push(item(h, `${daysLate(s.due, asOfDay)} days past due`));
    else if (s.due && s.due < start) blockers.push(item(h, `overdue since ${s.due}`));
    else if (s.due && s.due >= asOfDay && s.due <= addDaysToDate(end, AT_RISK_DAYS) && s.status === 'todo') atRisk.push(item(h, `due ${s.due}, not started`));
  }
  const byDate = (a: ReportTask, b: ReportTask) => (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') || a.title.localeCompare(b.title);
  const samples = insights.forecasts[0]?.samples ?? [];
  const report: StatusReport = {
    projectId: project.id,
    projectName: project.name,
    week,
    weekStart: start,
    weekEnd: end,
    deadline: project.deadline,
    figures: {
      doneThisWeek: done.length,
      openTasks,
      openHours: round1(openHours),
      overdue,
      awaitingFeedback: awaiting,
      avgWeeklyThroughput: samples.length === 0 ? 0 : round1(samples.reduce((a, b) => a + b, 0) / samples.length),
    },
    done: done.sort((a, b) => a.note.localeCompare(b.note) || a.title.localeCompare(b.title)),
    slipped: slipped.sort(byDate),
    atRisk: atRisk.sort(byDate),
    blockers: blockers.sort(byDate),
    workload: insights.workload,
    forecast: insights.forecasts[0] ?? null,
    insights,
    summary: { text: '', source: 'template', note: null },
  };
  report.summary = { text: templateSummary(report), source: 'template', note: null };
  return report;
}
