import { AppError } from '../common/errors';
import { describeTarget } from '../sync/central/connect';
import { describeSyncError, isOfflineError } from '../sync/errors';

/** The login a connection URL names (what the person typed in the Login field). */
export function loginOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || '(none)';
  } catch {
    return '(none)';
  }
}

/**
 * A failure to reach or log in to a team's server, in words a person can act on: the server is
 * not there, the password is wrong, the login is unknown or may no longer log in. Errors that
 * already speak (an AppError: not migrated, FORBIDDEN from sign-in) pass through.
 */
export function describeConnectFailure(error: unknown, url: string): AppError {
  if (error instanceof AppError) return error;
  const target = describeTarget(url);
  const login = loginOf(url);
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  let described: AppError;
  if (isOfflineError(error)) {
    described = new AppError('UNAVAILABLE', `Could not reach the server at ${target}: check the address and port, and that you are on the right network (or VPN). Nothing was changed.`);
  } else if (code === '28P01') {
    // With password authentication PostgreSQL answers the same for an unknown login, on purpose.
    described = new AppError('FORBIDDEN', `The server refused the password for the login "${login}": check it (passwords are case-sensitive), or ask your administrator to reset it. Nothing was changed.`);
  } else if (code === '28000' && /does not exist/i.test(message)) {
    described = new AppError('FORBIDDEN', `The server has no login named "${login}": check the spelling, or ask your administrator to give you access. Nothing was changed.`);
  } else if (code === '28000' && /not permitted to log in/i.test(message)) {
    described = new AppError('FORBIDDEN', `The login "${login}" may no longer log in to this server: your access was revoked; ask your administrator. Nothing was changed.`);
  } else if (code === '3D000') {
    described = new AppError('NOT_FOUND', `The server at ${target} has no such database: check the database name at the end of the server address. Nothing was changed.`);
  } else {
    described = new AppError('UNAVAILABLE', `Could not connect to ${target}: ${describeSyncError(error)}`);
  }
  described.cause = error;
  return described;
}
