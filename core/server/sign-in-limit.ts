import { AppError } from '../common/errors';

/**
 * Sign-in rate limiting (docs/sync-service.md): every password check costs a PostgreSQL
 * connection and a SCRAM exchange, and a login that answers wrong passwords for ever can be
 * guessed. So each instance counts failed sign-ins per login and per client address in a sliding
 * window and refuses more (HTTP 429, Retry-After) until the oldest failure leaves the window. A
 * refused attempt checks no password, so it neither reaches the database nor reveals anything.
 *
 * Kept in memory: behind a balancer each instance counts on its own, so a login may be tried
 * (instances × perLogin) times per window. An attempt counts from the moment it starts, so a burst
 * of parallel attempts is bounded too; it stops counting if the password was right or the check
 * never happened (the database was unreachable).
 */
export interface SignInLimits {
  /** Failed sign-ins one login may have in a window, from anywhere. */
  perLogin: number;
  /** Failed sign-ins from one client address in a window, whatever the logins. */
  perAddress: number;
  windowSeconds: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { perLogin: 10, perAddress: 50, windowSeconds: 15 * 60 };

/** Keys (logins and addresses) remembered at most; beyond it the longest-known are forgotten first. */
const MAX_KEYS = 100_000;

/** HTTP 429: the client waits `retryAfterSeconds` before trying to sign in again. */
export class TooManySignIns extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super('UNAVAILABLE', message);
  }
}

/** How one sign-in attempt ended: only a wrong password (or a login that may not sign in) keeps counting. */
export interface SignInAttempt {
  failed(): void;
  succeeded(): void;
  abandoned(): void;
}

export interface SignInLimiter {
  /** Counts an attempt for the login and the address, or throws TooManySignIns when either has used its window. */
  begin(login: string, address: string): SignInAttempt;
}

export function createSignInLimiter(limits: SignInLimits, now: () => number): SignInLimiter {
  const windowMs = limits.windowSeconds * 1000;
  /** Key → start times (ms) of the attempts that still count, oldest first. */
  const attempts = new Map<string, number[]>();

  function live(key: string, at: number): number[] {
    const list = attempts.get(key) ?? [];
    while (list.length > 0 && (list[0] as number) <= at - windowMs) list.shift();
    if (list.length === 0) attempts.delete(key);
    return list;
  }

  function makeRoom(at: number): void {
    if (attempts.size < MAX_KEYS) return;
    for (const key of [...attempts.keys()]) live(key, at);
    for (const key of attempts.keys()) {
      if (attempts.size < MAX_KEYS * 0.9) break;
      attempts.delete(key);
    }
  }

  function forget(key: string, at: number): void {
    const list = attempts.get(key);
    const index = list?.indexOf(at) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
    if (list?.length === 0) attempts.delete(key);
  }

  return {
    begin(login, address) {
      const at = now();
      const keys = [
        { key: `login:${login}`, max: limits.perLogin, who: 'this login' },
        { key: `address:${address}`, max: limits.perAddress, who: 'this address' },
      ];
      for (const { key, max, who } of keys) {
        const list = live(key, at);
        if (list.length >= max) {
          const retryAfterSeconds = Math.max(1, Math.ceil(((list[0] as number) + windowMs - at) / 1000));
          throw new TooManySignIns(retryAfterSeconds, `Too many failed sign-ins for ${who}; try again in ${inWords(retryAfterSeconds)}`);
        }
      }
      makeRoom(at);
      for (const { key } of keys) {
        const list = attempts.get(key);
        if (list) list.push(at);
        else attempts.set(key, [at]);
      }
      const release = () => {
        for (const { key } of keys) forget(key, at);
      };
      return { failed: () => undefined, succeeded: release, abandoned: release };
    },
  };
}

function inWords(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
