/** All stored timestamps are ISO-8601 UTC with milliseconds; all dates are YYYY-MM-DD. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const isoNow = (clock: Clock = systemClock): string => clock.now().toISOString();

export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

export const addDays = (d: Date, days: number): Date => new Date(d.getTime() + days * 86_400_000);
