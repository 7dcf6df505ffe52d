import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AppError } from '../common/errors';
import { createLogger } from '../common/logger';
import type { ErrorCode } from '../../shared/errors';
import { notMigratedError } from '../sync/central/identity';
import { isOfflineError } from '../sync/errors';
import type { ServiceError } from '../sync/transport/protocol';
import { TooManySignIns } from './sign-in-limit';
import { Unauthenticated } from './tokens';

const log = createLogger('serve');

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * Every failure as one status and one envelope (docs/sync-service.md). The person's request is
 * refused in words; an unexpected failure is logged and answered without its details.
 */
export interface HttpError {
  status: number;
  body: { ok: false; error: ServiceError };
  headers?: Record<string, string>;
}

export function toHttpError(error: unknown): HttpError {
  const fail = (status: number, shape: ServiceError): HttpError => ({ status, body: { ok: false, error: shape } });
  if (error instanceof Unauthenticated) return fail(401, error.toShape());
  if (error instanceof TooManySignIns) return { ...fail(429, error.toShape()), headers: { 'retry-after': String(error.retryAfterSeconds) } };
  if (error instanceof AppError) return fail(STATUS[error.code], error.toShape());
  const code = (error as { code?: unknown } | null)?.code;
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  const message = error instanceof Error ? error.message : String(error);
  // Fastify's own refusals (body too large, malformed JSON, wrong content type).
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return fail(statusCode, { code: 'VALIDATION', message: statusCode === 413 ? 'The request body is larger than this service accepts' : message });
  }
  if (typeof code === 'string') {
    // undefined_table, undefined_function: the database is not (yet) a Coordinator central database.
    if (code === '42P01' || code === '42883') return fail(409, notMigratedError().toShape());
    // query_canceled: the request's statement timeout (as-person.ts) stopped a statement; its transaction was rolled back.
    if (code === '57014') {
      return fail(503, { code: 'UNAVAILABLE', message: 'The central database took too long on this request, so it was stopped and nothing of it was applied; try again shortly', sqlState: code });
    }
    // A push refused as a reused sequence or a gap: the replica renews its identity (docs/sync-identity.md).
    if (code === 'CSSEQ' || code === 'CSGAP') return fail(409, { code: 'CONFLICT', message, sqlState: code });
    if (code === '42501') return fail(403, { code: 'FORBIDDEN', message });
    if (code === '28000' || code === '28P01') return fail(403, { code: 'FORBIDDEN', message });
    // Data exceptions and integrity violations: the values sent are what the server refused.
    if (code.startsWith('22') || code.startsWith('23')) return fail(400, { code: 'VALIDATION', message: `The server refused the values sent: ${message}` });
  }
  if (isOfflineError(error)) return fail(503, { code: 'UNAVAILABLE', message: 'The central database cannot be reached right now; try again shortly' });
  log.error('request failed', { error: message, code: typeof code === 'string' ? code : undefined });
  return fail(500, { code: 'INTERNAL', message: 'Something went wrong inside the sync service; the details are in its log.' });
}

const CLIENT_ERRORS: Record<string, { status: number; error: ServiceError }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, error: { code: 'UNAVAILABLE', message: 'The request did not arrive in time, so the connection was closed; try again' } },
  HPE_HEADER_OVERFLOW: { status: 431, error: { code: 'VALIDATION', message: 'The request headers are larger than this service accepts' } },
};

/**
 * Node's own refusals, before a request reaches a handler (sent too slowly, headers too large,
 * bytes that are not HTTP), in the same envelope; the connection is closed after it.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, error: shape } = CLIENT_ERRORS[error.code ?? ''] ?? { status: 400, error: { code: 'VALIDATION', message: 'The request is not valid HTTP' } };
  if (socket.writable) {
    const body = JSON.stringify({ ok: false, error: shape });
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
