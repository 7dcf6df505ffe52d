import { useEffect, useState, type FormEvent } from 'react';
import { TLS_MODE_LABELS, TLS_MODES, type SettingsView, type TlsMode } from '../../../shared/settings';
import { call, splitErrors, type ApiError } from '../api';
import { ErrorBanner } from '../components/ErrorBanner';
import { Field } from '../components/Field';
import { useApp } from '../lib/appContext';
import { formatDateTime } from '../lib/format';
import { useSyncStatus } from '../lib/useSyncStatus';

const FIELDS = ['url', 'password', 'prefix', 'timeZone', 'sslMode', 'allowPlaintextPassword'] as const;

/**
 * The Perfex CRM connection. With it, this computer also reconciles the central database with the
 * CRM after syncing (one machine at a time). The password is stored encrypted.
 */
export function CrmSettingsCard({ view, onSaved }: { view: SettingsView; onSaved(next: SettingsView): void }) {
  const { toast } = useApp();
  const crm = view.crm;
  const [url, setUrl] = useState(crm?.url ?? '');
  const [password, setPassword] = useState('');
  const [prefix, setPrefix] = useState(crm?.prefix ?? 'tbl');
  const [timeZone, setTimeZone] = useState(crm?.timeZone ?? '');
  const [sslMode, setTlsMode] = useState<TlsMode>(crm?.sslMode ?? 'disable');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<{ error: ApiError; title: string } | null>(null);
  const [tested, setTested] = useState<string | null>(null);
  const [busy, setBusy] = useState<null | 'test' | 'save' | 'clear'>(null);
  const last = useSyncStatus().status?.crm ?? null;

  useEffect(() => {
    setUrl(view.crm?.url ?? '');
    setPrefix(view.crm?.prefix ?? 'tbl');
    setTimeZone(view.crm?.timeZone ?? '');
    setTlsMode(view.crm?.sslMode ?? 'disable');
    setPassword('');
  }, [view]);

  const body = () => ({ url: url.trim(), ...(password ? { password } : {}), keepPassword: true, prefix: prefix.trim(), timeZone: timeZone.trim(), sslMode, allowPlaintextPassword: false });

  const run = async (kind: 'test' | 'save' | 'clear', action: () => Promise<void>) => {
    setBusy(kind);
    setErrors({});
    setFailure(null);
    setTested(null);
    try {
      await action();
    } catch (err) {
      const { fields, general } = splitErrors(err, FIELDS);
      setErrors(fields);
      const titles = { test: 'Could not reach the CRM', save: 'Could not save the CRM connection', clear: 'Could not remove the CRM connection' } as const;
      setFailure(general ? { error: general, title: titles[kind] } : null);
    } finally {
      setBusy(null);
    }
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run('save', async () => {
      onSaved(await call('settings.setCrm', body()));
      toast('CRM connection saved; reconciling in the background', 'success');
    });
  };

  return (
    <form className="card settings-card" onSubmit={save} noValidate aria-label="Perfex CRM" data-testid="crm-settings-form">
      <h2 className="form-card-title">Perfex CRM</h2>
      <p className="muted settings-intro">
        Staff, projects, tasks and comments are reconciled between the central database and Perfex CRM after each sync. Staff identity stays owned by
        the CRM; edits on both sides follow the same conflict rules as sync.
      </p>
      {!view.central ? <div className="banner banner-info" role="note">Connect a central database first: the CRM is reconciled with it.</div> : null}
      {failure ? <ErrorBanner error={failure.error} title={failure.title} /> : null}
      {tested ? <div className="banner banner-info" role="status" data-testid="crm-test-result">Connected to {tested}</div> : null}
      {crm && last ? (
        <p className={last.ok ? 'muted' : 'field-error'} role="status" data-testid="crm-last-run">
          Last reconcile {formatDateTime(last.at)}: {last.ok ? `${last.message}${last.conflicts ? `, ${last.conflicts} conflicts` : ''}${last.skipped ? `, ${last.skipped} rows skipped` : ''}` : last.message}
        </p>
      ) : null}
      <div className="form-grid">
        <Field label="CRM database URL" error={errors.url} className="span-2" hint="mysql://user@host:3306/perfex — the password goes in the field below">
          <input className="input" data-testid="crm-url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="mysql://coordinator@crm.example.com:3306/perfex" autoComplete="off" spellCheck={false} />
        </Field>
        <Field label="Password" error={errors.password} hint={crm?.hasPassword ? 'A password is stored. Leave blank to keep it.' : 'Stored encrypted on this computer'}>
          <input className="input" type="password" data-testid="crm-password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        </Field>
        <Field label="TLS" error={errors.sslMode}>
          <select className="input" data-testid="crm-ssl" value={sslMode} onChange={(e) => setTlsMode(e.target.value as TlsMode)}>
            {TLS_MODES.map((mode) => (
              <option key={mode} value={mode}>{TLS_MODE_LABELS[mode]}</option>
            ))}
          </select>
        </Field>
        <Field label="Table prefix" error={errors.prefix} hint="Perfex's APP_DB_PREFIX, usually tbl">
          <input className="input" data-testid="crm-prefix" value={prefix} onChange={(e) => setPrefix(e.target.value)} spellCheck={false} />
        </Field>
        <Field label="Timezone" error={errors.timeZone} hint="Blank: the CRM's own setting (e.g. Europe/Berlin)">
          <input className="input" data-testid="crm-timezone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} spellCheck={false} />
        </Field>
      </div>
      <div className="form-actions settings-actions">
        {crm ? (
          <button type="button" className="btn btn-danger" data-testid="crm-clear" disabled={busy !== null}
            onClick={() => void run('clear', async () => onSaved(await call('settings.clearCrm')))}>
            {busy === 'clear' ? 'Removing…' : 'Remove'}
          </button>
        ) : null}
        <span className="settings-spacer" />
        <button type="button" className="btn" data-testid="crm-test" disabled={busy !== null}
          onClick={() => void run('test', async () => setTested((await call('settings.testCrm', body())).target))}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" className="btn btn-primary" data-testid="crm-save" disabled={busy !== null}>
          {busy === 'save' ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
