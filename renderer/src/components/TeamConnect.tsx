import { useState, type FormEvent } from 'react';
import { TLS_MODE_LABELS, TLS_MODES, type TlsMode } from '../../../shared/settings';
import type { FirstConnectChoice as Choice, TeamConnectResult, TeamPreview } from '../../../shared/team';
import { call, toApiError, type ApiError } from '../api';
import { serverUrlWithLogin } from '../lib/team';
import { useSyncStatus } from '../lib/useSyncStatus';
import { ErrorBanner } from './ErrorBanner';
import { Field } from './Field';
import { FirstConnectChoice } from './FirstConnectChoice';
import { progressText } from './SyncIndicator';

const ROLE_LABEL = { admin: 'administrator', coordinator: 'coordinator', member: 'member' } as const;

/** What a refusal is about, for the banner's title. */
function failureTitle(error: ApiError): string {
  if (error.code === 'FORBIDDEN') return 'The server refused this login';
  if (error.code === 'UNAVAILABLE') return 'Could not reach the server';
  if (error.code === 'CONFLICT') return 'Not joined yet';
  return 'Could not connect';
}

/**
 * Connecting this laptop to a team's server: address, login, password and TLS; "Test connection"
 * shows who the server says you are before anything is saved; when this laptop holds work no
 * team has seen, the upload-or-start-fresh choice; then Join, its progress, and what it did.
 */
export function TeamConnect({ onDone, onCancel }: { onDone: (result: TeamConnectResult) => void; onCancel?: () => void }) {
  const [server, setServer] = useState('');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [sslMode, setSslMode] = useState<TlsMode>('disable');
  const [serverError, setServerError] = useState<string | undefined>(undefined);
  const [preview, setPreview] = useState<TeamPreview | null>(null);
  const [choice, setChoice] = useState<Choice | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<null | 'test' | 'join'>(null);
  const [result, setResult] = useState<TeamConnectResult | null>(null);
  const sync = useSyncStatus();

  /** Any change to the form forgets the earlier test: it was about other settings. */
  const edit = <T,>(set: (value: T) => void) => (value: T) => {
    set(value);
    setPreview(null);
    setChoice(null);
    setFailure(null);
  };

  const input = () => {
    const url = serverUrlWithLogin(server, login);
    if (!url) {
      setServerError('must look like postgres://host:5432/database');
      return null;
    }
    setServerError(undefined);
    return { url, ...(password ? { password } : {}), keepPassword: false, sslMode };
  };

  const test = async () => {
    const body = input();
    if (!body) return;
    setBusy('test');
    setFailure(null);
    try {
      setPreview(await call('team.preview', body));
    } catch (err) {
      setPreview(null);
      setFailure(toApiError(err));
    } finally {
      setBusy(null);
    }
  };

  const join = async () => {
    const body = input();
    if (!body || !preview) return;
    setBusy('join');
    setFailure(null);
    try {
      setResult(await call('team.connect', { ...body, ...(preview.choiceNeeded && choice ? { choice } : {}) }));
    } catch (err) {
      setFailure(toApiError(err));
    } finally {
      setBusy(null);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    void (preview ? join() : test());
  };

  if (result) {
    return (
      <div className="team-connect" data-testid="team-done">
        <div className="banner banner-info" role="status" data-testid="team-done-message">
          {result.message}
        </div>
        <div className="form-actions">
          <button type="button" className="btn btn-primary" data-testid="team-done-continue" onClick={() => onDone(result)} autoFocus>
            Open Coordinator
          </button>
        </div>
      </div>
    );
  }

  const canJoin = preview !== null && preview.boundToOther === null && (!preview.choiceNeeded || choice !== null);
  const progress = busy === 'join' ? progressText(sync.status?.progress ?? null) : null;

  return (
    <form className="team-connect" onSubmit={submit} noValidate aria-label="Connect to your team" data-testid="team-connect">
      {failure ? (
        <div data-testid="team-error">
          <ErrorBanner error={failure} title={failureTitle(failure)} />
        </div>
      ) : null}
      <div className="form-grid">
        <Field label="Server address" error={serverError} className="span-2" hint="From your administrator, e.g. postgres://db.example.com:5432/coordinator">
          <input
            className="input"
            data-testid="team-server"
            value={server}
            onChange={(e) => edit(setServer)(e.target.value)}
            placeholder="postgres://db.example.com:5432/coordinator"
            autoComplete="off"
            spellCheck={false}
            autoFocus
          />
        </Field>
        <Field label="Login">
          <input className="input" data-testid="team-login" value={login} onChange={(e) => edit(setLogin)(e.target.value)} autoComplete="username" spellCheck={false} />
        </Field>
        <Field label="Password" hint="Stored encrypted on this computer">
          <input className="input" type="password" data-testid="team-password" value={password} onChange={(e) => edit(setPassword)(e.target.value)} autoComplete="current-password" />
        </Field>
        <Field label="TLS" className="span-2">
          <select className="input" data-testid="team-ssl" value={sslMode} onChange={(e) => edit(setSslMode)(e.target.value as TlsMode)}>
            {TLS_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {TLS_MODE_LABELS[mode]}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {preview ? (
        <div className="team-preview" data-testid="team-preview" role="status">
          <p data-testid="team-whoami">
            The server at {preview.target} says you are <strong>{preview.user.fullName}</strong> ({preview.user.email}), {ROLE_LABEL[preview.user.role]}, login{' '}
            <code>{preview.user.login}</code>.
          </p>
          {preview.boundToOther ? (
            <div className="banner banner-error" role="alert" data-testid="team-bound-other">
              This laptop’s data belongs to {preview.boundToOther} on this server. Sign out in Settings first, then connect again.
            </div>
          ) : null}
          {preview.choiceNeeded ? <FirstConnectChoice local={preview.local} value={choice} onChange={setChoice} disabled={busy !== null} /> : null}
        </div>
      ) : null}
      {busy === 'join' ? (
        <p className="muted" role="status" data-testid="team-progress">
          Joining… {progress ?? 'signing in'}
        </p>
      ) : null}
      <div className="form-actions">
        {onCancel ? (
          <button type="button" className="btn" data-testid="team-cancel" onClick={onCancel} disabled={busy !== null}>
            Back
          </button>
        ) : null}
        <span className="settings-spacer" />
        <button type={preview ? 'button' : 'submit'} className={preview ? 'btn' : 'btn btn-primary'} data-testid="team-test" onClick={preview ? () => void test() : undefined} disabled={busy !== null}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        {preview ? (
          <button type="submit" className="btn btn-primary" data-testid="team-join" disabled={busy !== null || !canJoin}>
            {busy === 'join' ? 'Joining…' : 'Join the team'}
          </button>
        ) : null}
      </div>
    </form>
  );
}
