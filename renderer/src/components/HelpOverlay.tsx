import { Dialog } from './Dialog';
import { SHORTCUTS, type Shortcut } from '../lib/shortcuts';

const GROUPS: Shortcut['group'][] = ['General', 'Lists and tasks', 'Go to'];

/** `?`: every keyboard shortcut, from the same list the key handler and the palette use. */
export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} testId="help-overlay" wide>
      <div className="help-grid">
        {GROUPS.map((group) => (
          <section key={group} aria-labelledby={`help-${group}`}>
            <h3 id={`help-${group}`} className="help-group-title">
              {group}
            </h3>
            <table className="help-table">
              <tbody>
                {SHORTCUTS.filter((s) => s.group === group).map((s) => (
                  <tr key={`${s.keys.join('+')}-${s.what}`} data-testid="help-shortcut">
                    <th scope="row" className="help-keys">
                      {s.keys.map((k, i) => (
                        <span key={k}>
                          {i > 0 ? <span className="help-then">{s.keys[0] === 'g' ? ' then ' : ' + '}</span> : null}
                          <kbd>{k}</kbd>
                        </span>
                      ))}
                    </th>
                    <td>{s.what}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      </div>
    </Dialog>
  );
}
