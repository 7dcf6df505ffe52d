import { expect } from 'vitest';
import type { Core } from '../../core/app/core';
import type { Insights } from '../../shared/insights';

type At = (iso: string) => void;

/**
 * A scripted fortnight on one project, each change at a known instant (the clock is moved before
 * every step). The expected series in the insights tests are worked out by hand from this script.
 *
 *   Mon 03-02 09:00  T1 (4 h, due 03-05, Ana), T2 (6 h, due 03-09, Ana), T3 (2 h, Ben) created
 *   Tue 03-03 10:00  T1 → in_progress         Wed 03-04 15:00  T1 → done
 *   Wed 03-04 16:00  T2 → in_progress         Fri 03-06 09:00  T2 estimate 6 → 8
 *   Mon 03-09 09:00  T3 → in_progress         Wed 03-11 09:00  T2 → done
 *   Thu 03-12 09:00  T3 → awaiting_feedback
 */
export function scriptProject(core: Core, at: At) {
  at('2026-03-02T09:00:00.000Z');
  const user = core.users.create({ username: 'ana', email: 'ana@example.com', fullName: 'Ana Silva', role: 'admin' });
  core.session.setCurrentUser(user.id);
  const ana = core.employees.create({ name: 'Ana Silva', email: 'ana@example.com', userId: user.id });
  const ben = core.employees.create({ name: 'Ben Okafor', email: 'ben@example.com' });
  const project = core.projects.create({ name: 'Harbour launch', deadline: '2026-03-20' });
  const task = (title: string, estimatedHours: number, dueDate: string | null, assignedTo: string) =>
    core.tasks.create({ title, projectId: project.id, estimatedHours, dueDate, assignedTo });
  const t1 = task('Book the venue', 4, '2026-03-05', ana.id);
  const t2 = task('Print the signage', 6, '2026-03-09', ana.id);
  const t3 = task('Brief the press', 2, null, ben.id);
  const step = (iso: string, id: string, patch: Record<string, unknown>) => {
    at(iso);
    core.tasks.update({ id, ...patch });
  };
  return {
    project,
    ana,
    ben,
    tasks: { t1, t2, t3 },
    steps: STEPS,
    /** Makes one scripted change at its instant. */
    step(index: number) {
      const [iso, name, patch] = STEPS[index]!;
      step(iso, { t1, t2, t3 }[name].id, patch);
    },
    /** Every change after creation, in order. */
    play() {
      for (let i = 0; i < STEPS.length; i += 1) this.step(i);
    },
  };
}

const STEPS: readonly [string, 't1' | 't2' | 't3', Record<string, unknown>][] = [
  ['2026-03-03T10:00:00.000Z', 't1', { status: 'in_progress' }],
  ['2026-03-04T15:00:00.000Z', 't1', { status: 'done' }],
  ['2026-03-04T16:00:00.000Z', 't2', { status: 'in_progress' }],
  ['2026-03-06T09:00:00.000Z', 't2', { estimatedHours: 8 }],
  ['2026-03-09T09:00:00.000Z', 't3', { status: 'in_progress' }],
  ['2026-03-11T09:00:00.000Z', 't2', { status: 'done' }],
  ['2026-03-12T09:00:00.000Z', 't3', { status: 'awaiting_feedback' }],
];

const zero = { todo: 0, in_progress: 0, testing: 0, awaiting_feedback: 0, done: 0 };

/** The series the script above must produce over 03-02 … 03-13, worked out by hand. */
export const EXPECTED = {
  days: ['02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13'].map((d) => `2026-03-${d}`),
  openTasks: [3, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1],
  openHours: [12, 12, 8, 8, 10, 10, 10, 10, 10, 2, 2, 2],
  // From the first day's open work to zero on the deadline (03-20, 18 days on), rounded to cents.
  idealTasks: [3, 2.83, 2.67, 2.5, 2.33, 2.17, 2, 1.83, 1.67, 1.5, 1.33, 1.17],
  idealHours: [12, 11.33, 10.67, 10, 9.33, 8.67, 8, 7.33, 6.67, 6, 5.33, 4.67],
  flow: [
    { ...zero, todo: 3 },
    { ...zero, todo: 2, in_progress: 1 },
    ...Array.from({ length: 5 }, () => ({ ...zero, todo: 1, in_progress: 1, done: 1 })),
    { ...zero, in_progress: 2, done: 1 },
    { ...zero, in_progress: 2, done: 1 },
    { ...zero, in_progress: 1, done: 2 },
    { ...zero, awaiting_feedback: 1, done: 2 },
    { ...zero, awaiting_feedback: 1, done: 2 },
  ],
  // T2 was due 03-09 and still open at the end of 03-10.
  overdue: [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
  throughput: [
    { week: '2026-W10', start: '2026-03-02', done: 1 },
    { week: '2026-W11', start: '2026-03-09', done: 1 },
  ],
  // T1: 03-03 10:00 → 03-04 15:00 = 1.21 days; T2: 03-04 16:00 → 03-11 09:00 = 6.71 days.
  cycle: { count: 2, p50Days: 1.2, p85Days: 6.7, buckets: { '1–2 days': 1, '4–7 days': 1 } as Record<string, number> },
};

/** The insights of the scripted range equal the hand-worked series. */
export function expectScriptedSeries(insights: Insights): void {
  expect(insights.burndown.map((p) => p.date)).toEqual(EXPECTED.days);
  expect(insights.burndown.map((p) => p.openTasks)).toEqual(EXPECTED.openTasks);
  expect(insights.burndown.map((p) => p.openHours)).toEqual(EXPECTED.openHours);
  expect(insights.burndown.map((p) => p.idealTasks)).toEqual(EXPECTED.idealTasks);
  expect(insights.burndown.map((p) => p.idealHours)).toEqual(EXPECTED.idealHours);
  expect(insights.cumulativeFlow.map((p) => p.counts)).toEqual(EXPECTED.flow);
  expect(insights.overdue.map((p) => p.overdue)).toEqual(EXPECTED.overdue);
  expect(insights.throughput).toEqual(EXPECTED.throughput);
  expect(insights.cycleTime.count).toBe(EXPECTED.cycle.count);
  expect(insights.cycleTime.p50Days).toBe(EXPECTED.cycle.p50Days);
  expect(insights.cycleTime.p85Days).toBe(EXPECTED.cycle.p85Days);
  expect(Object.fromEntries(insights.cycleTime.buckets.filter((b) => b.count > 0).map((b) => [b.label, b.count]))).toEqual(EXPECTED.cycle.buckets);
}

