import { channelNames, eventNames, type ChannelName, type EventName } from '../../shared/contracts';
import type { CoordinatorBridge } from '../../shared/contracts/api';
import type { Envelope } from '../../shared/errors';

/**
 * The preload's logic without Electron: the allow-lists derived from the contracts and the
 * bridge built on an injected transport. `index.ts` only plugs ipcRenderer in.
 */

/** The single IPC channel every request travels on; the contract channel name is an argument. */
export const IPC_INVOKE_CHANNEL = 'coordinator:invoke';
const EVENT_PREFIX = 'coordinator:event:';

/** The IPC channel a main → renderer event is sent on. */
export const ipcEventChannel = (event: EventName): string => `${EVENT_PREFIX}${event}`;

export const allowedChannels: ReadonlySet<string> = new Set<string>(channelNames);
export const allowedEvents: ReadonlySet<string> = new Set<string>(eventNames);

export const isAllowedChannel = (name: unknown): name is ChannelName => typeof name === 'string' && allowedChannels.has(name);
export const isAllowedEvent = (name: unknown): name is EventName => typeof name === 'string' && allowedEvents.has(name);

/** What the bridge needs from Electron: send a request, listen on an IPC channel. */
export interface BridgeTransport {
  invoke(ipcChannel: string, channel: ChannelName, input: unknown): Promise<unknown>;
  /** Listens on `ipcChannel`, delivering only the payload; returns the unsubscribe. */
  subscribe(ipcChannel: string, deliver: (payload: unknown) => void): () => void;
}

// Never String(value): a hostile object's toString can throw.
const describe = (value: unknown): string => JSON.stringify(typeof value === 'string' ? value.slice(0, 80) : `(${typeof value})`);

/** `window.coordinator`: requests only on contract channels, events only for contract events. */
export function createBridge(transport: BridgeTransport): CoordinatorBridge {
  const invoke = async (channel: unknown, input: unknown): Promise<Envelope<unknown>> => {
    if (!isAllowedChannel(channel)) {
      return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown channel ${describe(channel)}` } };
    }
    try {
      return (await transport.invoke(IPC_INVOKE_CHANNEL, channel, input)) as Envelope<unknown>;
    } catch {
      // Only when main has no handler yet (starting up) or is shutting down.
      return { ok: false, error: { code: 'UNAVAILABLE', message: 'Coordinator is not ready; try again in a moment.' } };
    }
  };

  const on = (event: unknown, listener: unknown): (() => void) => {
    if (!isAllowedEvent(event)) throw new TypeError(`Unknown event ${describe(event)}`);
    if (typeof listener !== 'function') throw new TypeError('The listener must be a function');
    let active = true;
    const unsubscribe = transport.subscribe(ipcEventChannel(event), (payload) => {
      if (active) (listener as (payload: unknown) => void)(payload);
    });
    return () => {
      if (!active) return;
      active = false;
      unsubscribe();
    };
  };

  return { invoke, on } as CoordinatorBridge;
}
