import { useState } from 'react';
import type { WorkloadChip, WorkloadPerson } from '../../../../shared/home';
import { useApp } from '../../lib/appContext';
import { formatHours } from '../../lib/format';
import { Dialog } from '../Dialog';

/** The keyboard alternative to dragging a chip: pick the new assignee from a list, or open the task. */
export function MoveTaskDialog({
  chip,
  from,
  people,
  onClose,
  onMove,
}: {
  chip: WorkloadChip;
  from: WorkloadPerson;
  people: readonly WorkloadPerson[];
  onClose: () => void;
  onMove: (to: WorkloadPerson) => void;
}) {
  const { openTask } = useApp();
  const others = people.filter((p) => p.employeeId !== from.employeeId);
  const [target, setTarget] = useState(others[0]?.employeeId ?? '');
  const chosen = others.find((p) => p.employeeId === target);

  return (
    // Esc closes this dialog here: the app-wide handler only knows the app's own layers.
    <div
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        e.stopPropagation();
        onClose();
      }}
    >
    <Dialog
      title={`Reassign “${chip.title}”`}
      onClose={onClose}
      testId="move-task-dialog"
      footer={
        <>
          <button
            type="button"
            className="btn"
            onClick={() => {
              onClose();
              openTask(chip.id);
            }}
          >
            Open task
          </button>
          <button type="button" className="btn btn-primary" data-testid="move-task-submit" disabled={!chosen} onClick={() => chosen && onMove(chosen)}>
            Move
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) onMove(chosen);
        }}
      >
        <label className="field">
          <span className="field-label">Move from {from.name} to</span>
          <select className="input" data-testid="move-task-target" data-autofocus value={target} onChange={(e) => setTarget(e.target.value)}>
            {others.map((p) => (
              <option key={p.employeeId} value={p.employeeId}>
                {p.name} — {formatHours(p.weekHours)} this week, {p.openCount} open
              </option>
            ))}
          </select>
        </label>
      </form>
    </Dialog>
    </div>
  );
}
