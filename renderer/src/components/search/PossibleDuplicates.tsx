import { useEffect, useState } from 'react';
import type { MemoryResult } from '../../../../shared/memory';
import { call } from '../../api';
import { useApp } from '../../lib/appContext';
import { useDebounced } from '../../lib/useDebounced';
import './search.css';

/** While a task is being written, existing tasks that may be the same one (before it is saved). */
export function PossibleDuplicates({ title, description }: { title: string; description: string }) {
  const { openTask } = useApp();
  const t = useDebounced(title.trim(), 350);
  const d = useDebounced(description.trim(), 350);
  const [items, setItems] = useState<MemoryResult[]>([]);

  useEffect(() => {
    if (t.length < 4) {
      setItems([]);
      return;
    }
    let cancelled = false;
    call('memory.duplicates', { title: t.slice(0, 500), description: d ? d.slice(0, 100_000) : null, k: 3 })
      .then((found) => !cancelled && setItems(found))
      .catch(() => !cancelled && setItems([])); // a hint, never an obstacle to creating the task
    return () => {
      cancelled = true;
    };
  }, [t, d]);

  if (items.length === 0) return null;
  return (
    <div className="possible-duplicates" data-testid="possible-duplicates" role="note">
      <strong>Possible duplicates</strong>
      <ul>
        {items.map((r) => (
          <li key={r.id}>
            <button type="button" className="similar-link" onClick={() => r.taskId && openTask(r.taskId)}>
              <span className="similar-title">{r.content.split('\n')[0]}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
