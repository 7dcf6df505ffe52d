import os from 'node:os';
import type pg from 'pg';
import { z } from 'zod';
import { AppError } from '../common/errors';
import { newId } from '../common/ids';

/**
 * One CRM reconciler at a time across every machine, through a transaction pooler too: a lease
 * row in `crm_bridge_state` rather than a session advisory lock (PgBouncer in transaction mode
 * has no session: the lock would stay on whichever server connection took it). Every time is
 * the database's (`now()`), never a laptop's.
 */
const LEASE_KEY = 'reconciler_lease';

export interface LeaseTiming {
  /** How long a lease lasts unless renewed: a crashed reconciler's lease expires after this. */
  ttlSeconds: number;
  renewEveryMs: number;
}

const DEFAULT_LEASE_TIMING: LeaseTiming = { ttlSeconds: 120, renewEveryMs: 30_000 };

const leaseValue = `jsonb_build_object('holder', $2::text, 'host', $3::text, 'until', now() + make_interval(secs => $4::int))`;

/**
 * Taken when free, expired or already ours, in one statement. The outer SELECT reads the snapshot
 * from before the insert, so when the lease is someone else's it shows theirs.
 */
const TAKE_SQL = `
  WITH taken AS (
    INSERT INTO crm_bridge_state AS s (key, value) VALUES ($1, ${leaseValue})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value
    WHERE s.value->>'holder' = $2 OR coalesce((s.value->>'until')::timestamptz, '-infinity') <= now()
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM taken) AS ok, (SELECT value FROM crm_bridge_state WHERE key = $1) AS current`;

/** Renewal keeps a lease that is still ours, even past its time: nobody took it over, so nobody ran. */
const RENEW_SQL = `UPDATE crm_bridge_state SET value = ${leaseValue} WHERE key = $1 AND value->>'holder' = $2`;

/**
 * Held in the write's transaction: a takeover (an UPDATE of this row) waits until the write has
 * committed, so the next reconciler reads everything this one wrote.
 */
const HOLD_SQL = `SELECT 1 FROM crm_bridge_state WHERE key = $1 AND value->>'holder' = $2 FOR SHARE`;

const RELEASE_SQL = `DELETE FROM crm_bridge_state WHERE key = $1 AND value->>'holder' = $2`;

const heldLeaseSchema = z.object({ holder: z.string(), host: z.string().optional(), until: z.string() });

/** Runs one central write so that it commits only while the run holds the lease. */
export type WriteFence = <T>(write: () => Promise<T>) => Promise<T>;

export interface ReconcilerLease {
  /** The fence for writes on `db` (the run's own connection): each runs in a transaction holding the lease row. */
  fenceOn(db: pg.ClientBase): WriteFence;
  /**
   * Renews at once, or throws CONFLICT when the lease is no longer ours. For the CRM's commit,
   * which cannot join a central transaction: after it the lease is ours for a whole TTL.
   */
  confirm(): Promise<void>;
  /** Stops renewing and gives the lease up if it is still ours. */
  release(): Promise<void>;
}

export type LeaseAttempt = { ok: true; lease: ReconcilerLease } | { ok: false; reason: string };

const lostLeaseError = () =>
  new AppError(
    'CONFLICT',
    'This CRM reconciler lost its lease to another reconciler (it was paused or cut off for longer than the lease lasts, or the lease was changed by hand); it stopped before writing anything more, and the next run completes the work',
  );

/**
 * Takes the reconciler lease on a connection of its own (renewals must not queue behind the run's
 * long statements), renewing it on a timer while the run lasts. The connection is opened again
 * when it breaks, so a run cut off from the database still gives its lease up.
 */
export async function takeLease(connect: () => Promise<pg.Client>, timing: LeaseTiming = DEFAULT_LEASE_TIMING): Promise<LeaseAttempt> {
  const holder = newId();
  let client: Promise<pg.Client> | null = null;
  const onLeaseConnection = async (text: string, params: unknown[]) => {
    const current = (client ??= connect());
    try {
      return await (await current).query(text, params);
    } catch (error) {
      if (client === current) client = null;
      await current.then((c) => c.end()).catch(() => undefined);
      throw error;
    }
  };
  const close = async () => {
    const current = client;
    client = null;
    await current?.then((c) => c.end()).catch(() => undefined);
  };
  const params = [LEASE_KEY, holder, os.hostname(), timing.ttlSeconds];

  let taken: pg.QueryResult<{ ok: boolean; current: unknown }>;
  try {
    taken = await onLeaseConnection(TAKE_SQL, params);
  } catch (error) {
    await close();
    throw error;
  }
  if (taken.rows[0]?.ok !== true) {
    await close();
    const other = heldLeaseSchema.safeParse(taken.rows[0]?.current);
    const who = other.success ? ` (on ${other.data.host ?? 'another machine'}, its lease runs until ${other.data.until})` : '';
    return { ok: false, reason: `another CRM reconciler is running${who}; skipped` };
  }

  let lost = false;
  let stopped = false;
  const renew = async (): Promise<void> => {
    if (lost) throw lostLeaseError();
    const { rowCount } = await onLeaseConnection(RENEW_SQL, params);
    if (rowCount !== 1) {
      lost = true;
      throw lostLeaseError();
    }
  };
  let inflight: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (inflight || stopped) return;
    // A failed renewal is retried on the next tick; should the lease expire meanwhile, the fence
    // stops the run's writes.
    inflight = renew().catch(() => undefined).finally(() => (inflight = null));
  }, timing.renewEveryMs);
  timer.unref();

  return {
    ok: true,
    lease: {
      fenceOn(db) {
        return async (write) => {
          if (lost) throw lostLeaseError();
          await db.query('BEGIN');
          try {
            const held = await db.query(HOLD_SQL, [LEASE_KEY, holder]);
            if (held.rowCount !== 1) {
              lost = true;
              throw lostLeaseError();
            }
            const result = await write();
            await db.query('COMMIT');
            return result;
          } catch (error) {
            await db.query('ROLLBACK').catch(() => undefined);
            throw error;
          }
        };
      },
      confirm: renew,
      async release() {
        stopped = true;
        clearInterval(timer);
        await inflight;
        // Once again on a fresh connection when the first attempt finds it broken: a lease left
        // behind would keep every reconciler out until it expires.
        await onLeaseConnection(RELEASE_SQL, [LEASE_KEY, holder])
          .catch(() => onLeaseConnection(RELEASE_SQL, [LEASE_KEY, holder]))
          .catch(() => undefined)
          .finally(close);
      },
    },
  };
}
