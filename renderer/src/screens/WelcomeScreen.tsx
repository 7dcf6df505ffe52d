import { useState } from 'react';
import { call, toApiError, type ApiError } from '../api';
import { ErrorBanner } from '../components/ErrorBanner';
import { TeamConnect } from '../components/TeamConnect';
import { takeNotice } from '../lib/team';

/**
 * First launch: connect to your team, try the demo, or work locally for now (and connect later
 * from Settings).
 */
export function WelcomeScreen({ onDone, version }: { onDone: () => void; version: string }) {
  const [seeding, setSeeding] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [connecting, setConnecting] = useState(false);
  // Said once after signing out (the window reloaded onto this screen).
  const [notice] = useState(() => takeNotice());

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
      <div className={`welcome-card${connecting ? ' welcome-card-wide' : ''}`}>
        <span className="brand-mark welcome-mark" aria-hidden="true">
          <svg width="40" height="40" viewBox="0 0 18 18">
            <rect x="1" y="1" width="16" height="16" rx="5" fill="currentColor" />
            <path d="M11.8 6.3a3.6 3.6 0 1 0 0 5.4" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
        </span>
        <h1>{connecting ? 'Connect to your team' : 'Welcome to Coordinator'}</h1>
        <p className="welcome-lead">
          {connecting
            ? 'Your administrator gives you the server address and your login. Test the connection to see who the server says you are before joining.'
            : 'Plan projects, assign work and follow progress — everything is stored on this computer and works offline.'}
        </p>
        {notice && !connecting ? (
          <div className="banner banner-info welcome-notice" role="status" data-testid="welcome-notice">
            {notice}
          </div>
        ) : null}
        {connecting ? (
          <div className="welcome-connect">
            <TeamConnect onDone={onDone} onCancel={() => setConnecting(false)} />
          </div>
        ) : (
          <>
            {error ? <ErrorBanner error={error} title="Could not load the demo" onRetry={() => void seed()} /> : null}
            <div className="welcome-options">
              <button type="button" className="welcome-option primary" data-testid="connect-team-button" disabled={seeding} onClick={() => setConnecting(true)}>
                <strong>Connect to your team</strong>
                <span>Sign in to your team’s Coordinator server and work on the team’s projects.</span>
              </button>
              <button type="button" className="welcome-option" data-testid="seed-demo-button" disabled={seeding} onClick={() => void seed()}>
                <strong>{seeding ? 'Loading demo organisation…' : 'Try the demo'}</strong>
                <span>A small company with people, projects and tasks to explore.</span>
              </button>
              <button type="button" className="welcome-option" data-testid="start-empty-button" disabled={seeding} onClick={onDone}>
                <strong>Work locally for now</strong>
                <span>Begin with a clean database on this computer; connect to a team later from Settings.</span>
              </button>
            </div>
          </>
        )}
        {result ? <p className="muted" role="status">{result}</p> : null}
        <p className="welcome-foot muted">Version {version}</p>
      </div>
    </main>
  );
}
