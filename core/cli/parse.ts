import { AppError } from '../common/errors';

/** The word that clears an optional value: `--assignee none`, `--due none`. */
export const NONE = 'none';
export const isNone = (value: string): boolean => value.trim().toLowerCase() === NONE;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Hours as a number, strictly: `2`, `1.5`, `.5`. Anything else (`abc`, `2h`, `1e3`, ``) is a
 * VALIDATION error naming the flag; range checks are left to the service's schema.
 */
export function parseHours(value: string, flag: string, field: string, options: { allowNone?: boolean } = {}): number | null {
  if (options.allowNone && isNone(value)) return null;
  const trimmed = value.trim();
  if (!NUMBER.test(trimmed)) {
    throw new AppError('VALIDATION', `Invalid input: ${flag} must be a number of hours such as 4 or 1.5, not "${value}"`, [
      { path: field, message: 'must be a number' },
    ]);
  }
  return Number(trimmed);
}

/** A calendar date argument; `none` clears it. Format checks are the service's (YYYY-MM-DD). */
export const parseDateArg = (value: string | undefined): string | null | undefined =>
  value === undefined ? undefined : isNone(value) ? null : value.trim();

/** Free text where an empty string means "no text". */
export const parseOptionalText = (value: string | undefined): string | null | undefined =>
  value === undefined ? undefined : value.trim() === '' ? null : value;

/** `todo,in_progress` → ['todo', 'in_progress'] (the service validates each value). */
export function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : [value];
}
