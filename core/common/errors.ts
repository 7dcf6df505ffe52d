import type { z } from 'zod';
import type { AppErrorShape, ErrorCode } from '../../shared/errors';

/**
 * The one error type the core throws on purpose. Anything else reaching a boundary is a bug and
 * is reported as INTERNAL without leaking its message.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  toShape(): AppErrorShape {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

export const notFound = (what: string, id: string) => new AppError('NOT_FOUND', `${what} ${id} does not exist`);

export function validationError(error: z.ZodError, subject = 'input'): AppError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  const summary = issues.map((i) => (i.path === '(root)' ? i.message : `${i.path} ${i.message}`)).join('; ');
  return new AppError('VALIDATION', `Invalid ${subject}: ${summary}`, issues);
}

/** Parses with a zod schema and turns failure into a VALIDATION AppError. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, subject?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, subject);
  return result.data;
}

export function toErrorShape(error: unknown): AppErrorShape {
  if (error instanceof AppError) return error.toShape();
  return { code: 'INTERNAL', message: 'Something went wrong inside Coordinator; the details are in the log.' };
}
