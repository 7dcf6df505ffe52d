import { useState } from 'react';
import type { SyncStatusView } from '../../../shared/settings';
import type { FirstConnectChoice as Choice } from '../../../shared/team';
import { call, toApiError } from '../api';
import { useApp } from '../lib/appContext';
import { plural, timeAgo } from '../lib/format';
import { reloadWithNotice } from '../lib/team';
import { useQuery } from '../lib/useQuery';
import { useNow } from '../lib/useSyncStatus';
import { FirstConnectChoice } from './FirstConnectChoice';

const PHASE_LABEL = { push: 'Uploading', bootstrap: 'Downloading', pull: 'Downloading' } as const;

export function progressText(progress: SyncStatusView['progress']): string | null {
  if (!progress) return null;
  const done = progress.done.toLocaleString();
  const amount = progress.total === null ? done : `${done} / ${progress.total.toLocaleString()}`;
  return `${PHASE_LABEL[progress.phase]} ${amount}`;
}

/** One line saying what sync is doing, true to the status main reports. */
export function describeSync(status: SyncStatusView, now: number): { tone: 'local' | 'busy' | 'ok' | 'warn' | 'error'; label: string; detail: string | null; title?: string } {
  const pending = status.pending > 0 ? `${plural(status.pending, 'change')} pending` : null;
  if (!status.configured) {
    return { tone: 'local', label: 'Local only', detail: pending, title: 'No central database is configured; changes stay on this computer' };
  }
  switch (status.state) {
    case 'syncing':
      return { tone: 'busy', label: 'Syncing…', detail: progressText(status.progress) };
    case 'offline':
      return {
        tone: 'warn',
        label: `Offline — ${status.pending.toLocaleString()} pending`,
        detail: status.nextAttemptAt ? `Next try at ${new Date(status.nextAttemptAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}` : null,
        ...(status.lastError ? { title: status.lastError } : {}),
      };
    case 'error':
      if (status.needsChoice) return { tone: 'warn', label: 'Choose how to join', detail: pending, title: 'This laptop holds work no team has seen yet: upload it or start from the team’s data' };
      if (status.needsJoin) return { tone: 'error', label: 'Another server', detail: pending, title: 'This laptop’s data belongs to another Coordinator server' };
      return { tone: 'error', label: 'Sync error', detail: pending, title: status.lastError ?? 'The last sync failed' };
    default:
      return {
        tone: 'ok',
        label: status.lastSyncedAt ? `Synced ${timeAgo(status.lastSyncedAt, now)}` : 'Not synced yet',
        detail: pending,
        ...(status.lastSyncedAt ? { title: `Last synced ${new Date(status.lastSyncedAt).toLocaleString()}` } : {}),
      };
  }
}

export function SyncIndicator({ status }: { status: SyncStatusView | null }) {
  const { toast } = useApp();
  const now = useNow();
  const [busy, setBusy] = useState(false);
  const [dismissedNotice, setDismissedNotice] = useState<string | null>(null);
  if (!status) return null;
  const d = describeSync(status, now);
  const syncing = busy || status.state === 'syncing';

  const syncNow = async () => {
    setBusy(true);
    try {
      const result = await call('sync.now');
      if (result.conflicts + result.rejected > 0) {
        toast(`Synced with ${plural(result.conflicts + result.rejected, 'conflict')} to review`, 'info');
      }
    } catch (err) {
      toast(toApiError(err).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  const indicator = (
    <div className={`sync-status tone-${d.tone}`} data-testid="sync-status" data-state={status.configured ? status.state : 'local'} title={d.title}>
      <span className="sync-dot" aria-hidden="true" />
      <div className="sync-text" aria-live="polite">
        <span className="sync-label" data-testid="sync-label">
          {d.label}
        </span>
        {d.detail ? <span className="sync-detail">{d.detail}</span> : null}
      </div>
      {status.configured ? (
        <button type="button" className="btn btn-small sync-now" data-testid="sync-now" onClick={syncNow} disabled={syncing} aria-label="Sync now">
          {syncing ? 'Syncing…' : 'Sync now'}
        </button>
      ) : null}
    </div>
  );
  const joinOffered = status.configured && status.state === 'error' && status.needsJoin;
  const choiceOffered = status.configured && status.state === 'error' && status.needsChoice;
  const notice = status.identityNotice !== dismissedNotice ? status.identityNotice : null;
  if (!joinOffered && !choiceOffered && !notice) return indicator;
  return (
    <>
      {indicator}
      {choiceOffered ? <ChoicePanel /> : null}
      {joinOffered ? <JoinServerPanel pending={status.pending} /> : null}
      {!joinOffered && notice ? (
        <div className="sync-notice" data-testid="sync-notice" role="status">
          <span>{notice}</span>
          <button type="button" className="btn btn-small" data-testid="sync-notice-dismiss" onClick={() => setDismissedNotice(notice)} aria-label="Dismiss this sync message">
            OK
          </button>
        </div>
      ) : null}
    </>
  );
}

/**
 * The first sync was refused until the person says what becomes of the work on this laptop: the
 * same choice as when connecting from Welcome or Settings, for a server set up in Settings.
 */
function ChoicePanel() {
  const { toast } = useApp();
  const local = useQuery('team.localWork', undefined);
  const [choice, setChoice] = useState<Choice | null>(null);
  const [busy, setBusy] = useState(false);

  const go = async () => {
    if (!choice) return;
    setBusy(true);
    try {
      const result = await call('team.choose', { choice });
      // The team's data replaced or joined what every view shows: start them over.
      reloadWithNotice(result.message);
    } catch (err) {
      toast(toApiError(err).message, 'error');
      setBusy(false);
    }
  };

  return (
    <section className="sync-join" data-testid="sync-choice" aria-labelledby="sync-choice-title">
      <h3 id="sync-choice-title" className="sync-join-title">
        Joining your team
      </h3>
      {local.data ? <FirstConnectChoice local={local.data} value={choice} onChange={setChoice} disabled={busy} /> : null}
      <div className="sync-join-actions">
        <button type="button" className="btn btn-small btn-primary" data-testid="sync-choice-continue" onClick={() => void go()} disabled={busy || choice === null}>
          {busy ? 'Joining…' : 'Continue'}
        </button>
      </div>
    </section>
  );
}

/**
 * This replica belongs to another central database than the one the settings point at: explain
 * what joining does, and join only after a second, explicit confirmation.
 */
function JoinServerPanel({ pending }: { pending: number }) {
  const { toast } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [joining, setJoining] = useState(false);

  const join = async () => {
    setJoining(true);
    try {
      const result = await call('sync.join');
      toast(result.message, 'info');
    } catch (err) {
      toast(toApiError(err).message, 'error');
    } finally {
      setJoining(false);
      setConfirming(false);
    }
  };

  const changes = pending === 1 ? 'your 1 unsynced change' : `your ${pending.toLocaleString()} unsynced changes`;
  return (
    <section className="sync-join" data-testid="sync-join" aria-labelledby="sync-join-title">
      <h3 id="sync-join-title" className="sync-join-title">
        Another Coordinator server
      </h3>
      <p data-testid="sync-join-explanation">
        This laptop’s data belongs to another Coordinator server. Joining this server rebuilds your local data from it and sends {changes} to it.
      </p>
      {confirming ? (
        <div className="sync-join-actions" role="group" aria-label="Confirm joining this server">
          <span>Rebuild local data from this server?</span>
          <button type="button" className="btn btn-small btn-primary" data-testid="sync-join-confirm" onClick={join} disabled={joining} autoFocus>
            {joining ? 'Joining…' : 'Join and rebuild'}
          </button>
          <button type="button" className="btn btn-small" data-testid="sync-join-cancel" onClick={() => setConfirming(false)} disabled={joining}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="sync-join-actions">
          <button type="button" className="btn btn-small btn-primary" data-testid="sync-join-button" onClick={() => setConfirming(true)}>
            Join this server
          </button>
        </div>
      )}
    </section>
  );
}
