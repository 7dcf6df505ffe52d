import { AppError } from '../common/errors';
import { addDaysToDate } from '../common/time';

/** ISO-8601 weeks (Monday first; week 1 holds the year's first Thursday), on UTC calendar dates. */

const dayNumber = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay() || 7;

export function isoWeekOf(date: string): string {
  const thursday = addDaysToDate(date, 4 - dayNumber(date));
  const year = Number(thursday.slice(0, 4));
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.floor((Date.parse(`${thursday}T00:00:00Z`) - jan1) / 86_400_000 / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

const mondays = new Map<string, string>();
export const mondayOf = (date: string): string => {
  let monday = mondays.get(date);
  if (monday === undefined) {
    monday = addDaysToDate(date, 1 - dayNumber(date));
    if (mondays.size > 100_000) mondays.clear();
    mondays.set(date, monday);
  }
  return monday;
};

/** The Monday and Sunday of an ISO week like 2026-W49; refuses a week the year does not have. */
export function weekBounds(week: string): { start: string; end: string } {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) throw new AppError('VALIDATION', `Invalid input: week must look like 2026-W49, not "${week}"`, [{ path: 'week', message: 'must be YYYY-Www' }]);
  const year = Number(match[1]);
  const n = Number(match[2]);
  const jan4 = `${year}-01-04`;
  const start = addDaysToDate(mondayOf(jan4), (n - 1) * 7);
  if (n < 1 || isoWeekOf(start) !== week) {
    throw new AppError('VALIDATION', `Invalid input: ${year} has no week ${n}`, [{ path: 'week', message: 'no such ISO week' }]);
  }
  return { start, end: addDaysToDate(start, 6) };
}

/** Calendar days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDaysToDate(d, 1)) days.push(d);
  return days;
}

// Charts ask for the day number of the same few hundred dates tens of thousands of times.
const epochDays = new Map<string, number>();
const epochDay = (date: string): number => {
  let n = epochDays.get(date);
  if (n === undefined) {
    n = Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
    if (epochDays.size > 100_000) epochDays.clear();
    epochDays.set(date, n);
  }
  return n;
};

export const dayIndex = (from: string, date: string): number => epochDay(date) - epochDay(from);
