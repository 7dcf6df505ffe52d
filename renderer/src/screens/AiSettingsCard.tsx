import { useEffect, useState, type FormEvent } from 'react';
import type { SettingsView } from '../../../shared/settings';
import { call, splitErrors, type ApiError } from '../api';
import { ErrorBanner } from '../components/ErrorBanner';
import { Field } from '../components/Field';
import { useApp } from '../lib/appContext';

const FIELDS = ['baseURL', 'apiKey', 'model'] as const;

/** The assistant's model server: OpenAI, or any OpenAI-compatible server. The key is stored encrypted. */
export function AiSettingsCard({ view, onSaved }: { view: SettingsView; onSaved(next: SettingsView): void }) {
  const { toast } = useApp();
  const [baseURL, setBaseURL] = useState(view.ai?.baseURL ?? '');
  const [model, setModel] = useState(view.ai?.model ?? 'gpt-4o-mini');
  const [apiKey, setApiKey] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setBaseURL(view.ai?.baseURL ?? '');
    setModel(view.ai?.model ?? 'gpt-4o-mini');
    setApiKey('');
  }, [view]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      onSaved(await call('settings.setAi', { baseURL: baseURL.trim(), model: model.trim(), keepApiKey: true, ...(apiKey ? { apiKey } : {}) }));
      toast('AI provider saved', 'success');
    } catch (err) {
      const { fields, general } = splitErrors(err, FIELDS);
      setErrors(fields);
      setFailure(general);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card settings-card" onSubmit={(e) => void save(e)} noValidate aria-label="AI provider" data-testid="ai-settings-form">
      <h2 className="form-card-title">AI provider</h2>
      <p className="muted settings-intro">
        The assistant uses OpenAI or any OpenAI-compatible server (Ollama, LM Studio, llama.cpp, vLLM). It only proposes changes; you confirm them.
      </p>
      {failure ? <ErrorBanner error={failure} title="Could not save the AI provider" /> : null}
      <div className="form-grid">
        <Field label="Server URL" error={errors.baseURL} className="span-2" hint="Blank for OpenAI; e.g. http://127.0.0.1:11434/v1 for Ollama">
          <input className="input" data-testid="ai-base-url" value={baseURL} onChange={(e) => setBaseURL(e.target.value)} spellCheck={false} autoComplete="off" />
        </Field>
        <Field label="Model" error={errors.model}>
          <input className="input" data-testid="ai-model" value={model} onChange={(e) => setModel(e.target.value)} spellCheck={false} />
        </Field>
        <Field label="API key" error={errors.apiKey} hint={view.ai?.hasApiKey ? 'A key is stored. Leave blank to keep it.' : 'Stored encrypted on this computer; local servers need none'}>
          <input className="input" type="password" data-testid="ai-api-key" value={apiKey} onChange={(e) => setApiKey(e.target.value)} autoComplete="new-password" />
        </Field>
      </div>
      <div className="form-actions settings-actions">
        {view.ai ? (
          <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void call('settings.clearAi').then(onSaved)}>
            Remove
          </button>
        ) : null}
        <span className="settings-spacer" />
        <button type="submit" className="btn btn-primary" data-testid="ai-save" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
