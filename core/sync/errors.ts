import { describeNotPostgres } from './central/connect';
/** Errors that mean "the central database cannot be reached right now" rather than "something is wrong". */
const OFFLINE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE',
  '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004',
]);

export function isOfflineError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && OFFLINE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|socket hang up|Query read timeout|query_timeout/i.test(message);
}

/**
 * The server refusing the login itself: 28000 is a role that may not log in (an administrator
 * revoked it, or it was never given access), 28P01 a password it no longer accepts.
 */
const REFUSED_LOGIN: Record<string, string> = {
  '28000': 'The central database refused this login: access was revoked (or never given); ask your administrator. Changes not yet synced are kept on this computer.',
  '28P01': 'The central database refused the password for this login: it was reset, or access was revoked; ask your administrator. Changes not yet synced are kept on this computer.',
};

export function describeSyncError(error: unknown): string {
  if (isOfflineError(error)) return 'The central database cannot be reached; changes are kept and will sync when it is back.';
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && REFUSED_LOGIN[code]) return REFUSED_LOGIN[code];
  const notPostgres = describeNotPostgres(error);
  if (notPostgres) return notPostgres;
  const message = error instanceof Error ? error.message : String(error);
  // Connection strings never reach a message shown to people or written to logs.
  return message.replace(/postgres(ql)?:\/\/[^\s]+/gi, 'postgres://…');
}
