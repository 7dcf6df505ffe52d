import { useEffect, useState } from 'react';
import type { MemoryResult } from '../../../../shared/memory';
import { call, toApiError, type ApiError } from '../../api';
import { useDebounced } from '../../lib/useDebounced';

/** Below this many characters the palette's fuzzy matches say enough; meaning needs a few words. */
const MIN_CHARS = 3;

/**
 * Semantic memory search for the palette (formerly the standalone Ctrl+K search): debounced,
 * stale answers dropped, degraded (words-only) state and errors surfaced as they come.
 */
export function useSemanticSearch(query: string): { results: MemoryResult[]; degraded: string | null; error: ApiError | null; loading: boolean; settled: string } {
  const debounced = useDebounced(query.trim(), 180);
  const [results, setResults] = useState<MemoryResult[]>([]);
  const [degraded, setDegraded] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [settled, setSettled] = useState('');

  useEffect(() => {
    if (debounced.length < MIN_CHARS) {
      setResults([]);
      setDegraded(null);
      setError(null);
      setSettled(debounced);
      return;
    }
    let cancelled = false;
    setLoading(true);
    call('memory.search', { query: debounced, k: 12 })
      .then((out) => {
        if (cancelled) return;
        setResults(out.results);
        setDegraded(out.degraded);
        setError(null);
        setSettled(debounced);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(toApiError(err));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [debounced]);

  return { results, degraded, error, loading, settled };
}
