import { z } from 'zod';

/**
 * The health report `coordinator doctor --json` prints and the About / Health screen shows. One
 * schema for both, so the desktop and the administrator read the same facts.
 */
export const healthCheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});
export type HealthCheck = z.infer<typeof healthCheckSchema>;

const countsSchema = z.record(z.string(), z.number().int().min(0));

export const syncHealthSchema = z.object({
  pending: z.number().int().min(0),
  rejected: z.number().int().min(0),
  openConflicts: z.number().int().min(0),
  /** When the oldest change still waiting to be pushed was made. */
  oldestPendingAt: z.string().nullable(),
  /** Seconds since the oldest pending change was made (0 when nothing is pending). */
  lagSeconds: z.number().min(0),
  lastSyncedAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** Central changes this replica has not pulled yet; null when the central was not checked. */
  behindChanges: z.number().int().min(0).nullable(),
});

export const databaseInfoSchema = z.object({
  path: z.string(),
  sizeBytes: z.number().int().min(0),
  walBytes: z.number().int().min(0),
  pageSize: z.number().int().min(0),
  freePages: z.number().int().min(0),
  migrations: z.object({ applied: z.number().int(), known: z.number().int() }),
});

/** What a start-up recovery did (the damaged database moved aside, its unsynced changes salvaged). */
export const recoveryReportSchema = z.object({
  at: z.string(),
  reason: z.string(),
  /** The damaged database, moved aside (never deleted). */
  movedTo: z.string(),
  salvaged: z.object({ pending: z.number().int(), rejected: z.number().int(), settings: z.number().int() }),
  /** Salvaged changes that could be re-applied to the fresh replica before the next sync. */
  replayed: z.number().int(),
  problems: z.array(z.string()),
});
export type RecoveryReport = z.infer<typeof recoveryReportSchema>;

export const healthReportSchema = z.object({
  ok: z.boolean(),
  checkedAt: z.string(),
  checks: z.array(healthCheckSchema),
  counts: z.object({ local: countsSchema, central: countsSchema, crm: countsSchema.optional() }),
  /** Rows created in the last 7 days, per table with a created_at column. */
  growth: z.object({ local: countsSchema }),
  sync: syncHealthSchema,
  database: databaseInfoSchema.nullable(),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

/** The About / Health screen: the doctor report of the running app plus its last recovery. */
export const appHealthSchema = healthReportSchema.extend({
  version: z.string(),
  recovery: recoveryReportSchema.nullable(),
});
export type AppHealth = z.infer<typeof appHealthSchema>;
