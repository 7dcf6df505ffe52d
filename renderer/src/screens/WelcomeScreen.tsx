import { useState } from 'react';
import { call, toApiError, type ApiError } from '../api';
import { ErrorBanner } from '../components/ErrorBanner';

export function WelcomeScreen({ onDone, version }: { onDone: () => void; version: string }) {
  const [seeding, setSeeding] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<string | null>(null);

  const seed = async () => {
    setSeeding(true);
    setError(null);
    try {
      const r = await call('app.seedDemo');
      setResult(`Loaded ${r.employees} people, ${r.projects} projects and ${r.tasks} tasks.`);
      onDone();
    } catch (err) {
      setError(toApiError(err));
      setSeeding(false);
    }
  };

  return (
    <main className="welcome" data-testid="welcome">
      <div className="welcome-card">
        <span className="brand-mark welcome-mark" aria-hidden="true">
          <svg width="40" height="40" viewBox="0 0 18 18">
            <rect x="1" y="1" width="16" height="16" rx="5" fill="currentColor" />
            <path d="M11.8 6.3a3.6 3.6 0 1 0 0 5.4" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
        </span>
        <h1>Welcome to Coordinator</h1>
        <p className="welcome-lead">
          Plan projects, assign work and follow progress — everything is stored on this computer and works offline.
        </p>
        {error ? <ErrorBanner error={error} title="Could not load the demo" onRetry={() => void seed()} /> : null}
        <div className="welcome-options">
          <button type="button" className="welcome-option primary" data-testid="seed-demo-button" disabled={seeding} onClick={() => void seed()}>
            <strong>{seeding ? 'Loading demo organisation…' : 'Load demo organisation'}</strong>
            <span>A small company with people, projects and tasks to explore.</span>
          </button>
          <button type="button" className="welcome-option" data-testid="start-empty-button" disabled={seeding} onClick={onDone}>
            <strong>Start empty</strong>
            <span>Begin with a clean database and add your own team.</span>
          </button>
        </div>
        {result ? <p className="muted" role="status">{result}</p> : null}
        <p className="welcome-foot muted">Version {version}</p>
      </div>
    </main>
  );
}
