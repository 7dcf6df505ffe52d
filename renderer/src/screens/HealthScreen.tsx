import { ErrorBanner } from '../components/ErrorBanner';
import { Loading } from '../components/EmptyState';
import { ViewHeader } from '../components/ViewHeader';
import { formatDateTime } from '../lib/format';
import { useQuery } from '../lib/useQuery';

const kib = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString()} KiB`;

/**
 * About / Health: the same report as `coordinator doctor` for this laptop's database, and the
 * last start-up recovery if there was one. Read-only; administrators act through the CLI.
 */
export function HealthScreen() {
  const health = useQuery('app.health', undefined, { tables: [] });
  const report = health.data;
  return (
    <section className="view" aria-labelledby="view-title">
      <ViewHeader title="About / Health" subtitle={report ? `Coordinator ${report.version}` : undefined}>
        <button type="button" className="btn" data-testid="health-recheck" onClick={health.reload} disabled={health.loading}>
          Check again
        </button>
      </ViewHeader>
      {/* Focusable so keyboard users can scroll a report that has no controls in it. */}
      <div className="view-body" tabIndex={0} role="region" aria-label="Health report">
        {health.error ? <ErrorBanner error={health.error} onRetry={health.reload} /> : null}
        {!report ? (
          <Loading label="Checking…" />
        ) : (
          <div className="card" data-testid="health-report">
            <p role="status" data-testid="health-summary" className={`banner ${report.ok ? 'banner-info' : 'banner-error'}`}>
              {report.ok ? 'Everything checks out.' : `${report.checks.filter((c) => !c.ok).length} problem(s) found.`} Checked {formatDateTime(report.checkedAt)}.
            </p>
            {report.recovery ? (
              <p className="banner banner-info" role="note" data-testid="health-recovery">
                On {formatDateTime(report.recovery.at)} the local database was damaged and rebuilt: {report.recovery.salvaged.pending} unsynced changes were kept. The
                damaged file is at {report.recovery.movedTo}.
              </p>
            ) : null}
            <ul className="health-checks">
              {report.checks.map((c) => (
                <li key={c.name} data-testid="health-check" data-ok={c.ok}>
                  <span aria-label={c.ok ? 'ok' : 'failed'}>{c.ok ? '✓' : '✗'}</span> <strong>{c.name}</strong> <span className="muted">{c.detail}</span>
                </li>
              ))}
            </ul>
            <p className="muted" data-testid="health-sync">
              Sync: {report.sync.pending} pending, {report.sync.rejected} refused, {report.sync.openConflicts} conflicts; last synced{' '}
              {report.sync.lastSyncedAt ? formatDateTime(report.sync.lastSyncedAt) : 'never'}.
            </p>
            {report.database ? (
              <p className="muted" data-testid="health-database">
                Database {report.database.path}: {kib(report.database.sizeBytes)} (+{kib(report.database.walBytes)} WAL), migrations {report.database.migrations.applied}/
                {report.database.migrations.known}.
              </p>
            ) : null}
            <table className="health-counts">
              <thead>
                <tr>
                  <th scope="col">Table</th>
                  <th scope="col">Rows</th>
                  <th scope="col">New this week</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(report.counts.local).map(([table, n]) => (
                  <tr key={table}>
                    <td>{table}</td>
                    <td>{n}</td>
                    <td>{report.growth.local[table] ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}
