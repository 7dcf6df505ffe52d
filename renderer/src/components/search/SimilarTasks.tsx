import { useApp } from '../../lib/appContext';
import { useQuery } from '../../lib/useQuery';
import './search.css';

/** "Similar tasks" in the task detail panel: nearest tasks by meaning, above the threshold. */
export function SimilarTasks({ taskId }: { taskId: string }) {
  const { openTask } = useApp();
  const similar = useQuery('memory.similarTasks', { taskId, k: 5 }, { tables: ['tasks', 'memory_embeddings'] });
  const items = similar.data ?? [];
  if (similar.error || items.length === 0) return null;
  return (
    <section className="similar-tasks" data-testid="similar-tasks" aria-label="Similar tasks">
      <h4>Similar tasks</h4>
      <ul>
        {items.map((r) => (
          <li key={r.id}>
            <button type="button" className="similar-link" onClick={() => r.taskId && openTask(r.taskId)} data-testid="similar-task">
              <span className="similar-title">{r.content.split('\n')[0]}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
