import { newId } from '../common/ids';
import type { PushOutcome } from '../sync/central/push';
import type { BridgeState, SnapshotRow } from './bridge-state';
import type { CentralRow, CentralSide, QueuedMutation } from './central-side';
import { changedChunks, type CrmReader } from './crm-reader';
import type { CrmWriter } from './crm-writer';
import { RULES, type EntityContext, type SharedEntity } from './entities';
import type { EntityTable } from '../mutations/types';
import { exportValue, sameCentral, sameCrm, type FieldSpec, type MapContext } from './fields';
import type { CrmRow, RecordOf } from './records';
import type { RunTally } from './tally';

interface Deps {
  reader: CrmReader;
  writer: CrmWriter;
  state: BridgeState;
  central: CentralSide;
  ctx: EntityContext;
  tally: RunTally;
  chunkSize: number;
  /** Central rows of this entity's table changed by others since the last run (all of them on the first run). */
  centralChanged: Set<string>;
  /** Called once a row is linked both ways, so later entities can resolve it. */
  onLinked(crmId: number, centralId: string): void;
  onUnlinked(crmId: number, centralId: string): void;
  progress?: (step: 'central-write' | 'crm-write' | 'link') => void | Promise<void>;
}

/** Which CRM rows changed since the merge base: new or modified ids, and ids that disappeared. */
export async function detectCrmChanges(reader: CrmReader, state: BridgeState, entity: SharedEntity | 'staff') {
  const chunks = changedChunks(await reader.chunkSums(entity), await state.chunkSums(entity));
  if (chunks.length === 0) return { changed: [] as number[], deleted: [] as number[] };
  const now = await reader.hashesInChunks(entity, chunks);
  const base = await state.hashesInChunks(entity, chunks);
  const changed = [...now].filter(([id, h]) => base.get(id) !== h).map(([id]) => id);
  const deleted = [...base.keys()].filter((id) => !now.has(id));
  return { changed, deleted };
}

/**
 * Three-way reconciliation of one shared entity (projects, tasks or comments) between the CRM and
 * the central database, with the snapshot of the last run as the merge base.
 */
export async function reconcileShared<E extends SharedEntity>(entity: E, deps: Deps): Promise<void> {
  const rules = RULES[entity];
  const { reader, writer, state, central, ctx, tally } = deps;

  const { changed, deleted } = await detectCrmChanges(reader, state, entity);
  const intents = await state.intents(entity);
  const centralIds = [...new Set([...deps.centralChanged, ...intents.keys()])];
  const linkedByCentral = await state.byCentralIds(entity, centralIds);
  const crmIds = [...new Set([...changed, ...[...linkedByCentral.values()].map((s) => s.crmId)])];
  if (crmIds.length === 0 && deleted.length === 0 && centralIds.length === 0) return;

  const { rows: crmRows, bad } = await reader.rows(entity, crmIds);
  for (const b of bad) tally.skip(b.entity, b.crmId, b.reason);
  const snaps = await state.byCrmIds(entity, [...crmIds, ...deleted]);
  const byCrmId = await central.idMap(rules.table, rules.crmColumn, crmIds.filter((id) => !snaps.has(id)));
  const centralRows = await central.rows(rules.table, [...new Set([...centralIds, ...[...snaps.values()].map((s) => s.centralId), ...byCrmId.values()])]);

  const pushes: QueuedMutation[] = [];
  const afterPush: Array<(outcome: PushOutcome | undefined) => void> = [];
  const queue = (m: QueuedMutation, then?: (o: PushOutcome | undefined) => void) => {
    pushes.push(m);
    afterPush.push(then ?? (() => undefined));
  };
  /** Linked rows to compare after the central writes: CRM row, central id, whether anything was imported. */
  const toSettle: { row: CrmRow<E>; centralId: string }[] = [];
  const snapshotNow: SnapshotRow[] = [];
  const dropSnapshots: number[] = [];
  const crmDeletes: { crmId: number; centralId: string }[] = [];
  const linkedThisRun = new Set<string>();
  /** Rows imported this run: their merge base gets the central version the insert produced. */
  const imported: SnapshotRow[] = [];
  /** Central rows that refused a CRM edit: left as they are on both sides, with their old base, until it is accepted. */
  const refused = new Set<string>();

  // CRM rows that are new or changed, and CRM rows whose central twin changed.
  for (const crmId of crmIds) {
    const row = crmRows.get(crmId);
    if (!row) continue; // invalid (reported) or gone since the scan (seen as deleted next run)
    const snap = snaps.get(crmId);
    const centralRow = snap ? centralRows.get(snap.centralId)?.row : undefined;
    if (snap && !centralRow) {
      // Deleted centrally: deletes win, the CRM row goes too.
      crmDeletes.push({ crmId, centralId: snap.centralId });
      continue;
    }
    if (!snap) {
      const blocker = rules.importBlocker(row.record, ctx);
      if (blocker) {
        tally.skip(entity, crmId, `${rules.label(null, row.record)}: ${blocker}`);
        continue;
      }
      // Already linked centrally (a run that stopped before saving its snapshot), or a row this
      // bridge created in the CRM before it could record the link: link, never import twice.
      const linkedId = byCrmId.get(crmId) ?? matchIntent(intents, row.record);
      const linkedRow = linkedId ? centralRows.get(linkedId)?.row : undefined;
      if (linkedId && linkedRow) {
        intents.delete(linkedId);
        linkedThisRun.add(linkedId);
        deps.onLinked(crmId, linkedId);
        if (linkedRow[rules.crmColumn] == null) {
          queue(linkMutation(rules.table, rules.crmColumn, linkedId, crmId, centralRows.get(linkedId)?.version ?? null));
        }
        toSettle.push({ row, centralId: linkedId });
        continue;
      }
      const id = newId();
      const fields: Record<string, unknown> = { id, [rules.crmColumn]: crmId, ...rules.insertExtras(row.record, ctx) };
      for (const f of rules.fields) fields[f.column] = f.toCentral(row.record[f.key], ctx);
      queue({ table: rules.table, rowId: id, op: 'insert', fields, baseVersion: null }, (o) => {
        if (o?.status === 'applied' || o?.status === 'duplicate') {
          tally.imported += 1;
          deps.onLinked(crmId, id);
          imported.push({ crmId, centralId: id, hash: row.hash, base: row.record, centralVersion: null });
        } else tally.skip(entity, crmId, `${rules.label(null, row.record)}: ${o?.reason ?? o?.status ?? 'not applied'}`);
      });
      continue;
    }
    // Linked: import the fields the CRM changed since the base, unless the central already says the same.
    const { oneSided, bothSides } = crmEdits(rules.fields, snap.base as RecordOf[E], row.record, centralRow ?? {}, ctx);
    const report = (o: PushOutcome | undefined) => {
      if (o?.status === 'applied' || o?.status === 'conflict') tally.imported += 1;
      if (o?.status === 'conflict') tally.conflicts += 1;
      if (o?.status === 'rejected') {
        refused.add(snap.centralId);
        tally.skip(entity, crmId, `${rules.label(centralRow ?? null, row.record)}: ${o.reason ?? 'refused'}`);
      }
    };
    // A field the central has not changed since the base is a one-sided edit: based on the version just
    // read, so only a write that lands after that read (a true concurrent edit) can contest it.
    if (Object.keys(oneSided).length) {
      queue({ table: rules.table, rowId: snap.centralId, op: 'update', fields: oneSided, baseVersion: centralRows.get(snap.centralId)?.version ?? snap.centralVersion }, report);
    }
    // Both sides changed it: based on the merge base, so the server's conflict policy decides.
    if (Object.keys(bothSides).length) {
      queue({ table: rules.table, rowId: snap.centralId, op: 'update', fields: bothSides, baseVersion: snap.centralVersion }, report);
    }
    toSettle.push({ row, centralId: snap.centralId });
  }

  // Rows deleted in the CRM: deleted centrally too (a concurrent central edit is kept as a conflict).
  for (const crmId of deleted) {
    const snap = snaps.get(crmId);
    if (!snap) continue;
    dropSnapshots.push(crmId);
    deps.onUnlinked(crmId, snap.centralId);
    if (centralRows.has(snap.centralId)) {
      queue({ table: rules.table, rowId: snap.centralId, op: 'delete', fields: {}, baseVersion: snap.centralVersion }, (o) => {
        if (o?.status === 'applied') tally.imported += 1;
      });
    }
  }

  // Central rows the CRM has never seen: created there (intent first, so a crash cannot duplicate them).
  const toCreate: { row: CentralRow; version: number | null; record: RecordOf[E] }[] = [];
  /** Why rows stay Coordinator-only, with how many: one warning per reason, however many rows. */
  const staying = new Map<string, number>();
  for (const id of centralIds) {
    if (linkedByCentral.has(id) || linkedThisRun.has(id)) continue;
    const read = centralRows.get(id);
    const c = read?.row;
    if (!c) {
      intents.delete(id);
      continue;
    }
    if (c[rules.crmColumn] != null) continue; // linked by id; the CRM side of it is handled above
    const record = rules.toNewRecord(c, ctx);
    if ('skip' in record) {
      if (record.report) staying.set(record.skip, (staying.get(record.skip) ?? 0) + 1);
      continue;
    }
    toCreate.push({ row: c, version: read.version, record });
  }

  for (const [reason, n] of staying) tally.warn(`${n} ${n === 1 ? entity.replace(/s$/, '') : entity} ${n === 1 ? 'stays' : 'stay'} in Coordinator: ${reason}`);

  await deps.progress?.('central-write');
  const outcomes = pushes.length ? await central.push(pushes) : [];
  afterPush.forEach((fn, i) => fn(outcomes[i]));
  if (imported.length) {
    const versions = await central.rows(rules.table, imported.map((r) => r.centralId));
    for (const r of imported) snapshotNow.push({ ...r, centralVersion: versions.get(r.centralId)?.version ?? null });
  }

  // Settle linked rows: whatever the central now holds that the CRM does not is written to the CRM.
  const settledCentral = await central.rows(rules.table, toSettle.map((s) => s.centralId));
  const crmUpdates: { crmId: number; centralId: string; patch: Partial<RecordOf[E]>; label: string }[] = [];
  for (const { row, centralId } of toSettle) {
    // Writing the central value back would overwrite the CRM's edit the central refused.
    if (refused.has(centralId)) continue;
    const current = settledCentral.get(centralId);
    if (!current) {
      crmDeletes.push({ crmId: row.crmId, centralId });
      continue;
    }
    const patch: Record<string, unknown> = {};
    for (const f of rules.fields) {
      const want = exportValue(f, current.row[f.column], row.record[f.key], ctx);
      if (!sameCrm(want, row.record[f.key])) patch[f.key] = want;
    }
    if (Object.keys(patch).length) crmUpdates.push({ crmId: row.crmId, centralId, patch: patch as Partial<RecordOf[E]>, label: rules.label(current.row, row.record) });
    else snapshotNow.push({ crmId: row.crmId, centralId, hash: row.hash, base: row.record, centralVersion: current.version });
  }
  await state.upsert(entity, deps.chunkSize, snapshotNow);
  await state.remove(entity, dropSnapshots);
  await state.removeIntents(entity, [...linkedThisRun]);

  if (crmUpdates.length === 0 && crmDeletes.length === 0 && toCreate.length === 0) return;

  // CRM writes. New rows are announced as intents in the central database before they exist.
  await state.addIntents(entity, toCreate.map((c) => ({ centralId: c.row.id, base: c.record })));
  const created: { crmId: number; centralId: string; version: number | null }[] = [];
  await deps.progress?.('crm-write');
  await writer.begin();
  try {
    for (const u of crmUpdates) await rules.update(writer, u.crmId, u.patch, u.label);
    for (const d of crmDeletes) await rules.remove(writer, d.crmId);
    for (const c of toCreate) created.push({ crmId: await rules.insert(writer, c.record, c.row, ctx, rules.label(c.row, c.record)), centralId: c.row.id, version: c.version });
    await writer.commit();
  } catch (error) {
    await writer.rollback();
    throw error;
  }
  tally.exported += crmUpdates.length + crmDeletes.length + created.length;
  for (const d of crmDeletes) deps.onUnlinked(d.crmId, d.centralId);
  await state.remove(entity, crmDeletes.map((d) => d.crmId));

  await deps.progress?.('link');
  // Link what was created, then take the CRM's own rendering of every written row as the new base.
  if (created.length) {
    const links = await central.push(created.map((c) => linkMutation(rules.table, rules.crmColumn, c.centralId, c.crmId, c.version)));
    links.forEach((o, i) => {
      const c = created[i];
      if (c && o.status !== 'rejected') deps.onLinked(c.crmId, c.centralId);
    });
  }
  const written = [...crmUpdates.map((u) => ({ crmId: u.crmId, centralId: u.centralId })), ...created.map((c) => ({ crmId: c.crmId, centralId: c.centralId }))];
  await settleWritten(entity, written, deps);
  await state.removeIntents(entity, created.map((c) => c.centralId));
}

/**
 * After writing to the CRM: store the row as the CRM now has it (its hash is what the next scan
 * sees, so our own write is not imported back). Where the CRM normalised a value (an unassign that
 * promoted the next assignee), the central row follows the CRM.
 */
async function settleWritten<E extends SharedEntity>(entity: E, written: { crmId: number; centralId: string }[], deps: Deps): Promise<void> {
  if (written.length === 0) return;
  const rules = RULES[entity];
  const { rows } = await deps.reader.rows(entity, written.map((w) => w.crmId));
  const current = await deps.central.rows(rules.table, written.map((w) => w.centralId));
  const follow: QueuedMutation[] = [];
  for (const w of written) {
    const row = rows.get(w.crmId);
    const c = current.get(w.centralId);
    if (!row || !c) continue;
    const patch: Record<string, unknown> = {};
    for (const f of rules.fields) {
      if (!sameCrm(exportValue(f, c.row[f.column], row.record[f.key], deps.ctx), row.record[f.key])) patch[f.column] = f.toCentral(row.record[f.key], deps.ctx);
    }
    if (Object.keys(patch).length) follow.push({ table: rules.table, rowId: w.centralId, op: 'update', fields: patch, baseVersion: c.version });
  }
  if (follow.length) await deps.central.push(follow);
  const versions = follow.length ? await deps.central.rows(rules.table, follow.map((f) => f.rowId)) : new Map();
  await deps.state.upsert(entity, deps.chunkSize, written.flatMap((w) => {
    const row = rows.get(w.crmId);
    return row ? [{ crmId: w.crmId, centralId: w.centralId, hash: row.hash, base: row.record, centralVersion: versions.get(w.centralId)?.version ?? current.get(w.centralId)?.version ?? null }] : [];
  }));
}

/**
 * Records the CRM id on a central row. The bridge is the only writer of its bookkeeping columns, so the
 * write is based on the version it read: the column's clock (the row's insert) is never newer, and
 * the link can never show up as a conflict someone has to resolve.
 */
function linkMutation(table: EntityTable, crmColumn: string, centralId: string, crmId: number, version: number | null): QueuedMutation {
  return { table, rowId: centralId, op: 'update', fields: { [crmColumn]: crmId }, baseVersion: version };
}

/**
 * The three-way merge of one linked row, CRM side: each field the CRM changed since the merge base,
 * split by whether the central value also moved away from the base. A CRM change Coordinator cannot
 * see (a second assignee, a code it maps the same) is not an edit; one the central already holds is
 * not written again; when both moved to values that mean the same in the CRM (a day and an instant
 * on that day), there is nothing to contest.
 */
export function crmEdits<R extends object>(fields: FieldSpec<R>[], base: R, now: R, centralRow: Record<string, unknown>, ctx: MapContext) {
  const oneSided: Record<string, unknown> = {};
  const bothSides: Record<string, unknown> = {};
  for (const f of fields) {
    const value = now[f.key];
    if (sameCrm(value, base[f.key])) continue;
    const target = f.toCentral(value, ctx);
    const baseCentral = f.toCentral(base[f.key], ctx);
    if (sameCentral(f.kind, target, baseCentral)) continue;
    const central = centralRow[f.column];
    if (sameCentral(f.kind, target, central)) continue;
    if (sameCentral(f.kind, central, baseCentral)) {
      oneSided[f.column] = target;
      continue;
    }
    if (f.direction === 'both' && sameCrm(exportValue(f, central, value, ctx), value)) continue;
    bothSides[f.column] = target;
  }
  return { oneSided, bothSides };
}

function matchIntent(intents: Map<string, unknown>, record: unknown): string | null {
  for (const [centralId, base] of intents) if (sameShape(base, record)) return centralId;
  return null;
}

const IDENTITY_KEYS = ['name', 'description', 'content', 'projectCrmId', 'taskCrmId', 'dateAdded'];

/** An intent matches a CRM row when its identifying values (text, parent, creation time) are the row's. */
function sameShape(intent: unknown, record: unknown): boolean {
  if (!intent || typeof intent !== 'object' || !record || typeof record !== 'object') return false;
  const i = new Map(Object.entries(intent));
  const r = new Map(Object.entries(record));
  return IDENTITY_KEYS.every((k) => !i.has(k) || i.get(k) == null || sameCrm(i.get(k), r.get(k)));
}
