import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MemoryResult } from '../../../../shared/memory';
import { call, toApiError, type ApiError } from '../../api';
import { useApp } from '../../lib/appContext';
import { useDebounced } from '../../lib/useDebounced';
import { Highlighted, TYPE_LABELS } from './Highlighted';
import './search.css';

const ORDER: MemoryResult['contentType'][] = ['task', 'comment', 'project', 'note'];

/**
 * Global search over semantic memory (Ctrl+K / ⌘K): results grouped by type, matched words
 * highlighted, Enter or a click opens the source (and counts the access). Self-contained, so a
 * command palette can later host it.
 */
export function GlobalSearch() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'k' || e.key === 'K')) {
        e.preventDefault();
        setOpen((o) => !o);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return open ? <SearchDialog onClose={() => setOpen(false)} /> : null;
}

function SearchDialog({ onClose }: { onClose: () => void }) {
  const { openTask, navigate } = useApp();
  const [query, setQuery] = useState('');
  const debounced = useDebounced(query.trim(), 180);
  const [results, setResults] = useState<MemoryResult[]>([]);
  const [degraded, setDegraded] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [active, setActive] = useState(0);
  const [expandedNote, setExpandedNote] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => inputRef.current?.focus(), []);

  useEffect(() => {
    if (!debounced) {
      setResults([]);
      setDegraded(null);
      setError(null);
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
        setActive(0);
      })
      .catch((err: unknown) => !cancelled && setError(toApiError(err)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [debounced]);

  // Grouped for display; `flat` is the keyboard order (the same as on screen).
  const groups = useMemo(() => ORDER.map((type) => ({ type, items: results.filter((r) => r.contentType === type) })).filter((g) => g.items.length > 0), [results]);
  const flat = useMemo(() => groups.flatMap((g) => g.items), [groups]);

  const choose = useCallback(
    (r: MemoryResult) => {
      void call('memory.open', { id: r.id }).catch(() => undefined); // counting an access never blocks opening
      if (r.taskId) {
        onClose();
        openTask(r.taskId);
      } else if (r.contentType === 'project' && r.sourceId) {
        onClose();
        navigate('board', { projectId: r.sourceId });
      } else {
        setExpandedNote((id) => (id === r.id ? null : r.id));
      }
    },
    [navigate, onClose, openTask],
  );

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(flat.length - 1, a + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Enter' && flat[active]) {
      e.preventDefault();
      choose(flat[active]);
    }
  };

  return (
    <div className="search-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="search-dialog" role="dialog" aria-modal="true" aria-label="Search" data-testid="global-search" onKeyDown={onKeyDown}>
        <input
          ref={inputRef}
          className="search-input"
          data-testid="global-search-input"
          placeholder="Search tasks, comments, projects and notes by meaning…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-controls="search-results"
          aria-activedescendant={flat[active] ? `search-result-${flat[active].id}` : undefined}
          autoComplete="off"
          maxLength={2000}
        />
        <div className="search-results" id="search-results" role="listbox" aria-busy={loading}>
          {error ? <div className="search-message error">{error.message}</div> : null}
          {degraded ? <div className="search-message">{degraded}</div> : null}
          {debounced && !loading && !error && results.length === 0 ? <div className="search-message">Nothing found for “{debounced}”.</div> : null}
          {!debounced ? <div className="search-message">Type what you remember — other words work too.</div> : null}
          {groups.map((g) => (
            <section key={g.type} className="search-group" data-testid={`search-group-${g.type}`}>
              <h4>{TYPE_LABELS[g.type]}</h4>
              {g.items.map((r) => {
                const index = flat.indexOf(r);
                return (
                  <div
                    key={r.id}
                    id={`search-result-${r.id}`}
                    role="option"
                    aria-selected={index === active}
                    className={`search-result${index === active ? ' active' : ''}`}
                    data-testid="search-result"
                    onMouseEnter={() => setActive(index)}
                    onClick={() => choose(r)}
                  >
                    <Highlighted snippet={r.snippet} />
                    {expandedNote === r.id ? <div className="search-note-full">{r.content}</div> : null}
                  </div>
                );
              })}
            </section>
          ))}
        </div>
        <div className="search-footer">↑↓ to move · Enter to open · Esc to close</div>
      </div>
    </div>
  );
}
