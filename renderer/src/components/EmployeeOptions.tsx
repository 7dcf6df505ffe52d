import type { EmployeeListItem } from '../../../shared/entities';
import { useApp } from '../lib/appContext';

/** <option>s for an assignee/manager select: active people by name, the current user marked. */
export function EmployeeOptions({
  employees,
  keepId,
  excludeId,
}: {
  employees: EmployeeListItem[];
  /** Keep this one even when inactive (the current value). */
  keepId?: string | null;
  excludeId?: string;
}) {
  const { info } = useApp();
  const list = employees
    .filter((e) => (e.isActive || e.id === keepId) && e.id !== excludeId)
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      {list.map((e) => (
        <option key={e.id} value={e.id}>
          {`${e.name}${e.id === info.currentEmployeeId ? ' (you)' : ''}${e.isActive ? '' : ' (inactive)'}`}
        </option>
      ))}
    </>
  );
}
