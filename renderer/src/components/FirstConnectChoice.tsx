import { useId } from 'react';
import type { FirstConnectChoice as Choice, LocalWork } from '../../../shared/team';
import { describeLocalWork } from '../lib/team';

/**
 * The first connection of a laptop holding work no team has seen: upload it, or keep it in a file
 * on this computer and start from the team's data. Used by the connect flow and the sync indicator.
 */
export function FirstConnectChoice({ local, value, onChange, disabled }: { local: LocalWork; value: Choice | null; onChange: (choice: Choice) => void; disabled?: boolean }) {
  const name = useId();
  const what = describeLocalWork(local);
  return (
    <fieldset className="first-connect" data-testid="first-connect-choice" disabled={disabled}>
      <legend className="first-connect-legend" data-testid="first-connect-summary">
        This laptop holds {what} that no team has seen yet. What should happen to it?
      </legend>
      <label className={`first-connect-option${value === 'upload' ? ' selected' : ''}`}>
        <input type="radio" name={name} value="upload" data-testid="choice-upload" checked={value === 'upload'} onChange={() => onChange('upload')} />
        <span>
          <strong>Upload it to the team</strong>
          <span className="muted">
            {local.demo ? 'Everyone on the team will see the demo organisation too.' : 'Your work joins the team’s data, in your name.'}
          </span>
        </span>
      </label>
      <label className={`first-connect-option${value === 'start-fresh' ? ' selected' : ''}`}>
        <input type="radio" name={name} value="start-fresh" data-testid="choice-start-fresh" checked={value === 'start-fresh'} onChange={() => onChange('start-fresh')} />
        <span>
          <strong>Start from the team’s data</strong>
          <span className="muted">Your local work is kept in a file on this computer — not uploaded, not deleted.</span>
        </span>
      </label>
    </fieldset>
  );
}
