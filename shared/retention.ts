import { z } from 'zod';

const days = (fallback: number) => z.number().int().min(1).max(36_500).default(fallback);

/**
 * How long the replica keeps what has served its purpose (core/ops/retention.ts applies it). Every
 * field has its default, so the IPC input and the CLI give only what they change.
 */
export const retentionSettingsSchema = z.strictObject({
  /** Read notifications, counted from when they were read. */
  readNotificationsDays: days(90),
  /** Conflicts the user restored or dismissed. */
  resolvedConflictsDays: days(90),
  /** The local audit trail (the central database keeps its own). */
  auditDays: days(365),
  /** Agent conversations kept on this laptop. */
  conversationDays: days(180),
});
export type RetentionSettings = z.output<typeof retentionSettingsSchema>;

export const retentionInput = retentionSettingsSchema.optional();
export const retentionReportSchema = z.object({
  applied: z.boolean(),
  settings: retentionSettingsSchema,
  policies: z.array(
    z.object({ name: z.string(), description: z.string(), table: z.string(), cutoff: z.string().nullable(), matched: z.number().int(), removed: z.number().int() }),
  ),
  matched: z.number().int(),
  removed: z.number().int(),
});
export type RetentionReportView = z.infer<typeof retentionReportSchema>;
