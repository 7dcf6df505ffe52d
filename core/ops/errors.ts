import { AppError } from '../common/errors';
import { redact } from '../common/logger';

const codeOf = (error: unknown): string | null =>
  error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : null;

/**
 * One line describing why an operation failed, safe to print: connection strings lose their
 * credentials, and the password itself (when the caller knows it) is masked wherever it appears.
 */
export function describeFailure(error: unknown, secrets: readonly string[] = []): string {
  let message = error instanceof Error ? error.message : String(error);
  // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, a TLS error) is its cause.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
  if (cause && !message.includes(cause.message)) message = `${message}: ${cause.message}`;
  const code = error instanceof AppError ? null : codeOf(error);
  if (code && !message.includes(code)) message = `${code}: ${message}`;
  message = String(redact(message)).replace(/\b(postgres(ql)?|mysql|mariadb):\/\/[^\s]+/gi, '$1://…');
  for (const secret of secrets) if (secret.length >= 3) message = message.split(secret).join('***');
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim().slice(0, 500) || 'failed';
}

/** The password embedded in a URL, decoded, so messages can mask it; null when there is none. */
export function passwordOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const p = new URL(url).password;
    return p ? [p, decodeURIComponent(p)] : [];
  } catch {
    return [];
  }
}
