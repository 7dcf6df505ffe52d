import { AppError } from '../common/errors';
import { createLogger } from '../common/logger';
import type { ErrorCode } from '../../shared/errors';
import { notMigratedError } from '../sync/central/identity';
import { isOfflineError } from '../sync/errors';
import type { ServiceError } from '../sync/transport/protocol';
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
export function toHttpError(error: unknown): { status: number; body: { ok: false; error: ServiceError } } {
  const fail = (status: number, shape: ServiceError) => ({ status, body: { ok: false as const, error: shape } });
  if (error instanceof Unauthenticated) return fail(401, error.toShape());
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
