import { newId } from '../common/ids';
import type { BridgeState, SnapshotRow } from './bridge-state';
import type { CentralSide, QueuedMutation } from './central-side';
import type { CrmReader } from './crm-reader';
import type { StaffRecord } from './records';
import { detectCrmChanges } from './shared-entity';
import type { RunTally } from './tally';

interface StaffDeps {
  reader: CrmReader;
  state: BridgeState;
  central: CentralSide;
  tally: RunTally;
  chunkSize: number;
}

/**
 * Staff → users and employees. The CRM owns staff identity (name, email, active, admin), so this
 * direction only imports, each write based on the version just read (the CRM's word is not a
 * conflict with what Coordinator had; only a write landing after the read could be): a staff member is matched to an existing person by CRM id, then by email,
 * else created; one who leaves the CRM is deactivated, never deleted (their tasks stay).
 */
export async function reconcileStaff(deps: StaffDeps): Promise<void> {
  const { reader, state, central, tally } = deps;
  const { changed, deleted } = await detectCrmChanges(reader, state, 'staff');
  if (changed.length === 0 && deleted.length === 0) return;

  const emails = await reader.staffEmails();
  const firstWithEmail = new Map<string, number>();
  for (const [id, email] of [...emails].sort((a, b) => a[0] - b[0])) if (!firstWithEmail.has(email)) firstWithEmail.set(email, id);

  const { rows, bad } = await reader.rows('staff', changed);
  for (const b of bad) tally.skip('staff', b.crmId, b.reason);
  const snaps = await state.byCrmIds('staff', [...changed, ...deleted]);
  const usersByStaff = await central.idMap('users', 'crm_user_id');
  const employeesByStaff = await central.idMap('employees', 'crm_employee_id');

  const pushes: QueuedMutation[] = [];
  const snapshot: SnapshotRow[] = [];
  for (const [crmId, row] of rows) {
    const r = row.record;
    const owner = firstWithEmail.get(r.email);
    if (!r.email.includes('@')) {
      tally.skip('staff', crmId, `staff ${crmId} has no valid email ("${r.email}")`);
      continue;
    }
    if (owner !== undefined && owner !== crmId) {
      tally.skip('staff', crmId, `staff ${crmId} has the email ${r.email}, already used by staff ${owner}; only ${owner} is linked`);
      continue;
    }
    const base = (snaps.get(crmId)?.base ?? null) as StaffRecord | null;
    const userId = usersByStaff.get(crmId) ?? (await findByEmail(central, 'users', 'crm_user_id', r.email)) ?? null;
    const userRead = userId ? (await central.rows('users', [userId])).get(userId) : undefined;
    const user = userRead?.row;
    const finalUserId = userId ?? newId();
    const userFields: Record<string, unknown> = { email: r.email, name: r.name || r.email, is_active: r.active, crm_user_id: crmId };
    // The admin flag decides the role only when it changes (or on first link), so a coordinator role set in Coordinator survives.
    if (!base || base.admin !== r.admin) {
      if (r.admin) userFields.role = 'admin';
      else if (base?.admin) userFields.role = 'member';
    }
    if (!user) {
      userFields.id = finalUserId;
      userFields.username = await freeUsername(central, r.email, crmId);
      userFields.role ??= 'member';
      pushes.push({ table: 'users', rowId: finalUserId, op: 'insert', fields: userFields, baseVersion: null });
      tally.imported += 1;
    } else {
      const patch = changedFields(user, userFields);
      if (Object.keys(patch).length) {
        pushes.push({ table: 'users', rowId: finalUserId, op: 'update', fields: patch, baseVersion: userRead?.version ?? null });
        tally.imported += 1;
      }
    }

    const employeeId = employeesByStaff.get(crmId) ?? (await findByEmail(central, 'employees', 'crm_employee_id', r.email)) ?? null;
    const employeeRead = employeeId ? (await central.rows('employees', [employeeId])).get(employeeId) : undefined;
    const employee = employeeRead?.row;
    const employeeFields: Record<string, unknown> = { name: r.name || r.email, email: r.email, is_active: r.active, crm_employee_id: crmId };
    if (!employee) {
      pushes.push({ table: 'employees', rowId: newId(), op: 'insert', fields: { ...employeeFields, id: undefined, user_id: finalUserId }, baseVersion: null });
    } else {
      const patch = changedFields(employee, { ...employeeFields, ...(employee.user_id ? {} : { user_id: finalUserId }) });
      if (Object.keys(patch).length) pushes.push({ table: 'employees', rowId: String(employee.id), op: 'update', fields: patch, baseVersion: employeeRead?.version ?? null });
    }
    snapshot.push({ crmId, centralId: finalUserId, hash: row.hash, base: r, centralVersion: null });
  }

  for (const crmId of deleted) {
    const userId = usersByStaff.get(crmId);
    const employeeId = employeesByStaff.get(crmId);
    if (userId) pushes.push({ table: 'users', rowId: userId, op: 'update', fields: { is_active: false }, baseVersion: (await central.rows('users', [userId])).get(userId)?.version ?? null });
    if (employeeId) pushes.push({ table: 'employees', rowId: employeeId, op: 'update', fields: { is_active: false }, baseVersion: (await central.rows('employees', [employeeId])).get(employeeId)?.version ?? null });
  }

  for (const p of pushes) if (p.op === 'insert') p.fields.id = p.rowId;
  const outcomes = pushes.length ? await central.push(pushes) : [];
  outcomes.forEach((o, i) => {
    if (o.status === 'rejected') tally.skip('staff', null, `${pushes[i]?.table ?? 'row'} ${pushes[i]?.rowId ?? ''}: ${o.reason ?? 'refused'}`);
  });
  await state.upsert('staff', deps.chunkSize, snapshot);
  await state.remove('staff', deleted);
}

function changedFields(current: Record<string, unknown>, wanted: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(wanted).filter(([k, v]) => v !== undefined && current[k] !== v));
}

async function findByEmail(central: CentralSide, table: 'users' | 'employees', crmColumn: string, email: string): Promise<string | null> {
  const rows = await central.query<{ id: string }>(`SELECT id::text AS id FROM ${table} WHERE lower(email) = $1 AND ${crmColumn} IS NULL LIMIT 2`, [email]);
  return rows.length === 1 ? (rows[0]?.id ?? null) : null;
}

async function freeUsername(central: CentralSide, email: string, crmId: number): Promise<string> {
  const wanted = (email.split('@')[0] ?? '').toLowerCase().replace(/[^a-z0-9._-]/g, '') || `staff${crmId}`;
  const taken = await central.query('SELECT 1 FROM users WHERE username = $1', [wanted]);
  return taken.length ? `${wanted}-${crmId}` : wanted;
}
