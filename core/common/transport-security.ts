import { isIP } from 'node:net';
import { TLS_MODES, type TlsMode } from '../../shared/settings';
import { AppError } from './errors';

/**
 * The transport rules every database connection follows (central PostgreSQL, the CRM's MySQL):
 * one TLS vocabulary, one definition of "this machine", and one refusal — a password never
 * travels in clear text to another machine unless the administrator explicitly allowed it.
 */

/** MySQL's `ssl-mode` names (and a few spellings) mapped onto libpq's. */
const ALIASES: Record<string, TlsMode> = {
  disable: 'disable',
  disabled: 'disable',
  false: 'disable',
  require: 'require',
  required: 'require',
  true: 'require',
  'verify-ca': 'verify-ca',
  verify_ca: 'verify-ca',
  'verify-full': 'verify-full',
  verify_identity: 'verify-full',
  'verify-identity': 'verify-full',
};

/**
 * Reads a TLS mode from a URL parameter or an option. `prefer`/`allow` (TLS only if the server
 * offers it) are refused: a man in the middle simply does not offer it, so they protect nothing.
 */
export function parseTlsMode(raw: string | null | undefined, fallback: TlsMode = 'disable'): TlsMode {
  if (raw === null || raw === undefined || raw.trim() === '') return fallback;
  const mode = ALIASES[raw.trim().toLowerCase()];
  if (mode) return mode;
  if (/^(prefer|preferred|allow)$/i.test(raw.trim())) {
    throw new AppError('VALIDATION', `TLS mode "${raw}" can silently fall back to plain text; use require, verify-ca or verify-full (or disable)`);
  }
  throw new AppError('VALIDATION', `Unknown TLS mode "${raw.slice(0, 40)}"; use one of ${TLS_MODES.join(', ')}`);
}

/**
 * True for this machine: `localhost`, the whole 127.0.0.0/8 block, ::1 (also bracketed as in a
 * URL host) and Unix socket paths. Anything else — including a LAN address — is "another machine".
 */
export function isLoopbackHost(host: string | null | undefined): boolean {
  if (host === null || host === undefined) return true; // the driver's default: a local socket
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === '' || h.startsWith('/')) return true;
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export interface PasswordTransport {
  /** What is being connected to, for the message: "PostgreSQL", "the CRM's MySQL". */
  service: string;
  host: string | null | undefined;
  tls: TlsMode;
  hasPassword: boolean;
  allowPlaintextPassword?: boolean;
}

/** Throws FORBIDDEN when a password would cross the network unencrypted without permission. */
export function assertPasswordTransport(t: PasswordTransport): void {
  if (!t.hasPassword || t.tls !== 'disable' || t.allowPlaintextPassword === true || isLoopbackHost(t.host)) return;
  // The host is named, never the password (this message reaches logs and the UI).
  throw new AppError(
    'FORBIDDEN',
    `Refusing to send a password in clear text to ${t.service} at ${String(t.host).slice(0, 100)}; enable TLS (add ?sslmode=require or ?sslmode=verify-full to the URL) or allow plain-text passwords explicitly (the CLI's --allow-plaintext-password, or the option in the app's connection settings)`,
  );
}

/** The Node `tls` options both drivers accept (`pg`'s and `mysql2`'s `ssl` option). */
export type TlsOptions = false | { rejectUnauthorized: boolean; ca?: string; checkServerIdentity?: () => undefined };

/**
 * `require` encrypts without checking the certificate (libpq's meaning), `verify-ca` checks the
 * chain but not the host name, `verify-full` checks both.
 */
export function tlsOptions(mode: TlsMode, ca?: string): TlsOptions {
  if (mode === 'disable') return false;
  return {
    rejectUnauthorized: mode !== 'require',
    ...(ca ? { ca } : {}),
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}
