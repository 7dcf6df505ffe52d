import { useState, type FormEvent } from 'react';
import type { MemoryProgress } from '../../../shared/memory';
import { call, splitErrors, type ApiError } from '../api';
import { ErrorBanner } from '../components/ErrorBanner';
import { Field } from '../components/Field';
import { useApp } from '../lib/appContext';
import { useQuery } from '../lib/useQuery';

/**
 * The semantic memory's embedding model: its indexing status, and a switch between the bundled
 * local model and an OpenAI(-compatible) one (which uses the AI provider's key). Switching
 * re-embeds everything in the background; search keeps working on words meanwhile.
 */
export function EmbeddingCard() {
  const { toast } = useApp();
  const status = useQuery('memory.status', undefined, { tables: ['memory_embeddings', 'memory_index'] });
  const [provider, setProvider] = useState<'local' | 'openai'>('local');
  const [model, setModel] = useState('text-embedding-3-small');
  const [baseURL, setBaseURL] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [latest, setLatest] = useState<MemoryProgress | null>(null);
  const s = status.data ?? latest;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      const input = provider === 'local' ? { provider } : { provider, model: model.trim(), ...(baseURL.trim() ? { baseURL: baseURL.trim() } : {}) };
      const next = await call('memory.reindex', input);
      setLatest(next);
      status.reload();
      toast(`Re-indexing with ${next.model}`, 'info');
    } catch (err) {
      const { fields, general } = splitErrors(err, ['model', 'baseURL']);
      setErrors(fields);
      setFailure(general);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card settings-card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="embedding-title" data-testid="embedding-card">
      <h2 className="form-card-title" id="embedding-title">
        Embedding model
      </h2>
      {s ? (
        <p className="settings-intro" data-testid="embedding-status">
          <strong>{s.model}</strong> — {s.indexed.toLocaleString()} of {s.total.toLocaleString()} indexed
          {s.pending > 0 ? `, ${s.pending.toLocaleString()} pending` : ''}
          {s.failed > 0 ? `, ${s.failed.toLocaleString()} failed` : ''}
          {s.lastError ? <span className="field-error"> Last error: {s.lastError}</span> : null}
        </p>
      ) : null}
      {failure ? <ErrorBanner error={failure} title="Could not switch the model" /> : null}
      <div className="form-grid">
        <Field label="Model">
          <select className="input" data-testid="embedding-provider" value={provider} onChange={(e) => setProvider(e.target.value === 'openai' ? 'openai' : 'local')}>
            <option value="local">Local (bundled, offline)</option>
            <option value="openai">OpenAI or compatible server</option>
          </select>
        </Field>
        {provider === 'openai' ? (
          <>
            <Field label="Model name" error={errors.model}>
              <input className="input" value={model} onChange={(e) => setModel(e.target.value)} spellCheck={false} />
            </Field>
            <Field label="Server URL" error={errors.baseURL} className="span-2" hint="Blank for OpenAI; the AI provider's key is used">
              <input className="input" value={baseURL} onChange={(e) => setBaseURL(e.target.value)} spellCheck={false} autoComplete="off" />
            </Field>
          </>
        ) : null}
      </div>
      <div className="form-actions settings-actions">
        <span className="settings-spacer" />
        <button type="submit" className="btn" data-testid="embedding-apply" disabled={busy}>
          {busy ? 'Switching…' : 'Use this model and re-index'}
        </button>
      </div>
    </form>
  );
}
