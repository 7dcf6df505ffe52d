import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { AppError, notFound, parseInput, toErrorShape, validationError } from '../../core/common/errors';
import { appErrorSchema } from '../../shared/errors';
import { taskCreateInput } from '../../shared/inputs';

/** The one error type that crosses boundaries, and how input validation turns into it. */

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('AppError', () => {
  it('carries a code, a message and, for validation, field issues', () => {
    const error = new AppError('VALIDATION', 'Bad', [{ path: 'title', message: 'is required' }]);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AppError');
    expect(error.toShape()).toEqual({ code: 'VALIDATION', message: 'Bad', issues: [{ path: 'title', message: 'is required' }] });
  });

  it('leaves issues out of the shape when there are none, and the shape matches the IPC schema', () => {
    const shape = new AppError('CONFLICT', 'Taken').toShape();
    expect(shape).toEqual({ code: 'CONFLICT', message: 'Taken' });
    expect(appErrorSchema.parse(shape)).toEqual(shape);
  });

  it('names the missing thing in NOT_FOUND', () => {
    expect(notFound('Task', 'abc').toShape()).toEqual({ code: 'NOT_FOUND', message: 'Task abc does not exist' });
  });
});

describe('parseInput', () => {
  it('returns the parsed value (trimmed, with transforms applied)', () => {
    expect(parseInput(taskCreateInput, { title: '  Call the client  ' })).toEqual({ title: 'Call the client' });
  });

  it('turns every problem into a VALIDATION error with one issue per field', () => {
    const error = caught(() => parseInput(taskCreateInput, { title: '', status: 'nope', dueDate: '2026-02-30', estimatedHours: -1, projectId: 'x' }));
    expect(error.code).toBe('VALIDATION');
    expect(error.issues?.map((i) => i.path).sort()).toEqual(['dueDate', 'estimatedHours', 'projectId', 'status', 'title']);
    expect(error.issues?.find((i) => i.path === 'dueDate')?.message).toBe('is not a real calendar date');
    expect(error.issues?.find((i) => i.path === 'estimatedHours')?.message).toBe('cannot be negative');
    expect(error.issues?.find((i) => i.path === 'projectId')?.message).toBe('must be a UUID');
    expect(error.message).toMatch(/^Invalid input: /);
    expect(error.message).toContain('title is required');
  });

  it('reports an unknown key at the root, naming the key', () => {
    const error = caught(() => parseInput(taskCreateInput, { title: 'x', colour: 'red' }));
    expect(error.issues).toEqual([{ path: '(root)', message: 'Unrecognized key: "colour"' }]);
  });

  it('names the subject in the message', () => {
    expect(() => parseInput(z.uuid(), 'nope', 'task id')).toThrow(/^Invalid task id: /);
  });

  it('joins nested paths with dots', () => {
    const schema = z.object({ a: z.object({ b: z.array(z.number()) }) });
    const error = validationError(schema.safeParse({ a: { b: [1, 'x'] } }).error as z.ZodError);
    expect(error.issues?.[0]?.path).toBe('a.b.1');
  });
});

describe('toErrorShape', () => {
  it('passes AppErrors through', () => {
    expect(toErrorShape(new AppError('FORBIDDEN', 'Not yours'))).toEqual({ code: 'FORBIDDEN', message: 'Not yours' });
  });

  it('hides the message of anything else behind INTERNAL', () => {
    const shape = toErrorShape(new Error('SQLITE_CORRUPT at /home/alex/secret.db'));
    expect(shape.code).toBe('INTERNAL');
    expect(shape.message).not.toContain('secret');
    expect(toErrorShape('a string').code).toBe('INTERNAL');
  });
});
