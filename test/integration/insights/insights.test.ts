import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { manualClock, tempCore } from '../../support/core';
import { EXPECTED, expectScriptedSeries, scriptProject } from '../../support/insights-scenario';
import { forecastCompletion } from '../../../core/insights/forecast';
import { isoWeekOf, weekBounds } from '../../../core/insights/weeks';
import { addDaysToDate } from '../../../core/common/time';

const open: { dispose(): void }[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.dispose();
});

function scripted() {
  const clock = manualClock();
  const core = tempCore({ clock });
  open.push(core);
  const world = scriptProject(core, (iso) => clock.set(iso));
  world.play();
  clock.set('2026-03-13T12:00:00.000Z');
  return { core, clock, world };
}

describe('project insights from the audit trail', () => {
  it('reproduces burndown, cumulative flow, throughput, cycle time and overdue trend of a scripted history exactly', () => {
    const { core, world } = scripted();
    const insights = core.insights.compute({ projectId: world.project.id, from: '2026-03-02', to: '2026-03-13' });
    expectScriptedSeries(insights);
    expect(insights.scope).toMatchObject({ projectName: 'Harbour launch', deadline: '2026-03-20' });
  });

  it('is true for a past date: a range ending earlier shows the world as it was then, not as it is now', () => {
    const { core, world } = scripted();
    const insights = core.insights.compute({ projectId: world.project.id, from: '2026-03-02', to: '2026-03-06' });
    expect(insights.burndown.map((p) => p.openHours)).toEqual(EXPECTED.openHours.slice(0, 5));
    // Workload is read at the range's end: on 03-06 Ana still had T2 (8 h) and Ben T3 (2 h).
    expect(insights.workload).toEqual([
      { employeeId: world.ana.id, name: 'Ana Silva', openTasks: 1, openHours: 8, overdue: 0 },
      { employeeId: world.ben.id, name: 'Ben Okafor', openTasks: 1, openHours: 2, overdue: 0 },
    ]);
  });

  it('reads workload by person now, with names from the employee records', () => {
    const { core, world } = scripted();
    const insights = core.insights.compute({ projectId: world.project.id, from: '2026-03-02', to: '2026-03-13' });
    expect(insights.workload).toEqual([{ employeeId: world.ben.id, name: 'Ben Okafor', openTasks: 1, openHours: 2, overdue: 0 }]);
  });

  it('counts reassignment history: workload on a past day follows the assignee of that day', () => {
    const { core, clock, world } = scripted();
    clock.set('2026-03-13T13:00:00.000Z');
    core.tasks.update({ id: world.tasks.t3.id, assignedTo: world.ana.id });
    const before = core.insights.compute({ projectId: world.project.id, from: '2026-03-02', to: '2026-03-12' });
    const after = core.insights.compute({ projectId: world.project.id, from: '2026-03-02', to: '2026-03-13', asOf: new Date('2026-03-13T18:00:00.000Z') });
    expect(before.workload.map((w) => w.name)).toEqual(['Ben Okafor']);
    expect(after.workload.map((w) => w.name)).toEqual(['Ana Silva']);
  });

  it('learns the forecast from the last eight full weeks of throughput', () => {
    const { core, world } = scripted();
    const insights = core.insights.compute({ projectId: world.project.id, from: '2026-03-02', to: '2026-03-13' });
    // Weeks 01-12 … 03-02; only T1's completion (03-04, week of 03-02) falls in them.
    expect(insights.forecasts).toHaveLength(1);
    expect(insights.forecasts[0]).toMatchObject({ remainingTasks: 1, samples: [0, 0, 0, 0, 0, 0, 0, 1], deadline: '2026-03-20' });
  });

  it('across projects, every open project gets a forecast and the series add up', () => {
    const { core, world } = scripted();
    const other = core.projects.create({ name: 'Quiet project' });
    core.tasks.create({ title: 'Lone task', projectId: other.id });
    const all = core.insights.compute({ from: '2026-03-02', to: '2026-03-13' });
    expect(all.forecasts.map((f) => f.projectName).sort()).toEqual(['Harbour launch', 'Quiet project']);
    const one = core.insights.compute({ projectId: world.project.id, from: '2026-03-02', to: '2026-03-13' });
    // The lone task was created "now" (03-13), so it only appears on the last day.
    expect(all.burndown.map((p) => p.openTasks)).toEqual(one.burndown.map((p, i) => p.openTasks + (i === 11 ? 1 : 0)));
  });

  it('a task that arrived already finished (no status history) counts as done at completed_at', () => {
    const { core, world } = scripted();
    // As bootstrap writes it: straight into the table, no audit rows.
    core.db
      .prepare(
        `INSERT INTO tasks (id, project_id, title, status, priority, created_at, updated_at, completed_at)
         VALUES ('01900000-0000-7000-8000-000000000001', ?, 'Imported', 'done', 'medium', '2026-03-02T08:00:00.000Z', '2026-03-10T08:00:00.000Z', '2026-03-10T08:00:00.000Z')`,
      )
      .run(world.project.id);
    const insights = core.insights.compute({ projectId: world.project.id, from: '2026-03-02', to: '2026-03-13' });
    expect(insights.burndown.map((p) => p.openTasks)).toEqual(EXPECTED.openTasks.map((n, i) => n + (i < 8 ? 1 : 0)));
    expect(insights.throughput.map((w) => w.done)).toEqual([1, 2]);
  });

  it('refuses a reversed range and an unknown project with one clear error', () => {
    const { core, world } = scripted();
    expect(() => core.insights.compute({ projectId: world.project.id, from: '2026-03-13', to: '2026-03-02' })).toThrow(/from must not be after to/);
    expect(() => core.insights.compute({ projectId: '01900000-0000-7000-8000-00000000abcd' })).toThrow(/does not exist/);
  });
});

describe('forecast', () => {
  it('with a steady throughput finishes exactly when arithmetic says', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 60 }), (perWeek, remaining) => {
        const f = forecastCompletion({ projectId: 'p', projectName: 'P', deadline: null, remaining, samples: [perWeek, perWeek, perWeek], today: '2026-03-13' });
        const weeks = Math.ceil(remaining / perWeek);
        expect(f.p50).toBe(addDaysToDate('2026-03-13', 7 * weeks));
        expect(f.p85).toBe(f.p50);
        expect(f.verdict).toBe('no_deadline');
      }),
    );
  });

  it('p50 never falls after p85, and the verdict follows the deadline', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 200 }), (samples, remaining, days) => {
        const deadline = addDaysToDate('2026-03-13', days);
        const f = forecastCompletion({ projectId: 'p', projectName: 'P', deadline, remaining, samples, today: '2026-03-13' });
        if (!samples.some((s) => s > 0)) {
          expect(f.verdict).toBe('no_throughput');
        } else {
          expect(f.p50! <= f.p85!).toBe(true);
          expect(f.verdict).toBe(f.p85! <= deadline ? 'on_track' : f.p50! <= deadline ? 'at_risk' : 'late');
        }
      }),
    );
  });
});

describe('ISO weeks', () => {
  it('every day maps to a week whose bounds contain it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 30 }), (offset) => {
        const day = addDaysToDate('2010-01-01', offset);
        const { start, end } = weekBounds(isoWeekOf(day));
        expect(start <= day && day <= end).toBe(true);
      }),
    );
  });

  it('knows 2026-W49 and refuses a week the year lacks', () => {
    expect(weekBounds('2026-W49')).toEqual({ start: '2026-11-30', end: '2026-12-06' });
    expect(() => weekBounds('2025-W53')).toThrow(/2025 has no week 53/);
  });
});
