/** Column values as better-sqlite3 binds and returns them. */
export type SqlValue = string | number | bigint | null | Buffer;
/** A row keyed by its snake_case column names. */
export type Row = Record<string, SqlValue>;

/** Small, typed readers for columns coming back from SQLite. */
export const str = (v: SqlValue | undefined): string => (v == null ? '' : String(v));
export const strOrNull = (v: SqlValue | undefined): string | null => (v == null ? null : String(v));
export const num = (v: SqlValue | undefined): number => Number(v ?? 0);
export const numOrNull = (v: SqlValue | undefined): number | null => (v == null ? null : Number(v));
export const bool = (v: SqlValue | undefined): boolean => v === 1 || v === 1n || v === '1' || v === 'true';
export const json = <T = Record<string, unknown>>(v: SqlValue | undefined, fallback: T): T => {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};
export const boolToSql = (v: boolean): number => (v ? 1 : 0);

/**
 * Builds a column patch from an input object: only keys present in the input are written, each
 * under its column name, `undefined` meaning "leave as is" and `null` meaning "clear".
 */
export function patchFrom<I extends object>(input: I, columns: Partial<Record<keyof I, string>>): Row {
  const patch: Row = {};
  for (const [key, column] of Object.entries(columns) as [keyof I & string, string][]) {
    const value = (input as Record<string, unknown>)[key];
    if (value === undefined) continue;
    patch[column] = value === null ? null : (value as SqlValue);
  }
  return patch;
}

/** Escapes a user's text for a LIKE pattern with `\` as the escape character. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
