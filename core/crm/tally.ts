import type { CrmEntity } from './tables';

export interface SkippedRow {
  entity: CrmEntity;
  crmId: number | null;
  reason: string;
}

/** What one reconcile did, as reported by `coordinator sync --crm` and the desktop app. */
export function createTally() {
  const skipped: SkippedRow[] = [];
  const warnings: string[] = [];
  return {
    imported: 0,
    exported: 0,
    conflicts: 0,
    skipped,
    warnings,
    skip(entity: CrmEntity, crmId: number | null, reason: string) {
      skipped.push({ entity, crmId, reason });
    },
    warn(message: string) {
      if (!warnings.includes(message)) warnings.push(message);
    },
  };
}
export type RunTally = ReturnType<typeof createTally>;
