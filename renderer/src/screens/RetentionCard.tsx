import { useState } from 'react';
import type { RetentionReportView } from '../../../shared/retention';
import { call, toApiError, type ApiError } from '../api';
import { ErrorBanner } from '../components/ErrorBanner';
import { useApp } from '../lib/appContext';
import { formatDate } from '../lib/format';
import { useQuery } from '../lib/useQuery';

/**
 * Data retention: what the local housekeeping would remove now (a dry run of core/ops/retention),
 * and an Apply button. Nothing pending sync, unread or unresolved is ever in the list.
 */
export function RetentionCard() {
  const { toast } = useApp();
  const preview = useQuery('retention.preview', undefined, { tables: ['notifications', 'audit_log', 'conversation_history'] });
  const [applying, setApplying] = useState(false);
  const [result, setResult] = useState<RetentionReportView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const apply = async () => {
    setApplying(true);
    setError(null);
    try {
      const report = await call('retention.apply');
      setResult(report);
      toast(`Removed ${report.removed.toLocaleString()} old local records`, 'success');
      preview.reload();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setApplying(false);
    }
  };

  const report = preview.data;
  return (
    <section className="card settings-card" aria-labelledby="retention-title" data-testid="retention-card">
      <h2 className="form-card-title" id="retention-title">
        Data retention
      </h2>
      <p className="muted settings-intro">Old local records that are no longer needed. The central database keeps its own history.</p>
      {preview.error ? <ErrorBanner error={preview.error} title="Could not check retention" onRetry={preview.reload} /> : null}
      {error ? <ErrorBanner error={error} title="Retention was not applied" onDismiss={() => setError(null)} /> : null}
      {report ? (
        <table className="prefs-table retention-table">
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">Older than</th>
              <th scope="col" className="num">
                Would remove
              </th>
            </tr>
          </thead>
          <tbody>
            {report.policies.map((p) => (
              <tr key={p.name} data-testid="retention-policy" data-policy={p.name}>
                <th scope="row">{p.description}</th>
                <td>{p.cutoff ? formatDate(p.cutoff.slice(0, 10)) : '—'}</td>
                <td className="num" data-testid="retention-matched">
                  {p.matched.toLocaleString()}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {result ? (
        <p className="muted" role="status" data-testid="retention-result">
          Removed {result.removed.toLocaleString()} records.
        </p>
      ) : null}
      <div className="form-actions settings-actions">
        <span className="settings-spacer" />
        <button type="button" className="btn" data-testid="retention-apply" disabled={applying || !report || report.matched === 0} onClick={() => void apply()}>
          {applying ? 'Removing…' : report && report.matched > 0 ? `Remove ${report.matched.toLocaleString()} records` : 'Nothing to remove'}
        </button>
      </div>
    </section>
  );
}
