import type { ReportDraft, StatusReport } from '../../shared/insights';
import { createChatClient, type AiConfig } from '../ai/config';
import { createLogger } from '../common/logger';

const log = createLogger('reports');

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const VERDICT_WORDS = {
  on_track: 'on track',
  at_risk: 'at risk',
  late: 'likely to finish after the deadline',
} as const;

/** The offline summary: plain sentences over the computed figures, nothing else. */
export function templateSummary(r: StatusReport): string {
  const f = r.figures;
  const parts = [
    `In ${r.week}, ${plural(f.doneThisWeek, 'task was', 'tasks were')} completed on ${r.projectName}; ${plural(f.openTasks, 'task remains', 'tasks remain')} open (${f.openHours} estimated hours).`,
    `${plural(f.overdue, 'task is', 'tasks are')} overdue and ${plural(f.awaitingFeedback, 'task awaits', 'tasks await')} feedback.`,
  ];
  const fc = r.forecast;
  if (fc && fc.p50 && fc.p85 && fc.verdict !== 'done') {
    const when = `between ${fc.p50} and ${fc.p85}`;
    const deadline = r.deadline ? ` (deadline ${r.deadline}): ${fc.verdict in VERDICT_WORDS ? VERDICT_WORDS[fc.verdict as keyof typeof VERDICT_WORDS] : 'no deadline'}` : '';
    parts.push(`At the pace of the eight weeks before, ${f.avgWeeklyThroughput} tasks a week, the remaining work is projected to finish ${when}${deadline}.`);
  } else if (fc?.verdict === 'no_throughput' && f.openTasks > 0) {
    parts.push(`No task was completed in the eight weeks before this one, so no completion date can be projected from throughput.`);
  }
  return parts.join(' ');
}

const NUMBER = /\d+(?:[.,]\d+)?/g;
const normal = (token: string): string => String(Number(token.replace(',', '.')));

/**
 * Every number the report states — figures, list sizes, dates' parts, week, forecast — as the
 * set a drafted summary may draw from.
 */
export function reportNumbers(r: StatusReport): Set<string> {
  const facts = {
    week: r.week,
    weekStart: r.weekStart,
    weekEnd: r.weekEnd,
    deadline: r.deadline,
    figures: r.figures,
    counts: [r.done.length, r.slipped.length, r.atRisk.length, r.blockers.length],
    forecast: r.forecast && { p50: r.forecast.p50, p85: r.forecast.p85, remaining: r.forecast.remainingTasks, samples: r.forecast.samples },
    done: r.done.map((t) => [t.dueDate, t.note, t.estimatedHours]),
    slipped: r.slipped.map((t) => [t.dueDate, t.note, t.estimatedHours]),
    atRisk: r.atRisk.map((t) => [t.dueDate, t.note, t.estimatedHours]),
    blockers: r.blockers.map((t) => [t.dueDate, t.note, t.estimatedHours]),
    workload: r.workload.map((w) => [w.openTasks, w.openHours, w.overdue]),
  };
  return new Set((JSON.stringify(facts).match(NUMBER) ?? []).map(normal));
}

/** The numbers in `text` that the report does not contain (empty: the draft may be shown). */
export function unsupportedNumbers(text: string, r: StatusReport): string[] {
  const allowed = reportNumbers(r);
  return [...new Set((text.match(NUMBER) ?? []).filter((t) => !allowed.has(normal(t))))];
}

const SYSTEM = `You write the one-paragraph summary of a project's weekly status report for its stakeholders.
Use ONLY the facts in the JSON you are given. Never invent, estimate or compute a number that is not in it; you may use words instead of numbers.
At most 90 words, plain prose, no headings, no lists, no markdown.`;

/**
 * A proposed summary for the coordinator to edit and accept. The assistant drafts from the
 * computed facts; a draft stating any number absent from them is discarded for the template, and
 * the note says why — as it does when no assistant is configured or it cannot be reached.
 */
export async function draftSummary(r: StatusReport, config: AiConfig | null, options: { signal?: AbortSignal } = {}): Promise<ReportDraft> {
  const template = templateSummary(r);
  if (!config) return { text: template, source: 'template', note: 'No assistant is configured; the summary is written from the figures.' };
  const facts = {
    project: r.projectName,
    week: r.week,
    deadline: r.deadline,
    figures: r.figures,
    forecast: r.forecast && { p50: r.forecast.p50, p85: r.forecast.p85, verdict: r.forecast.verdict },
    doneThisWeek: r.done.map((t) => t.title),
    slipped: r.slipped.map((t) => `${t.title} (${t.note})`),
    atRisk: r.atRisk.map((t) => `${t.title} (${t.note})`),
    blockers: r.blockers.map((t) => `${t.title} (${t.note})`),
    busiest: r.workload.slice(0, 3).map((w) => ({ name: w.name, openTasks: w.openTasks, openHours: w.openHours })),
  };
  let text: string;
  try {
    const api = createChatClient(config);
    const reply = await api.chat.completions.create(
      { model: config.model, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: JSON.stringify(facts) }], temperature: 0.2 },
      { signal: options.signal },
    );
    text = (reply.choices[0]?.message.content ?? '').trim();
  } catch (error) {
    log.warn('summary draft failed', { error: error instanceof Error ? error.message : String(error) });
    return { text: template, source: 'template', note: 'The assistant could not be reached; the summary is written from the figures.' };
  }
  if (text === '') return { text: template, source: 'template', note: 'The assistant returned no text; the summary is written from the figures.' };
  const unsupported = unsupportedNumbers(text, r);
  if (unsupported.length > 0) {
    return { text: template, source: 'template', note: `The assistant's draft stated numbers not in the report (${unsupported.slice(0, 5).join(', ')}); the summary is written from the figures instead.` };
  }
  return { text, source: 'assistant', note: null };
}
