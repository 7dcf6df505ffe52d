import type { z } from 'zod';

/** One request/response IPC channel: its name and the zod schemas of what goes in and comes out. */
export interface ChannelContract<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
}

/** One main → renderer event and the schema of its payload. */
export interface EventContract<P extends z.ZodType = z.ZodType> {
  readonly payload: P;
}

export const channel = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): ChannelContract<I, O> => ({
  input,
  output,
});

export const event = <P extends z.ZodType>(payload: P): EventContract<P> => ({ payload });
