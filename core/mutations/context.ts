import type { SqliteDb } from '../database/open';
import type { StatementCache } from '../database/statements';
import type { Clock } from '../common/time';
import type { Writer } from './writer';
import type { Session } from '../database/session';

/** What every domain service is built from: reads go through `statements`, writes through `writer`. */
export interface ServiceContext {
  db: SqliteDb;
  statements: StatementCache;
  writer: Writer;
  clock: Clock;
  session: Session;
}
