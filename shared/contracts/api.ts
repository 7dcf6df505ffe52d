import type { Envelope } from '../errors';
import type { ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload } from './index';

/**
 * What the preload exposes as `window.coordinator`. The renderer never sees ipcRenderer; the
 * e2e harness supplies the same shape through Playwright bindings.
 */
export interface CoordinatorBridge {
  invoke<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<Envelope<ChannelOutput<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}
