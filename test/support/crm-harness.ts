import { reconcileCrm, type CrmReconcileOptions, type CrmReconcileResult } from '../../core/crm/reconcile';
import type { CrmConfigInput } from '../../core/crm/config';
import { tempCentral } from './pg';
import { STRICT_SQL_MODE, tempCrm, type TempCrm, type TempCrmOptions } from './crm';
import { waitForVisibleChanges } from './sync-harness';

export type Central = Awaited<ReturnType<typeof tempCentral>>;

export interface Bridge {
  central: Central;
  crm: TempCrm;
  /**
   * One reconcile, once every committed central change is visible to it; `centralUrl` reaches the
   * same database another way (another login, through a pooler).
   */
  run(extra?: Partial<CrmConfigInput> & Pick<CrmReconcileOptions, 'onProgress' | 'lease'> & { centralUrl?: string }): Promise<CrmReconcileResult>;
  /** The central table as objects keyed by their CRM id column. */
  centralBy(table: string, crmColumn: string): Promise<Map<number, Record<string, unknown>>>;
  /** Highest change-log version: unchanged means nothing was written centrally. */
  centralVersion(): Promise<number>;
  dispose(): Promise<void>;
}

/** `strict` runs both the fixture's writes and the bridge's CRM session in strict SQL mode. */
export async function openBridge(options: TempCrmOptions = {}): Promise<Bridge> {
  const central = await tempCentral();
  const crm = await tempCrm(options);
  return {
    central,
    crm,
    async run(extra = {}) {
      await waitForVisibleChanges(central.client);
      const { onProgress, lease, centralUrl, ...crmExtra } = extra;
      const sqlMode = options.strict ? { sqlMode: STRICT_SQL_MODE } : {};
      return reconcileCrm({ central: { url: centralUrl ?? central.url }, crm: { url: crm.url, prefix: crm.prefix, ...sqlMode, ...crmExtra }, onProgress, lease });
    },
    async centralBy(table, crmColumn) {
      // As JSON: dates stay YYYY-MM-DD strings, timestamps ISO strings.
      const { rows } = await central.query(`SELECT to_jsonb(t) AS j FROM ${table} t WHERE ${crmColumn} IS NOT NULL`);
      return new Map(rows.map((r: { j: Record<string, unknown> }) => [Number(r.j[crmColumn]), r.j]));
    },
    async centralVersion() {
      const { rows } = await central.query('SELECT coalesce(max(version), 0)::int AS v FROM sync_changes');
      return Number(rows[0]?.v ?? 0);
    },
    async dispose() {
      await crm.drop().catch(() => undefined);
      await central.drop().catch(() => undefined);
    },
  };
}
