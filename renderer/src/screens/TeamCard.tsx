import { useState } from 'react';
import type { SettingsView } from '../../../shared/settings';
import { call, toApiError, type ApiError } from '../api';
import { Dialog } from '../components/Dialog';
import { ErrorBanner } from '../components/ErrorBanner';
import { TeamConnect } from '../components/TeamConnect';
import { plural } from '../lib/format';
import { reloadWithNotice, STARTED_EMPTY_KEY } from '../lib/team';
import { useSyncStatus } from '../lib/useSyncStatus';

/** "db.example.com:5432/coordinator" from the saved address. */
function serverOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return url;
  }
}

/**
 * Settings → Team: who this laptop is signed in as and on which server, and signing out; or,
 * with no server yet, connecting to a team (the same flow as the Welcome screen).
 */
export function TeamCard({ view }: { view: SettingsView }) {
  const { status } = useSyncStatus();
  const [connecting, setConnecting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<ApiError | null>(null);

  const signOut = async (force: boolean) => {
    setBusy(true);
    setRefusal(null);
    try {
      const result = await call('team.signOut', { force });
      try {
        window.localStorage.removeItem(STARTED_EMPTY_KEY);
      } catch {
        /* storage unavailable: the app opens on its last view, empty */
      }
      // Everything the window showed is gone from this laptop: start over on the Welcome screen.
      reloadWithNotice(result.message);
    } catch (err) {
      setRefusal(toApiError(err));
      setBusy(false);
    }
  };

  const signedIn = status?.signedIn ?? null;
  const central = view.central;
  const pending = status?.pending ?? 0;

  return (
    <section className="card settings-card team-card" aria-labelledby="team-card-title" data-testid="team-card">
      <h2 className="form-card-title" id="team-card-title">
        Team
      </h2>
      {signedIn && central ? (
        <div className="team-account">
          <p data-testid="team-signed-in">
            Signed in as <strong>{signedIn.fullName}</strong> ({signedIn.login}) on {serverOf(central.url)}
          </p>
          <button type="button" className="btn btn-danger" data-testid="team-sign-out" onClick={() => setConfirming(true)}>
            Sign out
          </button>
        </div>
      ) : central ? (
        <p className="muted">This laptop syncs with {serverOf(central.url)}; it signs in on its next sync.</p>
      ) : connecting ? (
        <TeamConnect onDone={(result) => reloadWithNotice(result.message)} onCancel={() => setConnecting(false)} />
      ) : (
        <div className="team-account">
          <p className="muted">Working locally: your data stays on this computer.</p>
          <button type="button" className="btn btn-primary" data-testid="settings-connect-team" onClick={() => setConnecting(true)}>
            Connect to your team
          </button>
        </div>
      )}
      {confirming ? (
        <Dialog
          title="Sign out of this server?"
          testId="sign-out-dialog"
          onClose={() => {
            if (!busy) setConfirming(false);
          }}
          footer={
            <>
              <button type="button" className="btn" data-testid="sign-out-cancel" onClick={() => setConfirming(false)} disabled={busy}>
                Cancel
              </button>
              {refusal?.code === 'CONFLICT' ? (
                <button type="button" className="btn btn-danger" data-testid="sign-out-force" onClick={() => void signOut(true)} disabled={busy}>
                  Sign out anyway
                </button>
              ) : (
                <button type="button" className="btn btn-danger" data-testid="sign-out-confirm" onClick={() => void signOut(false)} disabled={busy} data-autofocus>
                  {busy ? 'Signing out…' : 'Sign out'}
                </button>
              )}
            </>
          }
        >
          <p data-testid="sign-out-explanation">
            {pending > 0 ? `Your ${plural(pending, 'unsynced change')} will be sent to the server first. ` : 'Everything on this laptop has reached the server. '}
            This laptop’s data is then kept in a file beside its database, and Coordinator starts empty; the next person signs in to their own replica.
          </p>
          {refusal ? <ErrorBanner error={refusal} title={refusal.code === 'CONFLICT' ? 'Changes could not be sent' : 'Could not sign out'} /> : null}
        </Dialog>
      ) : null}
    </section>
  );
}
