import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { EmployeeListItem } from '../../../shared/entities';
import type { EmployeeCreateInput } from '../../../shared/inputs';
import { call, splitErrors, type ApiError } from '../api';
import { Avatar } from '../components/Avatar';
import { EmployeeOptions } from '../components/EmployeeOptions';
import { EmptyState, Loading } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { Field } from '../components/Field';
import { FilterInput, ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { plural } from '../lib/format';
import { takePendingPerson } from '../lib/focusTarget';
import { flattenTree as flattenHierarchy } from '../lib/hierarchy';
import { WorkloadView } from '../components/workload/WorkloadView';
import { useQuery } from '../lib/useQuery';

type Row = { employee: EmployeeListItem; depth: number; hasChildren: boolean };

/** The People tree: the shared hierarchy order, in this screen's row shape. */
export function flattenTree(employees: EmployeeListItem[], collapsed: ReadonlySet<string>): Row[] {
  return flattenHierarchy(employees, collapsed).map(({ node, depth, hasChildren }) => ({ employee: node, depth, hasChildren }));
}

export function PeopleScreen() {
  const { info } = useApp();
  const employees = useQuery('employees.list', undefined, { tables: ['employees', 'tasks'] });
  const [text, setText] = useState('');
  const [adding, setAdding] = useState(false);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [tab, setTab] = useState<'hierarchy' | 'workload'>('hierarchy');
  // A person chosen in the command palette: highlighted and scrolled to once the rows exist.
  const [highlight] = useState<string | null>(takePendingPerson);
  useEffect(() => {
    if (highlight && employees.data) document.querySelector(`[data-employee-id="${highlight}"]`)?.scrollIntoView({ block: 'center' });
  }, [highlight, employees.data, tab]);

  const q = text.trim().toLowerCase();
  const rows = useMemo<Row[]>(() => {
    const all = employees.data ?? [];
    if (!q) return flattenTree(all, collapsed);
    return all
      .filter((e) =>
        [e.name, e.email, e.department ?? '', e.position ?? '', e.managerName ?? ''].some((v) => v.toLowerCase().includes(q)),
      )
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((employee) => ({ employee, depth: 0, hasChildren: false }));
  }, [employees.data, q, collapsed]);

  const toggle = (id: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const activeCount = employees.data?.filter((e) => e.isActive).length;

  return (
    <section className="view" aria-labelledby="view-title">
      <ViewHeader title="People" subtitle={activeCount !== undefined ? plural(activeCount, 'active employee') : undefined}>
        <FilterInput value={text} onChange={setText} placeholder="Filter people…" label="Filter people" />
        <button type="button" className="btn btn-primary" data-testid="add-employee-button" aria-expanded={adding} onClick={() => setAdding((a) => !a)}>
          Add employee
        </button>
      </ViewHeader>
      <div className="view-body">
        <div className="segmented" role="tablist" aria-label="People view">
          <button type="button" role="tab" id="people-tab-hierarchy" aria-selected={tab === 'hierarchy'} aria-controls="people-panel" data-testid="people-tab-hierarchy" className={tab === 'hierarchy' ? 'active' : ''} onClick={() => setTab('hierarchy')}>
            Hierarchy
          </button>
          <button type="button" role="tab" id="people-tab-workload" aria-selected={tab === 'workload'} aria-controls="people-panel" data-testid="people-tab-workload" className={tab === 'workload' ? 'active' : ''} onClick={() => setTab('workload')}>
            Workload
          </button>
        </div>
        <div id="people-panel" role="tabpanel" aria-labelledby={`people-tab-${tab}`}>
        {tab === 'workload' ? <WorkloadView highlightId={highlight} /> : null}
        {tab === 'hierarchy' && adding ? <NewEmployeeForm employees={employees.data ?? []} onDone={() => setAdding(false)} onCreated={employees.reload} /> : null}
        {tab === 'hierarchy' && employees.error ? <ErrorBanner error={employees.error} title="Could not load people" onRetry={employees.reload} /> : null}
        {tab !== 'hierarchy' ? null : !employees.data && employees.loading ? (
          <Loading label="Loading people…" />
        ) : employees.data && rows.length === 0 ? (
          q ? (
            <EmptyState title="Nobody matches">Try a name, department or position.</EmptyState>
          ) : (
            <EmptyState
              title="No people yet"
              action={
                <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
                  Add employee
                </button>
              }
            >
              Add the people whose work you coordinate.
            </EmptyState>
          )
        ) : rows.length > 0 ? (
          <div className="table-wrap">
            <table className="people-table" aria-label="People by reporting line">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Department</th>
                  <th scope="col">Position</th>
                  <th scope="col">Manager</th>
                  <th scope="col" className="num">
                    Open tasks
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ employee: e, depth, hasChildren }) => (
                  <tr
                    key={e.id}
                    data-testid="employee-row"
                    data-employee-id={e.id}
                    data-depth={depth}
                    className={`${e.isActive ? '' : 'inactive'}${highlight === e.id ? ' row-highlight' : ''}`}
                  >
                    <td>
                      <div className="tree-cell" style={{ paddingLeft: depth * 22 }}>
                        {hasChildren ? (
                          <button
                            type="button"
                            className="tree-toggle"
                            aria-expanded={!collapsed.has(e.id)}
                            aria-label={`${collapsed.has(e.id) ? 'Expand' : 'Collapse'} ${e.name}'s reports`}
                            onClick={() => toggle(e.id)}
                          >
                            <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" className={collapsed.has(e.id) ? '' : 'open'}>
                              <path d="M3 1.5 6.5 5 3 8.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
                            </svg>
                          </button>
                        ) : (
                          <span className="tree-spacer" aria-hidden="true" />
                        )}
                        <Avatar name={e.name} size={24} />
                        <div className="person">
                          <span className="person-name">
                            {e.name}
                            {e.id === info.currentEmployeeId ? <span className="tag tag-accent">You</span> : null}
                            {!e.isActive ? <span className="tag">Inactive</span> : null}
                          </span>
                          <span className="person-email">{e.email}</span>
                        </div>
                        {e.reportCount > 0 ? <span className="muted reports">{plural(e.reportCount, 'report')}</span> : null}
                      </div>
                    </td>
                    <td>{e.department ?? <span className="muted">—</span>}</td>
                    <td>{e.position ?? <span className="muted">—</span>}</td>
                    <td>{e.managerName ?? <span className="muted">—</span>}</td>
                    <td className="num">
                      <span className={`open-count${e.openTaskCount === 0 ? ' zero' : e.openTaskCount >= 10 ? ' heavy' : ''}`}>{e.openTaskCount}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        </div>
      </div>
    </section>
  );
}

function NewEmployeeForm({
  employees,
  onDone,
  onCreated,
}: {
  employees: EmployeeListItem[];
  onDone: () => void;
  onCreated: () => void;
}) {
  const { toast } = useApp();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [managerId, setManagerId] = useState('');
  const [department, setDepartment] = useState('');
  const [position, setPosition] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);

  const departments = useMemo(
    () => [...new Set(employees.map((e) => e.department).filter((d): d is string => Boolean(d)))].sort(),
    [employees],
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input: EmployeeCreateInput = { name, email: email.trim() };
    if (managerId) input.managerId = managerId;
    if (department.trim()) input.department = department.trim();
    if (position.trim()) input.position = position.trim();
    setSaving(true);
    setFailure(null);
    try {
      const created = await call('employees.create', input);
      toast(`${created.name} added`, 'success');
      onCreated();
      onDone();
    } catch (err) {
      const { fields, general } = splitErrors(err, ['name', 'email', 'managerId', 'department', 'position']);
      setErrors(fields);
      setFailure(general);
      setSaving(false);
    }
  };

  return (
    <form className="card inline-form" onSubmit={submit} noValidate aria-label="Add employee" data-testid="new-employee-form">
      <h2 className="form-card-title">Add employee</h2>
      {failure ? <ErrorBanner error={failure} title="Could not add the employee" /> : null}
      <div className="form-grid form-grid-4">
        <Field label="Name" error={errors.name} className="span-2">
          <input className="input" autoFocus data-testid="new-employee-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Full name" />
        </Field>
        <Field label="Email" error={errors.email} className="span-2">
          <input className="input" type="email" data-testid="new-employee-email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="name@company.com" />
        </Field>
        <Field label="Manager" error={errors.managerId}>
          <select className="input" value={managerId} onChange={(e) => setManagerId(e.target.value)}>
            <option value="">No manager</option>
            <EmployeeOptions employees={employees} />
          </select>
        </Field>
        <Field label="Department" error={errors.department}>
          <input className="input" list="department-options" value={department} onChange={(e) => setDepartment(e.target.value)} />
        </Field>
        <Field label="Position" error={errors.position} className="span-2">
          <input className="input" value={position} onChange={(e) => setPosition(e.target.value)} />
        </Field>
      </div>
      <datalist id="department-options">
        {departments.map((d) => (
          <option key={d} value={d} />
        ))}
      </datalist>
      <div className="form-actions">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="new-employee-submit">
          {saving ? 'Adding…' : 'Add employee'}
        </button>
      </div>
    </form>
  );
}
