import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TaskRow } from '../../../shared/task-page';
import type { TaskPageInput } from '../../../shared/task-page';
import { onEvent, toApiError, type ApiError } from '../api';
import { fetchTaskPage } from './batchedPages';
import { tablesMatch } from './useQuery';

export type PagedTasks = {
  /** Rows matching the query in the database; undefined until the first page arrives. */
  total: number | undefined;
  /** The row at `index`, or undefined while its page is loading. */
  rowAt: (index: number) => TaskRow | undefined;
  /** Tells the source which rows are on screen, so it fetches the pages they fall in. */
  setRange: (start: number, end: number) => void;
  /** Refetches the pages on screen; resolves when they are in. */
  reload: () => Promise<void>;
  loading: boolean;
  error: ApiError | null;
  /** Changes whenever the rows change (for memoisation by consumers). */
  version: number;
  /** The query the rows belong to: views scroll back to the top when it changes. */
  queryKey: string;
};

type Query = Omit<TaskPageInput, 'limit' | 'offset'>;

const TABLES = ['tasks', 'projects', 'employees', 'comments'];

/**
 * A task list read page by page through `tasks.page`. Only the pages under the visible window
 * are fetched; a new query (filter, sort) replaces the rows only when its first pages arrive, so
 * the list never flashes empty while typing. There is no debounce: a page costs a few ms in
 * SQLite, and responses to superseded queries are dropped, so a keystroke shows its result as
 * soon as its query answers.
 */
export function usePagedTasks(query: Query, { pageSize = 100 }: { pageSize?: number } = {}): PagedTasks {
  const key = JSON.stringify(query);
  const [state, setState] = useState<{ key: string; total: number | undefined; pages: Map<number, TaskRow[]>; version: number }>(
    () => ({ key: '', total: undefined, pages: new Map(), version: 0 }),
  );
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const range = useRef({ start: 0, end: pageSize });
  const generation = useRef(0);
  const inFlight = useRef(new Set<string>());
  const queryRef = useRef(query);
  queryRef.current = query;

  const pagesFor = useCallback(
    (start: number, end: number, total: number | undefined) => {
      const last = Math.max(start, (total === undefined ? end : Math.min(end, total)) - 1);
      const out: number[] = [];
      for (let p = Math.floor(start / pageSize); p <= Math.floor(last / pageSize); p += 1) out.push(p);
      return out;
    },
    [pageSize],
  );

  const fetchPage = useCallback(
    (page: number) =>
      fetchTaskPage({ ...queryRef.current, limit: pageSize, offset: page * pageSize }),
    [pageSize],
  );

  /** Replaces every row with fresh pages for the current window (new query, or data changed). */
  const refresh = useCallback(async () => {
    const gen = ++generation.current;
    const queryKey = JSON.stringify(queryRef.current);
    inFlight.current.clear();
    setLoading(true);
    try {
      const wanted = pagesFor(range.current.start, range.current.end, undefined);
      const results = await Promise.all(wanted.map((p) => fetchPage(p)));
      if (gen !== generation.current) return;
      const pages = new Map<number, TaskRow[]>();
      wanted.forEach((p, i) => pages.set(p, results[i]!.items));
      const total = results[0]?.total ?? 0;
      setState((s) => ({ key: queryKey, total, pages, version: s.version + 1 }));
      setError(null);
    } catch (err) {
      if (gen === generation.current) setError(toApiError(err));
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, [fetchPage, pagesFor]);

  // A new query starts at the top of the list.
  useEffect(() => {
    range.current = { start: 0, end: Math.max(pageSize, range.current.end - range.current.start) };
    void refresh();
  }, [key, refresh, pageSize]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onEvent('data.changed', (payload) => {
      if (!tablesMatch(TABLES, payload?.tables ?? [])) return;
      // Coalesce bursts of change events into one refetch.
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void refresh(), 40);
    });
    return () => {
      if (timer) clearTimeout(timer);
      off();
    };
  }, [refresh]);

  const stateRef = useRef(state);
  stateRef.current = state;

  const setRange = useCallback(
    (start: number, end: number) => {
      range.current = { start, end };
      const current = stateRef.current;
      if (current.key !== key) return; // the query's first pages are on their way
      const gen = generation.current;
      for (const p of pagesFor(start, end, current.total)) {
        const id = `${gen}:${p}`;
        if (current.pages.has(p) || inFlight.current.has(id)) continue;
        inFlight.current.add(id);
        fetchPage(p).then(
          (result) => {
            inFlight.current.delete(id);
            if (gen !== generation.current) return;
            setState((s) => {
              const pages = new Map(s.pages);
              pages.set(p, result.items);
              return { ...s, total: result.total, pages, version: s.version + 1 };
            });
          },
          (err: unknown) => {
            inFlight.current.delete(id);
            if (gen === generation.current) setError(toApiError(err));
          },
        );
      }
    },
    [key, fetchPage, pagesFor],
  );

  const rowAt = useCallback((index: number) => state.pages.get(Math.floor(index / pageSize))?.[index % pageSize], [state.pages, pageSize]);

  return useMemo(
    () => ({ total: state.total, rowAt, setRange, reload: refresh, loading, error, version: state.version, queryKey: state.key }),
    [state.total, state.version, state.key, rowAt, setRange, refresh, loading, error],
  );
}
