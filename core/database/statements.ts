import type Database from 'better-sqlite3';

export interface StatementCache {
  get(sql: string): Database.Statement;
}

/**
 * Prepared statements, compiled once per SQL text. All SQL in the core is parameterised; only
 * identifiers from the code's own constants are ever interpolated.
 */
export function createStatementCache(db: Database.Database): StatementCache {
  const cache = new Map<string, Database.Statement>();
  return {
    get(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
