import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../../shared/contracts/index';
import { ApiError, call, onEvent, toApiError } from '../api';

export type QueryOptions = {
  /**
   * Entity tables this view shows (e.g. ['tasks', 'projects']). A 'data.changed' event naming
   * any of them triggers a refetch. Omit to refetch on every change.
   */
  tables?: readonly string[];
  /** Also refetch when a new notification arrives. */
  onNotification?: boolean;
  enabled?: boolean;
};

export type QueryState<T> = {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
};

/** "task_comments" → "taskcomment", "Tasks" → "task": lets 'comments' match 'task_comments'. */
const norm = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '').replace(/s$/, '');

export function tablesMatch(watched: readonly string[] | undefined, changed: readonly string[]): boolean {
  if (!watched || changed.length === 0) return true;
  const w = watched.map(norm);
  return changed.some((c) => {
    const n = norm(c);
    return w.some((x) => n.includes(x) || x.includes(n));
  });
}

/**
 * Fetches a channel and keeps it fresh: refetches when the input changes, when `reload` is
 * called, and when main reports a relevant data change. Previous data stays visible while a
 * refetch is in flight, so views do not flicker.
 */
export function useQuery<C extends ChannelName>(
  channel: C,
  input: ChannelInput<C>,
  options: QueryOptions = {},
): QueryState<ChannelOutput<C>> {
  const { enabled = true, onNotification = false } = options;
  const key = JSON.stringify(input ?? null);
  const tablesKey = options.tables ? options.tables.join(',') : '*';
  const [data, setData] = useState<ChannelOutput<C> | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(enabled);
  const [nonce, setNonce] = useState(0);
  const inputRef = useRef(input);
  inputRef.current = input;

  const reload = useCallback(() => setNonce((n) => n + 1), []);

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    setLoading(true);
    (call as (c: C, i: ChannelInput<C>) => Promise<ChannelOutput<C>>)(channel, inputRef.current).then(
      (value) => {
        if (cancelled) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (cancelled) return;
        setError(toApiError(err));
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [channel, key, enabled, nonce]);

  useEffect(() => {
    if (!enabled) return;
    const watched = tablesKey === '*' ? undefined : tablesKey.split(',');
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Coalesce bursts of change events into one refetch.
    const schedule = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => setNonce((n) => n + 1), 40);
    };
    const offs = [
      onEvent('data.changed', (payload) => {
        if (tablesMatch(watched, payload?.tables ?? [])) schedule();
      }),
    ];
    if (onNotification) offs.push(onEvent('notifications.new', schedule));
    return () => {
      if (timer) clearTimeout(timer);
      for (const off of offs) off();
    };
  }, [tablesKey, enabled, onNotification]);

  return { data, error, loading, reload };
}
