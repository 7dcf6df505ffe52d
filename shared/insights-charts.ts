import type { Insights } from './insights';
import { TASK_STATUSES } from './enums';

/**
 * Small SVG charts for insights and the status report, as strings: the same drawing serves the
 * desktop screen (inserted as markup), the HTML/PDF report and tests. The series are aggregates
 * (one point a day or a week, a few hundred at most), so hand-drawn SVG beats a chart library on
 * bundle size (0 kB) and re-render time. Colours are mid-tones readable on light and dark
 * backgrounds; text uses currentColor so it follows the theme. Every value is escaped.
 */

export interface ChartSeries {
  name: string;
  values: (number | null)[];
  /** Drawn dashed (an ideal or projected line). */
  dashed?: boolean;
}

export interface ChartSpec {
  title: string;
  labels: string[];
  series: ChartSeries[];
  width?: number;
  height?: number;
}

export const CHART_COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#64748b'];

const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (n: number): string => (Math.round(n * 100) / 100).toString();

interface Frame {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  max: number;
}

function frame(spec: ChartSpec, stacked = false): Frame {
  const w = spec.width ?? 560;
  const h = spec.height ?? 220;
  let max = 0;
  if (stacked) {
    for (let i = 0; i < spec.labels.length; i += 1) max = Math.max(max, spec.series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  } else {
    for (const s of spec.series) for (const v of s.values) if (v !== null && v > max) max = v;
  }
  return { w, h, left: 40, right: 12, top: 28, bottom: 48, max: max <= 0 ? 1 : niceCeil(max) };
}

function niceCeil(n: number): number {
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

/** Dates lose their year (03-09) and ISO weeks theirs (W11); other labels are kept whole. */
const shortLabel = (label: string): string => (/^\d{4}-(\d{2}-\d{2}|W\d{2})$/.test(label) ? label.slice(5) : label.length > 14 ? `${label.slice(0, 13)}…` : label);

function axes(spec: ChartSpec, f: Frame, x: (i: number) => number): string {
  const y0 = f.h - f.bottom;
  const parts: string[] = [];
  for (let k = 0; k <= 4; k += 1) {
    const v = (f.max * k) / 4;
    const y = y0 - ((y0 - f.top) * k) / 4;
    parts.push(`<line x1="${f.left}" x2="${f.w - f.right}" y1="${fmt(y)}" y2="${fmt(y)}" stroke="currentColor" stroke-opacity="0.15"/>`);
    parts.push(`<text x="${f.left - 4}" y="${fmt(y + 4)}" text-anchor="end" font-size="10" fill="currentColor">${fmt(v)}</text>`);
  }
  const every = Math.max(1, Math.ceil(spec.labels.length / 8));
  spec.labels.forEach((label, i) => {
    if (i % every !== 0 && i !== spec.labels.length - 1) return;
    parts.push(`<text x="${fmt(x(i))}" y="${y0 + 14}" text-anchor="middle" font-size="10" fill="currentColor">${escapeXml(shortLabel(label))}</text>`);
  });
  return parts.join('');
}

function legend(spec: ChartSpec, f: Frame): string {
  let x = f.left;
  return spec.series
    .map((s, i) => {
      const item = `<rect x="${x}" y="${f.h - 16}" width="10" height="10" fill="${CHART_COLORS[i % CHART_COLORS.length]}"/><text x="${x + 14}" y="${f.h - 7}" font-size="11" fill="currentColor">${escapeXml(s.name)}</text>`;
      x += 24 + s.name.length * 6.5;
      return item;
    })
    .join('');
}

const open = (spec: ChartSpec, f: Frame) =>
  `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(spec.title)}" viewBox="0 0 ${f.w} ${f.h}" width="${f.w}" height="${f.h}" class="chart"><title>${escapeXml(spec.title)}</title><text x="${f.left}" y="16" font-size="13" font-weight="600" fill="currentColor">${escapeXml(spec.title)}</text>`;

/** Lines over a category axis (burndown with its ideal line, overdue trend). */
export function lineChartSvg(spec: ChartSpec): string {
  const f = frame(spec);
  const n = Math.max(spec.labels.length - 1, 1);
  const x = (i: number) => f.left + ((f.w - f.left - f.right) * i) / n;
  const y = (v: number) => f.h - f.bottom - ((f.h - f.bottom - f.top) * v) / f.max;
  const lines = spec.series.map((s, si) => {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) return void (pen = false);
      d += `${pen ? 'L' : 'M'}${fmt(x(i))} ${fmt(y(v))}`;
      pen = true;
    });
    return `<path d="${d}" fill="none" stroke="${CHART_COLORS[si % CHART_COLORS.length]}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`;
  });
  return `${open(spec, f)}${axes(spec, f, x)}${lines.join('')}${legend(spec, f)}</svg>`;
}

/** Bars per category; several series are stacked (cumulative flow, throughput, cycle time). */
export function barChartSvg(spec: ChartSpec): string {
  const f = frame(spec, true);
  const slot = (f.w - f.left - f.right) / Math.max(spec.labels.length, 1);
  const x = (i: number) => f.left + slot * (i + 0.5);
  const scale = (v: number) => ((f.h - f.bottom - f.top) * v) / f.max;
  const bars: string[] = [];
  spec.labels.forEach((_, i) => {
    let base = f.h - f.bottom;
    spec.series.forEach((s, si) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return;
      const hgt = scale(v);
      base -= hgt;
      bars.push(`<rect x="${fmt(x(i) - slot * 0.35)}" y="${fmt(base)}" width="${fmt(slot * 0.7)}" height="${fmt(hgt)}" fill="${CHART_COLORS[si % CHART_COLORS.length]}"/>`);
    });
  });
  return `${open(spec, f)}${axes(spec, f, x)}${bars.join('')}${legend(spec, f)}</svg>`;
}

export interface InsightsChart {
  id: 'burndown' | 'flow' | 'throughput' | 'cycle' | 'overdue' | 'workload';
  title: string;
  svg: string;
  /** The same numbers as a table, for screen readers and the report. */
  table: { headers: string[]; rows: (string | number)[][] };
}

const STATUS_LABELS: Record<(typeof TASK_STATUSES)[number], string> = {
  todo: 'To do',
  in_progress: 'In progress',
  testing: 'Testing',
  awaiting_feedback: 'Awaiting feedback',
  done: 'Done',
};

/** Every insights chart with its data table, in the order the screen and the report show them. */
export function insightsCharts(i: Insights, only?: InsightsChart['id'][]): InsightsChart[] {
  const days = i.burndown.map((p) => p.date);
  const charts: InsightsChart[] = [
    {
      id: 'burndown',
      title: 'Burndown: open tasks vs ideal',
      svg: lineChartSvg({ title: 'Burndown: open tasks vs ideal', labels: days, series: [{ name: 'Open tasks', values: i.burndown.map((p) => p.openTasks) }, { name: 'Ideal', values: i.burndown.map((p) => p.idealTasks), dashed: true }, { name: 'Open hours', values: i.burndown.map((p) => p.openHours) }] }),
      table: { headers: ['Date', 'Open tasks', 'Ideal tasks', 'Open hours', 'Ideal hours'], rows: i.burndown.map((p) => [p.date, p.openTasks, p.idealTasks ?? '–', p.openHours, p.idealHours ?? '–']) },
    },
    {
      id: 'flow',
      title: 'Cumulative flow by status',
      svg: barChartSvg({ title: 'Cumulative flow by status', labels: days, series: TASK_STATUSES.map((s) => ({ name: STATUS_LABELS[s], values: i.cumulativeFlow.map((p) => p.counts[s]) })) }),
      table: { headers: ['Date', ...TASK_STATUSES.map((s) => STATUS_LABELS[s])], rows: i.cumulativeFlow.map((p) => [p.date, ...TASK_STATUSES.map((s) => p.counts[s])]) },
    },
    {
      id: 'throughput',
      title: 'Throughput per week',
      svg: barChartSvg({ title: 'Throughput per week', labels: i.throughput.map((w) => w.week), series: [{ name: 'Tasks done', values: i.throughput.map((w) => w.done) }] }),
      table: { headers: ['Week', 'Starts', 'Tasks done'], rows: i.throughput.map((w) => [w.week, w.start, w.done]) },
    },
    {
      id: 'cycle',
      title: 'Cycle time (in progress → done)',
      svg: barChartSvg({ title: 'Cycle time (in progress → done)', labels: i.cycleTime.buckets.map((b) => b.label), series: [{ name: 'Tasks', values: i.cycleTime.buckets.map((b) => b.count) }] }),
      table: { headers: ['Cycle time', 'Tasks'], rows: i.cycleTime.buckets.map((b) => [b.label, b.count]) },
    },
    {
      id: 'overdue',
      title: 'Overdue tasks',
      svg: lineChartSvg({ title: 'Overdue tasks', labels: days, series: [{ name: 'Overdue', values: i.overdue.map((p) => p.overdue) }] }),
      table: { headers: ['Date', 'Overdue tasks'], rows: i.overdue.map((p) => [p.date, p.overdue]) },
    },
    {
      id: 'workload',
      title: 'Workload by person',
      svg: barChartSvg({ title: 'Workload by person (open hours)', labels: i.workload.map((w) => w.name), series: [{ name: 'Open hours', values: i.workload.map((w) => w.openHours) }] }),
      table: { headers: ['Person', 'Open tasks', 'Open hours', 'Overdue'], rows: i.workload.map((w) => [w.name, w.openTasks, w.openHours, w.overdue]) },
    },
  ];
  return only ? charts.filter((c) => only.includes(c.id)) : charts;
}
