/** All stored timestamps are ISO-8601 UTC with milliseconds; all dates are YYYY-MM-DD. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const isoNow = (clock: Clock = systemClock): string => clock.now().toISOString();

export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * The calendar date where the user is (the process's timezone): what "today", "overdue" and
 * "due soon" mean to a person, unlike the UTC date of an instant.
 */
export const localDate = (d: Date): string =>
  `${String(d.getFullYear()).padStart(4, '0')}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Adds days to a YYYY-MM-DD calendar date. */
export const addDaysToDate = (date: string, days: number): string => isoDate(addDays(new Date(`${date}T00:00:00Z`), days));

export const addDays = (d: Date, days: number): Date => new Date(d.getTime() + days * 86_400_000);
