import { useCallback, useEffect, useState } from 'react';
import type { SyncStatusView } from '../../../shared/settings';
import { call, onEvent, toApiError, type ApiError } from '../api';

/**
 * The sync status as main reports it: fetched once, replaced by every `sync.status` event, and
 * refetched after local changes (the pending count moves with every edit).
 */
export function useSyncStatus(): { status: SyncStatusView | null; error: ApiError | null; reload: () => void } {
  const [status, setStatus] = useState<SyncStatusView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [nonce, setNonce] = useState(0);
  const reload = useCallback(() => setNonce((n) => n + 1), []);

  useEffect(() => {
    let cancelled = false;
    call('sync.status').then(
      (value) => {
        if (cancelled) return;
        setStatus(value);
        setError(null);
      },
      (err: unknown) => {
        if (!cancelled) setError(toApiError(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [nonce]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const offStatus = onEvent('sync.status', (next) => {
      setStatus(next);
      setError(null);
    });
    const offChanges = onEvent('data.changed', () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => setNonce((n) => n + 1), 80);
    });
    return () => {
      if (timer) clearTimeout(timer);
      offStatus();
      offChanges();
    };
  }, []);

  return { status, error, reload };
}

/** Re-renders every `ms` so relative times ("5m ago") stay true. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
