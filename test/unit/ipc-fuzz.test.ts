/**
 * Every IPC channel against random input, through the real dispatch path and a real core on a
 * real SQLite file: whatever arrives, the answer is a typed envelope (never a throw, never an
 * INTERNAL error that would mean a handler crashed), and input the contract rejects changes
 * nothing in the database — not a row, not an outbox entry, not an audit line.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { channelNames, channels, type ChannelName } from '../../shared/contracts';
import { appErrorSchema } from '../../shared/errors';
import { dispatch } from '../../core/ipc/dispatch';
import { createHandlers, type Handlers } from '../../core/ipc/handlers';
import { tempCore } from '../support/core';

/** Runs per channel: enough to hit every field with odd values, and seconds for the whole file. */
const RUNS = Number(process.env.IPC_FUZZ_RUNS ?? 40);

let core: ReturnType<typeof tempCore>;
let handlers: Handlers;
let knownIds: string[] = [];

const counts = () => {
  const one = (sql: string) => (core.db.prepare(sql).get() as { n: number }).n;
  return {
    // Every row inserted, updated or deleted on this connection since it opened.
    changes: one('SELECT total_changes() AS n'),
    outbox: one('SELECT count(*) AS n FROM sync_outbox'),
    audit: one('SELECT count(*) AS n FROM audit_log'),
  };
};

/** Random values, including the shapes that break naive code: prototypes, huge numbers, cycles of types. */
const anything = () =>
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
    withBoxedValues: true,
    maxDepth: 3,
    key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'id', 'title', 'status')),
  });

/** A value for a known field: often plausible (a real id, a short string), sometimes hostile. */
const fieldValue = () =>
  fc.oneof(
    anything(),
    fc.string({ maxLength: 40 }),
    fc.string({ minLength: 5000, maxLength: 6000 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(...(knownIds.length ? knownIds : ['x'])),
    fc.constantFrom('todo', 'done', 'in_progress', 'urgent', '2026-02-30', '1e309', '', ' ', '\u0000', '<script>alert(1)</script>', "'; DROP TABLE tasks; --"),
  );

/** Objects with the contract's own keys (so validation of each field is exercised) or plain noise. */
function inputFor(name: ChannelName): fc.Arbitrary<unknown> {
  const schema = channels[name].input;
  const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  const shaped = keys.length
    ? fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), fieldValue(), { maxKeys: keys.length + 2 })
    : fc.constant(undefined);
  return fc.oneof(anything(), shaped, fc.constant(undefined), fc.constant(null));
}

beforeAll(() => {
  core = tempCore();
  core.demo.seed();
  knownIds = [
    ...core.tasks.list({}).slice(0, 3).map((t) => t.id),
    ...core.projects.list().slice(0, 2).map((p) => p.id),
    ...core.users.list().slice(0, 2).map((u) => u.id),
  ];
  handlers = createHandlers(core, { version: '0.0.0-fuzz' });
});
afterAll(() => core?.dispose());

describe('IPC fuzzing: every channel, random payloads', () => {
  it.each(channelNames)('%s answers with a typed envelope and never writes for invalid input', async (name) => {
    await fc.assert(
      fc.asyncProperty(inputFor(name), async (input) => {
        const valid = channels[name].input.safeParse(input).success;
        const before = counts();
        const envelope = await dispatch(handlers, name, input);
        expect(typeof envelope.ok).toBe('boolean');
        if (envelope.ok) {
          expect(valid).toBe(true);
          return;
        }
        const error = appErrorSchema.parse(envelope.error);
        expect(error.code, error.message).not.toBe('INTERNAL');
        expect(error.message).not.toMatch(/\n\s+at /); // no stack traces across the boundary
        if (!valid) {
          expect(error.code).toBe('VALIDATION');
          expect(counts()).toEqual(before);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('unknown channel names are refused as NOT_FOUND without touching anything', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anything(), fc.string()), anything(), async (name, input) => {
        fc.pre(!(typeof name === 'string' && Object.hasOwn(channels, name)));
        const before = counts();
        const envelope = await dispatch(handlers, name, input);
        expect(envelope).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
        expect(counts()).toEqual(before);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
