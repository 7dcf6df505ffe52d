import { describe, expect, it } from 'vitest';
import { crmDate, crmDateTime, isoToLocalDate, isoToNaive, naiveToIso } from '../../../core/crm/timezone';
import { priorityOf, projectStatusOf, taskStatusCode, taskStatusOf } from '../../../core/crm/codes';

describe('CRM naive datetimes', () => {
  it('are local times in the CRM zone, across daylight-saving changes', () => {
    expect(naiveToIso('2026-01-15 12:00:00', 'Europe/Berlin')).toBe('2026-01-15T11:00:00.000Z');
    expect(naiveToIso('2026-07-15 12:00:00', 'Europe/Berlin')).toBe('2026-07-15T10:00:00.000Z');
    expect(naiveToIso('2026-03-29 03:30:00', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    expect(isoToNaive('2026-07-15T10:00:00.000Z', 'Europe/Berlin')).toBe('2026-07-15 12:00:00');
    expect(isoToNaive('2026-01-01T03:00:00.000Z', 'America/New_York')).toBe('2025-12-31 22:00:00');
    expect(isoToLocalDate('2026-01-01T03:00:00.000Z', 'America/New_York')).toBe('2025-12-31');
  });

  it('round-trip at second precision', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/Los_Angeles', 'Australia/Lord_Howe']) {
      for (let h = 0; h < 24 * 365; h += 37) {
        const iso = new Date(Date.UTC(2026, 0, 1) + h * 3_600_000 + 17_000).toISOString();
        const naive = isoToNaive(iso, zone);
        const back = naiveToIso(naive, zone);
        // The hour that repeats when clocks go back is ambiguous; everything else is exact.
        if (back !== iso) expect(isoToNaive(back, zone)).toBe(naive);
      }
    }
  });

  it('zero and impossible dates are empty', () => {
    expect(naiveToIso('0000-00-00 00:00:00', 'UTC')).toBeNull();
    expect(crmDate('0000-00-00')).toBeNull();
    expect(crmDate('2026-02-30')).toBeNull();
    expect(crmDateTime('2026-02-03')).toBe('2026-02-03 00:00:00');
    expect(naiveToIso(null, 'UTC')).toBeNull();
  });
});

describe('Perfex codes', () => {
  it('map both ways and default safely', () => {
    expect([1, 2, 3, 4, 5].map(taskStatusOf)).toEqual(['todo', 'awaiting_feedback', 'testing', 'in_progress', 'done']);
    expect(taskStatusOf(42)).toBe('todo');
    expect(taskStatusCode('testing')).toBe(3);
    expect([1, 2, 3, 4, 5, 0].map(projectStatusOf)).toEqual(['todo', 'in_progress', 'on_hold', 'done', 'cancelled', 'todo']);
    expect([1, 2, 3, 4, null, 7].map(priorityOf)).toEqual(['low', 'medium', 'high', 'urgent', 'medium', 'medium']);
  });
});
