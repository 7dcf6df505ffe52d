import { TASK_STATUSES, type TaskStatus } from '../../shared/enums';
import type { Forecast, Insights, WorkloadRow } from '../../shared/insights';
import { addDaysToDate, isoDate } from '../common/time';
import { forecastCompletion } from './forecast';
import { stateAt, type TaskHistory } from './history';
import { dayIndex, daysBetween, isoWeekOf, mondayOf } from './weeks';

export interface InsightsScope {
  projectId: string | null;
  projectName: string | null;
  deadline: string | null;
  from: string;
  to: string;
  /** The present: forecasts start here and workload is read here (capped at `to`). */
  now: Date;
}

export interface ProjectFacts {
  id: string;
  name: string;
  deadline: string | null;
  status: string;
}

/** Charts evaluate each day at its last instant (UTC), so a change made that day counts. */
const endOfDay = (date: string): string => `${date}T23:59:59.999Z`;
const dayOf = (iso: string): string => iso.slice(0, 10);
const round2 = (n: number): number => Math.round(n * 100) / 100;

export const CYCLE_BUCKETS: { label: string; minDays: number; maxDays: number | null }[] = [
  { label: '< 1 day', minDays: 0, maxDays: 1 },
  { label: '1–2 days', minDays: 1, maxDays: 2 },
  { label: '2–4 days', minDays: 2, maxDays: 4 },
  { label: '4–7 days', minDays: 4, maxDays: 7 },
  { label: '1–2 weeks', minDays: 7, maxDays: 14 },
  { label: '2–4 weeks', minDays: 14, maxDays: 28 },
  { label: '4+ weeks', minDays: 28, maxDays: null },
];

/**
 * Every chart's series from task histories. Each task's history is a list of constant stretches;
 * each stretch adds to a day range of a difference array, so the cost is (stretches + days), not
 * (tasks × days).
 */
export function computeInsights(histories: TaskHistory[], scope: InsightsScope, projects: ProjectFacts[], names: Map<string, string>): Insights {
  const days = daysBetween(scope.from, scope.to);
  const n = days.length;
  const flow = Object.fromEntries(TASK_STATUSES.map((s) => [s, new Float64Array(n + 1)])) as Record<TaskStatus, Float64Array>;
  const openTasks = new Float64Array(n + 1);
  const openHours = new Float64Array(n + 1);
  const overdue = new Float64Array(n + 1);
  const add = (arr: Float64Array, first: number, last: number, value: number) => {
    const a = Math.max(first, 0);
    const b = Math.min(last, n - 1);
    if (a > b) return;
    arr[a]! += value;
    arr[b + 1]! -= value;
  };

  for (const h of histories) {
    for (const s of h.segments) {
      const first = dayIndex(scope.from, dayOf(s.from));
      const last = s.to === null ? n - 1 : dayIndex(scope.from, dayOf(s.to)) - 1;
      if (last < 0 || first > n - 1 || first > last) continue;
      add(flow[s.status], first, last, 1);
      if (s.status === 'done') continue;
      add(openTasks, first, last, 1);
      if (s.estimate) add(openHours, first, last, s.estimate);
      // Overdue on a day after its due date (its due date itself is still on time).
      if (s.due) add(overdue, Math.max(first, dayIndex(scope.from, s.due) + 1), last, 1);
    }
  }
  const prefix = (arr: Float64Array): number[] => {
    const out: number[] = [];
    let sum = 0;
    for (let i = 0; i < n; i += 1) out.push((sum += arr[i]!));
    return out;
  };
  const openT = prefix(openTasks);
  const openH = prefix(openHours).map(round2);
  const flows = Object.fromEntries(TASK_STATUSES.map((s) => [s, prefix(flow[s])])) as Record<TaskStatus, number[]>;
  const overdueSeries = prefix(overdue);

  // The ideal line runs from the first day's open work to zero on the deadline (or the range's end).
  const target = scope.deadline && scope.deadline > scope.from ? scope.deadline : scope.to;
  const span = dayIndex(scope.from, target);
  const ideal = (start: number, i: number): number | null => (span <= 0 || i > span ? null : round2(start * (1 - i / span)));

  const doneInRange = histories.flatMap((h) => h.transitions.filter((t) => t.to === 'done' && dayOf(t.at) >= scope.from && dayOf(t.at) <= scope.to).map((t) => ({ h, t })));
  const weeks = new Map<string, number>();
  for (let d = mondayOf(scope.from); d <= scope.to; d = addDaysToDate(d, 7)) weeks.set(d, 0);
  for (const { t } of doneInRange) {
    const monday = mondayOf(dayOf(t.at));
    weeks.set(monday, (weeks.get(monday) ?? 0) + 1);
  }

  const cycleDays: number[] = [];
  for (const { h, t } of doneInRange) {
    const started = h.transitions.find((x) => x.to === 'in_progress' && x.at <= t.at);
    if (started) cycleDays.push((Date.parse(t.at) - Date.parse(started.at)) / 86_400_000);
  }
  cycleDays.sort((a, b) => a - b);

  const workloadAt = scope.now.toISOString() < endOfDay(scope.to) ? scope.now.toISOString() : endOfDay(scope.to);

  return {
    scope: { projectId: scope.projectId, projectName: scope.projectName, from: scope.from, to: scope.to, deadline: scope.deadline },
    burndown: days.map((date, i) => ({ date, openTasks: openT[i]!, openHours: openH[i]!, idealTasks: ideal(openT[0] ?? 0, i), idealHours: ideal(openH[0] ?? 0, i) })),
    cumulativeFlow: days.map((date, i) => ({ date, counts: Object.fromEntries(TASK_STATUSES.map((s) => [s, flows[s][i]!])) as Record<TaskStatus, number> })),
    throughput: [...weeks.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([start, done]) => ({ week: isoWeekOf(start), start, done })),
    cycleTime: {
      buckets: CYCLE_BUCKETS.map((b) => ({ ...b, count: cycleDays.filter((d) => d >= b.minDays && (b.maxDays === null || d < b.maxDays)).length })),
      count: cycleDays.length,
      p50Days: percentile(cycleDays, 0.5),
      p85Days: percentile(cycleDays, 0.85),
    },
    overdue: days.map((date, i) => ({ date, overdue: overdueSeries[i]! })),
    workload: workloadAt_(histories, workloadAt, names),
    forecasts: forecastsFor(histories, projects, scope.now),
  };
}

/** Nearest-rank percentile, in days with one decimal (null for no data). */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return Math.round(sorted[rank - 1]! * 10) / 10;
}

function workloadAt_(histories: TaskHistory[], at: string, names: Map<string, string>): WorkloadRow[] {
  const rows = new Map<string | null, WorkloadRow>();
  const today = dayOf(at);
  for (const h of histories) {
    const s = stateAt(h, at);
    if (!s || s.status === 'done') continue;
    let row = rows.get(s.assignee);
    if (!row) {
      row = { employeeId: s.assignee, name: s.assignee === null ? 'Unassigned' : (names.get(s.assignee) ?? 'Former employee'), openTasks: 0, openHours: 0, overdue: 0 };
      rows.set(s.assignee, row);
    }
    row.openTasks += 1;
    row.openHours = round2(row.openHours + (s.estimate ?? 0));
    if (s.due && s.due < today) row.overdue += 1;
  }
  return [...rows.values()].sort((a, b) => b.openHours - a.openHours || b.openTasks - a.openTasks || a.name.localeCompare(b.name));
}

/** How many full weeks of throughput the forecast learns from. */
export const FORECAST_WEEKS = 8;

function forecastsFor(histories: TaskHistory[], projects: ProjectFacts[], now: Date): Forecast[] {
  const nowIso = now.toISOString();
  const thisMonday = mondayOf(isoDate(now));
  const firstMonday = addDaysToDate(thisMonday, -7 * FORECAST_WEEKS);
  const byProject = new Map<string, TaskHistory[]>();
  for (const h of histories) {
    if (!h.projectId) continue;
    let list = byProject.get(h.projectId);
    if (!list) byProject.set(h.projectId, (list = []));
    list.push(h);
  }
  return projects
    .filter((p) => p.status !== 'done' && p.status !== 'cancelled')
    .map((p) => {
      const tasks = byProject.get(p.id) ?? [];
      const samples = Array.from({ length: FORECAST_WEEKS }, () => 0);
      let remaining = 0;
      for (const h of tasks) {
        const s = stateAt(h, nowIso);
        if (s && s.status !== 'done') remaining += 1;
        for (const t of h.transitions) {
          if (t.to !== 'done') continue;
          const day = dayOf(t.at);
          if (day < firstMonday || day >= thisMonday) continue;
          samples[Math.floor(dayIndex(firstMonday, day) / 7)]! += 1;
        }
      }
      return forecastCompletion({ projectId: p.id, projectName: p.name, deadline: p.deadline, remaining, samples, today: isoDate(now) });
    });
}
