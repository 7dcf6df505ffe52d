import type pg from 'pg';
import { AppError } from '../common/errors';
import { createLogger } from '../common/logger';
import { isOfflineError } from '../sync/errors';
import { serverPosition, standbyReaching, walPositionSchema } from '../sync/transport/read-floor';
import { asPerson, type Person, type PersonContext } from './as-person';

const log = createLogger('serve');

/** The standby has not replayed up to the replica's floor (or cannot take this request): the primary answers. */
class NotCaughtUp extends Error {}

/** A request's read floor; anything else (absent, malformed) reads as none, and the endpoint's own schema then judges the body. */
export function floorOf(body: unknown): string | null {
  const floor = body !== null && typeof body === 'object' && 'floor' in body ? body.floor : null;
  const parsed = walPositionSchema.safeParse(floor);
  return parsed.success ? parsed.data : null;
}

export interface Positioned<T> {
  value: T;
  /** Where the server that answered was once the request's work was done (and committed). */
  position: string;
}

/**
 * With a standby configured (docs/sync-service.md, "Pulls from a standby"): the pull's reads go
 * to it when it has replayed up to the replica's floor, everything else to the primary; every
 * answer carries the position it was read or written at, which the replica folds into its floor.
 */
export function standbyReads(primary: pg.Pool, standby: pg.Pool, statementTimeoutMs: number) {
  async function onPrimary<T>(person: Person, work: (context: PersonContext) => Promise<T>): Promise<Positioned<T>> {
    let position = '0/0';
    // After COMMIT: a push's own commit record must be below the position the replica waits for.
    const value = await asPerson(primary, person, work, {
      statementTimeoutMs,
      afterCommit: async (client) => {
        position = (await serverPosition(client)).position;
      },
    });
    return { value, position };
  }

  async function read<T>(person: Person, floor: string | null, work: (context: PersonContext) => Promise<T>): Promise<Positioned<T>> {
    try {
      return await asPerson(standby, person, async (context) => {
        if ((await standbyReaching(context.client, floor)) === null) throw new NotCaughtUp();
        const value = await work(context);
        // Replay only moves forward: a position read after the work covers every state it saw.
        return { value, position: (await serverPosition(context.client)).position };
      }, { statementTimeoutMs });
    } catch (error) {
      // The primary is the authority on who may do what: a standby that refuses may simply not
      // have replayed the person yet (their login role, their enrolment: "role does not exist",
      // 25006 read-only for an owner's first sign-in). Only a request the service itself found
      // malformed is not worth a second try.
      if (error instanceof AppError && error.code === 'VALIDATION') throw error;
      if (isOfflineError(error)) log.warn('the standby cannot be reached; the primary serves reads');
      return onPrimary(person, work);
    }
  }

  return {
    read,
    onPrimary,
    close: () => standby.end().catch(() => undefined),
  };
}
