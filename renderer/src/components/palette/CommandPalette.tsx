import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { MemoryResult } from '../../../../shared/memory';
import { TASK_STATUS_LABELS } from '../../../../shared/enums';
import { call } from '../../api';
import { useApp } from '../../lib/appContext';
import { focusPersonLater } from '../../lib/focusTarget';
import { useQuery } from '../../lib/useQuery';
import { Highlighted, TYPE_LABELS } from '../search/Highlighted';
import { buildCommands } from './commands';
import { fuzzyRank } from './fuzzy';
import { useSemanticSearch } from './useSemanticSearch';
import '../search/search.css';

type Item = { key: string; label: ReactNode; hint?: string | null; testId: string; kind: string; run: () => void };
type Group = { id: string; title: string; testId: string; items: Item[] };

const SEMANTIC_ORDER: MemoryResult['contentType'][] = ['task', 'comment', 'project', 'note'];

/** The label with the fuzzy-matched characters marked. */
function Marked({ text, indices }: { text: string; indices: readonly number[] }) {
  if (indices.length === 0) return <>{text}</>;
  const set = new Set(indices);
  const parts: ReactNode[] = [];
  let run = '';
  let marked = false;
  const flush = (i: number) => {
    if (run) parts.push(marked ? <mark key={i}>{run}</mark> : run);
    run = '';
  };
  Array.from(text).forEach((ch, i) => {
    if (set.has(i) !== marked) {
      flush(i);
      marked = set.has(i);
    }
    run += ch;
  });
  flush(text.length);
  return <>{parts}</>;
}

/**
 * Ctrl/⌘+K: jump to any task, project or person, run a command, or find something by meaning.
 * Fuzzy matches come first (instant, local); semantic memory results follow once they arrive.
 */
export function CommandPalette({ onClose }: { onClose: () => void }) {
  const app = useApp();
  const entities = useQuery('palette.entities', undefined, { tables: ['tasks', 'projects', 'employees'] });
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [expandedNote, setExpandedNote] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const semantic = useSemanticSearch(query);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    inputRef.current?.focus();
    return () => previous?.focus?.();
  }, []);

  const done = (fn: () => void) => () => {
    onClose();
    fn();
  };

  const groups = useMemo<Group[]>(() => {
    const q = query.trim();
    const commands = buildCommands(app);
    const cmdItems = (q ? fuzzyRank(q, commands, (c) => c.label, 6) : commands.slice(0, 8).map((item) => ({ item, match: { score: 0, indices: [] } }))).map(
      ({ item, match }): Item => ({ key: `cmd-${item.id}`, label: <Marked text={item.label} indices={match.indices} />, hint: item.hint, testId: 'palette-command', kind: item.id, run: done(item.run) }),
    );
    const out: Group[] = [{ id: 'commands', title: 'Commands', testId: 'palette-group-commands', items: cmdItems }];
    const data = entities.data;
    if (q && data) {
      out.push({
        id: 'tasks',
        title: 'Tasks',
        testId: 'palette-group-tasks',
        items: fuzzyRank(q, data.tasks, (t) => t.title, 8).map(({ item, match }) => ({
          key: `task-${item.id}`,
          label: <Marked text={item.title} indices={match.indices} />,
          hint: [TASK_STATUS_LABELS[item.status], item.projectName].filter(Boolean).join(' · '),
          testId: 'palette-task',
          kind: item.id,
          run: done(() => app.openTask(item.id)),
        })),
      });
      out.push({
        id: 'projects',
        title: 'Projects',
        testId: 'palette-group-projects',
        items: fuzzyRank(q, data.projects, (p) => p.name, 4).map(({ item, match }) => ({
          key: `project-${item.id}`,
          label: <Marked text={item.name} indices={match.indices} />,
          hint: 'Open on the board',
          testId: 'palette-project',
          kind: item.id,
          run: done(() => app.navigate('board', { projectId: item.id })),
        })),
      });
      out.push({
        id: 'people',
        title: 'People',
        testId: 'palette-group-people',
        items: fuzzyRank(q, data.people, (p) => p.name, 4).map(({ item, match }) => ({
          key: `person-${item.id}`,
          label: <Marked text={item.name} indices={match.indices} />,
          hint: item.position,
          testId: 'palette-person',
          kind: item.id,
          run: done(() => {
            focusPersonLater(item.id);
            app.navigate('people');
          }),
        })),
      });
    }
    const openResult = (r: MemoryResult) => {
      void call('memory.open', { id: r.id }).catch(() => undefined); // counting an access never blocks opening
      const taskId = r.taskId;
      const sourceId = r.sourceId;
      if (taskId) done(() => app.openTask(taskId))();
      else if (r.contentType === 'project' && sourceId) done(() => app.navigate('board', { projectId: sourceId }))();
      else setExpandedNote((id) => (id === r.id ? null : r.id));
    };
    for (const type of SEMANTIC_ORDER) {
      const items = semantic.results.filter((r) => r.contentType === type);
      if (items.length === 0) continue;
      out.push({
        id: `semantic-${type}`,
        title: `${TYPE_LABELS[type]} by meaning`,
        testId: `search-group-${type}`,
        items: items.map((r) => ({
          key: `sem-${r.id}`,
          label: (
            <>
              <Highlighted snippet={r.snippet} />
              {expandedNote === r.id ? <div className="search-note-full">{r.content}</div> : null}
            </>
          ),
          testId: 'search-result',
          kind: r.id,
          run: () => openResult(r),
        })),
      });
    }
    return out.filter((g) => g.items.length > 0);
    // `done` and `app` change identity every render; the inputs that matter are listed.
  }, [query, entities.data, semantic.results, expandedNote, app.openTaskId, app.resolvedTheme]);

  const flat = useMemo(() => groups.flatMap((g) => g.items), [groups]);
  useEffect(() => setActive(0), [query]);
  const current = flat[Math.min(active, flat.length - 1)];

  useEffect(() => {
    if (!current) return;
    document.getElementById(`palette-item-${current.key}`)?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  const onKeyDown = (e: KeyboardEvent) => {
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
    } else if (e.key === 'Enter' && current) {
      e.preventDefault();
      current.run();
    } else if (e.key === 'Tab') {
      e.preventDefault(); // the input is the only stop: arrows move, so focus stays trapped here
    }
  };

  const trimmed = query.trim();
  return (
    <div className="search-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="search-dialog palette" role="dialog" aria-modal="true" aria-label="Command palette" data-testid="command-palette" onKeyDown={onKeyDown}>
        <input
          ref={inputRef}
          className="search-input"
          data-testid="palette-input"
          role="combobox"
          aria-expanded="true"
          aria-label="Type a command, or search tasks, projects, people"
          placeholder="Type a command, or search tasks, projects, people…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-controls="palette-results"
          aria-activedescendant={current ? `palette-item-${current.key}` : undefined}
          autoComplete="off"
          maxLength={2000}
        />
        <div className="search-results" id="palette-results" role="listbox" aria-label="Results" aria-busy={semantic.loading}>
          {semantic.error ? <div className="search-message error">{semantic.error.message}</div> : null}
          {semantic.degraded ? <div className="search-message">{semantic.degraded}</div> : null}
          {groups.map((g) => (
            <section key={g.id} className="search-group" data-testid={g.testId} role="group" aria-label={g.title}>
              <h4 aria-hidden="true">{g.title}</h4>
              {g.items.map((item) => {
                const selected = item === current;
                return (
                  <div
                    key={item.key}
                    id={`palette-item-${item.key}`}
                    role="option"
                    aria-selected={selected}
                    className={`search-result palette-item${selected ? ' active' : ''}`}
                    data-testid={item.testId}
                    data-kind={item.kind}
                    // Move, not enter: a list re-rendering under a resting pointer must not steal the selection.
                    onMouseMove={() => {
                      if (!selected) setActive(flat.indexOf(item));
                    }}
                    onClick={() => item.run()}
                  >
                    <span className="palette-label">{item.label}</span>
                    {item.hint ? <span className="palette-hint">{item.hint}</span> : null}
                  </div>
                );
              })}
            </section>
          ))}
          {trimmed && flat.length === 0 && !semantic.loading && semantic.settled === trimmed ? <div className="search-message">Nothing found for “{trimmed}”.</div> : null}
        </div>
        <div className="search-footer">↑↓ to move · Enter to run or open · Esc to close · ? for shortcuts</div>
      </div>
    </div>
  );
}
