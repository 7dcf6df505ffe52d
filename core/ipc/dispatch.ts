import { channels, type ChannelName } from '../../shared/contracts';
import type { Envelope } from '../../shared/errors';
import { AppError, parseInput, toErrorShape } from '../common/errors';
import { createLogger } from '../common/logger';
import type { Handlers } from './handlers';

const log = createLogger('ipc');

export const isChannelName = (name: unknown): name is ChannelName => typeof name === 'string' && Object.hasOwn(channels, name);

/** A printable name for whatever arrived as a channel; String() itself can throw on hostile objects. */
const describeChannel = (name: unknown): string => JSON.stringify(typeof name === 'string' ? name.slice(0, 80) : `(${typeof name})`);

/**
 * The single way a request reaches a handler: the channel must exist, the input must match its
 * schema, and the output is checked against the contract before it leaves. Failures become a
 * typed `{ok: false, error}`; nothing throws across the boundary.
 */
export async function dispatch(handlers: Handlers, channel: unknown, rawInput: unknown): Promise<Envelope<unknown>> {
  try {
    if (!isChannelName(channel)) throw new AppError('NOT_FOUND', `Unknown channel ${describeChannel(channel)}`);
    const contract = channels[channel];
    const input = parseInput(contract.input, rawInput, `input for ${channel}`);
    const handler = handlers[channel] as (input: unknown) => unknown;
    const output = await handler(input);
    const checked = contract.output.safeParse(output);
    if (!checked.success) {
      log.error('handler returned a value outside its contract', { channel, issues: checked.error.issues.slice(0, 5) });
      throw new AppError('INTERNAL', 'Something went wrong inside Coordinator; the details are in the log.');
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    if (!(error instanceof AppError)) log.error('handler failed', { channel: describeChannel(channel), error: error instanceof Error ? error.stack : describeChannel(error) });
    return { ok: false, error: toErrorShape(error) };
  }
}
