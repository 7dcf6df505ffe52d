import { z } from 'zod';

/** Every failure that crosses a boundary (IPC, CLI JSON) is one of these codes. */
export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'FORBIDDEN',
  'CONFLICT',
  'INVALID_TRANSITION',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const appErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** Field-level problems for VALIDATION: path → message. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type AppErrorShape = z.infer<typeof appErrorSchema>;

/** The one result envelope used across IPC. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape };
