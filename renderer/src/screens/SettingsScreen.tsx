import { useEffect, useState, type FormEvent } from 'react';
import { TLS_MODE_LABELS, TLS_MODES, type SettingsView, type TlsMode } from '../../../shared/settings';
import { call, splitErrors, toApiError, type ApiError } from '../api';
import { Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { Field } from '../components/Field';
import { ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { AiSettingsCard } from './AiSettingsCard';
import { CrmSettingsCard } from './CrmSettingsCard';
import { AppearanceCard } from './AppearanceCard';
import { EmbeddingCard } from './EmbeddingCard';
import { NotificationPrefsCard } from './NotificationPrefsCard';
import { RetentionCard } from './RetentionCard';
import { TeamCard } from './TeamCard';


const FIELDS = ['url', 'password', 'sslMode', 'syncIntervalSeconds', 'allowPlaintextPassword'] as const;

export function SettingsScreen() {
  const { toast } = useApp();
  const [view, setView] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [url, setUrl] = useState('');
  const [password, setPassword] = useState('');
  const [sslMode, setTlsMode] = useState<TlsMode>('disable');
  const [interval, setIntervalText] = useState('300');
  const [allowPlaintext, setAllowPlaintext] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<{ error: ApiError; title: string } | null>(null);
  const [testResult, setTestResult] = useState<string | null>(null);
  const [busy, setBusy] = useState<null | 'test' | 'save' | 'clear'>(null);

  const fill = (next: SettingsView) => {
    setView(next);
    setUrl(next.central?.url ?? '');
    setTlsMode(next.central?.sslMode ?? 'disable');
    setIntervalText(String(next.central?.syncIntervalSeconds ?? 300));
    setAllowPlaintext(next.central?.allowPlaintextPassword ?? false);
    setPassword('');
  };

  useEffect(() => {
    let cancelled = false;
    call('settings.get').then(
      (v) => {
        if (!cancelled) fill(v);
      },
      (err: unknown) => {
        if (!cancelled) setLoadError(toApiError(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  /** The form as the channel's input, or null (with the field marked) when the interval is not a number. */
  const input = () => {
    const seconds = Number(interval.trim());
    if (interval.trim() === '' || !Number.isInteger(seconds)) {
      setErrors({ syncIntervalSeconds: 'must be a whole number of seconds' });
      return null;
    }
    return {
      url: url.trim(),
      ...(password ? { password } : {}),
      keepPassword: true,
      sslMode,
      allowPlaintextPassword: allowPlaintext,
      syncIntervalSeconds: seconds,
    };
  };

  const run = async (kind: 'test' | 'save' | 'clear', action: () => Promise<void>) => {
    setBusy(kind);
    setErrors({});
    setFailure(null);
    setTestResult(null);
    try {
      await action();
    } catch (err) {
      const { fields, general } = splitErrors(err, FIELDS);
      setErrors(fields);
      const titles = { test: 'Could not connect', save: 'Could not save the settings', clear: 'Could not disconnect' } as const;
      setFailure(general ? { error: general, title: titles[kind] } : null);
    } finally {
      setBusy(null);
    }
  };

  const test = () => {
    const body = input();
    if (!body) return;
    void run('test', async () => {
      const result = await call('settings.testCentral', body);
      setTestResult(result.target);
    });
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    const body = input();
    if (!body) return;
    void run('save', async () => {
      fill(await call('settings.setCentral', body));
      toast('Central database saved', 'success');
    });
  };

  const clear = () => {
    void run('clear', async () => {
      fill(await call('settings.clearCentral'));
      toast('Disconnected: changes now stay on this computer', 'info');
    });
  };

  const central = view?.central ?? null;

  return (
    <section className="view" aria-labelledby="view-title">
      <ViewHeader title="Settings" subtitle={central ? 'Syncing with a central database' : 'Local only'} />
      <div className="view-body settings-body">
        {loadError ? <ErrorBanner error={loadError} title="Settings are not available" /> : null}
        {!view && !loadError ? <Loading /> : null}
        {view ? <TeamCard view={view} /> : null}
        {view ? (
          <form className="card settings-card" onSubmit={save} noValidate aria-label="Central database" data-testid="settings-form">
            <h2 className="form-card-title">Central database</h2>
            <p className="muted settings-intro">
              Coordinator keeps a full copy of your data on this computer. Connect a PostgreSQL database to share it with your team; changes sync in
              the background and whenever you press Sync now.
            </p>
            {!view.secretsAvailable ? (
              <div className="banner banner-info" role="note">
                This system offers no secure storage, so a password cannot be saved. Use a passwordless login instead.
              </div>
            ) : null}
            {failure ? <ErrorBanner error={failure.error} title={failure.title} /> : null}
            {testResult ? (
              <div className="banner banner-info" role="status" data-testid="settings-test-result">
                Connected to {testResult}
              </div>
            ) : null}
            <div className="form-grid">
              <Field label="Connection URL" error={errors.url} className="span-2" hint="postgres://user@host:5432/database — the password goes in the field below">
                <input
                  className="input"
                  data-testid="settings-url"
                  value={url}
                  onChange={(e) => setUrl(e.target.value)}
                  placeholder="postgres://coordinator@db.example.com:5432/coordinator"
                  autoComplete="off"
                  spellCheck={false}
                />
              </Field>
              <Field
                label="Password"
                error={errors.password}
                hint={central?.hasPassword ? <span data-testid="settings-has-password">A password is stored. Leave blank to keep it.</span> : 'Stored encrypted on this computer'}
              >
                <input
                  className="input"
                  type="password"
                  data-testid="settings-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  placeholder={central?.hasPassword ? '••••••••' : ''}
                  autoComplete="new-password"
                />
              </Field>
              <Field label="TLS" error={errors.sslMode}>
                <select className="input" data-testid="settings-ssl" value={sslMode} onChange={(e) => setTlsMode(e.target.value as TlsMode)}>
                  {TLS_MODES.map((mode) => (
                    <option key={mode} value={mode}>
                      {TLS_MODE_LABELS[mode]}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Sync interval (seconds)" error={errors.syncIntervalSeconds} hint="Between 15 seconds and one day">
                <input className="input" inputMode="numeric" data-testid="settings-interval" value={interval} onChange={(e) => setIntervalText(e.target.value)} />
              </Field>
              <div className="field span-2">
                <label className="checkbox-row">
                  <input type="checkbox" data-testid="settings-allow-plaintext" checked={allowPlaintext} onChange={(e) => setAllowPlaintext(e.target.checked)} />
                  Allow password without TLS
                </label>
                {allowPlaintext ? (
                  <div className="field-warning" role="note" data-testid="settings-plaintext-warning">
                    The password will cross the network unencrypted when TLS is off. Use this only on a network you trust.
                  </div>
                ) : null}
                {errors.allowPlaintextPassword ? <div className="field-error">{errors.allowPlaintextPassword}</div> : null}
              </div>
            </div>
            <div className="form-actions settings-actions">
              {central ? (
                <button type="button" className="btn btn-danger" data-testid="settings-clear" onClick={clear} disabled={busy !== null}>
                  {busy === 'clear' ? 'Disconnecting…' : 'Disconnect'}
                </button>
              ) : null}
              <span className="settings-spacer" />
              <button type="button" className="btn" data-testid="settings-test" onClick={test} disabled={busy !== null}>
                {busy === 'test' ? 'Testing…' : 'Test connection'}
              </button>
              <button type="submit" className="btn btn-primary" data-testid="settings-save" disabled={busy !== null}>
                {busy === 'save' ? 'Saving…' : 'Save'}
              </button>
            </div>
          </form>
        ) : null}
        {view ? <CrmSettingsCard view={view} onSaved={fill} /> : null}
        {view ? <AiSettingsCard view={view} onSaved={fill} /> : null}
        <AppearanceCard />
        <NotificationPrefsCard />
        <EmbeddingCard />
        <RetentionCard />
      </div>
    </section>
  );
}
