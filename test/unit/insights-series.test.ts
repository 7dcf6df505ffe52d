import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TASK_STATUSES, type TaskStatus } from '../../shared/enums';
import { stateAt, type Segment, type TaskHistory } from '../../core/insights/history';
import { computeInsights } from '../../core/insights/insights';
import { daysBetween } from '../../core/insights/weeks';

const FROM = '2026-03-02';
const TO = '2026-03-15';
const instant = (minutes: number) => new Date(Date.parse('2026-02-25T00:00:00.000Z') + minutes * 60_000).toISOString();

/** A random task history: created at some minute, then changes at later minutes. */
const historyArb = fc
  .record({
    created: fc.integer({ min: 0, max: 60 * 24 * 22 }),
    steps: fc.array(
      fc.record({
        gap: fc.integer({ min: 1, max: 60 * 24 * 4 }),
        status: fc.constantFrom(...TASK_STATUSES),
        estimate: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
        due: fc.option(fc.integer({ min: -3, max: 20 }), { nil: null }),
      }),
      { maxLength: 6 },
    ),
    initial: fc.constantFrom<TaskStatus>('todo', 'in_progress'),
  })
  .map(({ created, steps, initial }, ): TaskHistory => {
    let at = created;
    let current: Segment = { from: instant(created), to: null, status: initial, assignee: null, estimate: 3, due: null };
    const segments: Segment[] = [];
    const transitions: TaskHistory['transitions'] = [];
    for (const s of steps) {
      at += s.gap;
      const next: Segment = { ...current, from: instant(at), status: s.status, estimate: s.estimate, due: s.due === null ? null : daysBetween('2026-03-01', '2026-03-31')[s.due + 3]! };
      segments.push({ ...current, to: next.from });
      if (next.status !== current.status) transitions.push({ at: next.from, from: current.status, to: next.status });
      current = next;
    }
    segments.push(current);
    return { id: `t${created}`, projectId: 'p', title: 't', createdAt: instant(created), segments, transitions };
  });

describe('insights series', () => {
  it('the difference-array sweep equals reading every task\'s state at the end of every day', () => {
    fc.assert(
      fc.property(fc.array(historyArb, { maxLength: 25 }), (histories) => {
        const insights = computeInsights(histories, { projectId: 'p', projectName: 'P', deadline: null, from: FROM, to: TO, now: new Date('2026-03-16T00:00:00Z') }, [], new Map());
        daysBetween(FROM, TO).forEach((day, i) => {
          const states = histories.map((h) => stateAt(h, `${day}T23:59:59.999Z`)).filter((s): s is Segment => s !== null);
          const open = states.filter((s) => s.status !== 'done');
          expect(insights.burndown[i]!.openTasks).toBe(open.length);
          expect(insights.burndown[i]!.openHours).toBeCloseTo(open.reduce((sum, s) => sum + (s.estimate ?? 0), 0), 6);
          expect(insights.overdue[i]!.overdue).toBe(open.filter((s) => s.due !== null && s.due < day).length);
          for (const status of TASK_STATUSES) expect(insights.cumulativeFlow[i]!.counts[status]).toBe(states.filter((s) => s.status === status).length);
        });
        const doneTransitions = histories.flatMap((h) => h.transitions).filter((t) => t.to === 'done' && t.at.slice(0, 10) >= FROM && t.at.slice(0, 10) <= TO);
        expect(insights.throughput.reduce((sum, w) => sum + w.done, 0)).toBe(doneTransitions.length);
      }),
      { numRuns: 150 },
    );
  });
});
