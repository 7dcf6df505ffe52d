import { AppError } from '../common/errors';

/**
 * Perfex stores naive local datetimes in the CRM's configured timezone. These helpers convert
 * between them and the UTC instants Coordinator stores, honouring daylight-saving changes.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new AppError('VALIDATION', `Unknown timezone "${timeZone}" (expected an IANA name such as Europe/Berlin)`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

export function assertTimeZone(timeZone: string): string {
  formatter(timeZone);
  return timeZone;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function partsAt(ms: number, timeZone: string): Parts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { year: out.year ?? 0, month: out.month ?? 0, day: out.day ?? 0, hour: out.hour ?? 0, minute: out.minute ?? 0, second: out.second ?? 0 };
}

const utcOf = (p: Parts) => Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
const offsetAt = (ms: number, timeZone: string) => utcOf(partsAt(ms, timeZone)) - Math.floor(ms / 1000) * 1000;

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/** True for MySQL's zero dates (`0000-00-00`, `0000-00-00 00:00:00`) and other impossible dates. */
export function isZeroOrInvalidDate(value: string): boolean {
  const m = NAIVE.exec(value);
  if (!m) return true;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y === 0 || mo === 0 || d === 0) return true;
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d;
}

/** A naive CRM datetime (local in `timeZone`) as an ISO UTC instant; zero dates become null. */
export function naiveToIso(value: string | null, timeZone: string): string | null {
  if (value == null || isZeroOrInvalidDate(value)) return null;
  const m = NAIVE.exec(value);
  if (!m) return null;
  const local: Parts = {
    year: Number(m[1]), month: Number(m[2]), day: Number(m[3]),
    hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0),
  };
  const guess = utcOf(local);
  // Two passes settle the offset across a daylight-saving boundary.
  let utc = guess - offsetAt(guess, timeZone);
  utc = guess - offsetAt(utc, timeZone);
  return new Date(utc).toISOString();
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** An ISO instant as the CRM's naive local datetime `YYYY-MM-DD HH:MM:SS`. */
export function isoToNaive(iso: string | null, timeZone: string): string | null {
  if (iso == null) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const p = partsAt(ms, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** The CRM-local calendar date of an instant. */
export function isoToLocalDate(iso: string | null, timeZone: string): string | null {
  return isoToNaive(iso, timeZone)?.slice(0, 10) ?? null;
}

/** A plain date column: zero dates and impossible dates become null. */
export function crmDate(value: string | null): string | null {
  if (value == null || isZeroOrInvalidDate(value)) return null;
  return value.slice(0, 10);
}

/** A datetime column normalised to `YYYY-MM-DD HH:MM:SS`, zero dates null. */
export function crmDateTime(value: string | null): string | null {
  if (value == null || isZeroOrInvalidDate(value)) return null;
  const m = NAIVE.exec(value);
  if (!m) return null;
  return `${m[1]}-${m[2]}-${m[3]} ${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}`;
}
