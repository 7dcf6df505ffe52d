import type { CoordinatorBridge } from '../../shared/contracts/api';
import type {
  ChannelInput,
  ChannelName,
  ChannelOutput,
  EventName,
  EventPayload,
} from '../../shared/contracts/index';
import type { AppErrorShape, ErrorCode } from '../../shared/errors';

declare global {
  interface Window {
    /** Exposed by the preload (or by the e2e harness). The renderer's only way out. */
    coordinator: CoordinatorBridge;
  }
}

export type Issue = { path: string; message: string };

/** A failed call: the envelope's error, thrown. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly issues: Issue[];

  constructor(error: AppErrorShape) {
    super(error.message);
    this.name = 'ApiError';
    this.code = error.code;
    this.issues = error.issues ?? [];
  }

  /** Field path → first message, for showing errors next to inputs (root-level issues excluded). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const issue of this.issues) {
      const key = issue.path;
      if (!key || key === '(root)') continue;
      if (!(key in out)) out[key] = issue.message;
    }
    return out;
  }
}

/**
 * Splits a failure into messages for the fields a form shows and a general error for the rest
 * (non-validation failures, or validation issues about fields the form does not display).
 */
export function splitErrors(err: unknown, shownFields: readonly string[]): { fields: Record<string, string>; general: ApiError | null } {
  const e = toApiError(err);
  const all = e.fieldErrors();
  const fields: Record<string, string> = {};
  for (const f of shownFields) if (all[f]) fields[f] = all[f];
  const covered = e.code === 'VALIDATION' && Object.keys(fields).length > 0 && Object.keys(all).length === Object.keys(fields).length && e.issues.every((i) => i.path && i.path !== '(root)');
  return { fields, general: covered ? null : e };
}

export const toApiError = (err: unknown): ApiError => {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError({ code: 'INTERNAL', message });
};

function bridge(): CoordinatorBridge {
  const b = (window as Partial<Window>).coordinator;
  if (!b || typeof b.invoke !== 'function') {
    throw new ApiError({ code: 'UNAVAILABLE', message: 'The application bridge is not available.' });
  }
  return b;
}

type CallArgs<C extends ChannelName> = undefined extends ChannelInput<C>
  ? [input?: ChannelInput<C>]
  : [input: ChannelInput<C>];

/** Calls a channel and returns its value, or throws an ApiError carrying code/message/issues. */
export async function call<C extends ChannelName>(channel: C, ...args: CallArgs<C>): Promise<ChannelOutput<C>> {
  const input = args[0] as ChannelInput<C>;
  let envelope: Awaited<ReturnType<CoordinatorBridge['invoke']>>;
  try {
    envelope = await bridge().invoke(channel, input);
  } catch (err) {
    throw toApiError(err);
  }
  if (!envelope || typeof envelope !== 'object' || !('ok' in envelope)) {
    throw new ApiError({ code: 'INTERNAL', message: `Malformed response from ${channel}` });
  }
  if (envelope.ok) return envelope.value as ChannelOutput<C>;
  throw new ApiError(envelope.error);
}

/** Subscribes to a main → renderer event; returns the unsubscribe function. */
export function onEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  const b = (window as Partial<Window>).coordinator;
  if (!b || typeof b.on !== 'function') return () => {};
  return b.on(event, listener);
}
