import { z } from 'zod';
import { idSchema, isoDateSchema } from './entities';
import { TASK_STATUSES } from './enums';

/**
 * Project insights and weekly status reports: the IPC input/output shapes, shared with the
 * renderer. Every series is computed from the replica's audit trail, so it is true for past dates.
 */

export const isoWeekSchema = z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, { message: 'must be an ISO week like 2026-W49' });

export const insightsInput = z
  .strictObject({
    /** One project, or every project when absent. */
    projectId: idSchema.optional(),
    from: isoDateSchema.optional(),
    to: isoDateSchema.optional(),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: 'from must not be after to', path: ['from'] });

const statusCounts = z.object(Object.fromEntries(TASK_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof TASK_STATUSES)[number], z.ZodNumber>);

export const burndownPointSchema = z.object({ date: z.string(), openTasks: z.number().int(), openHours: z.number(), idealTasks: z.number().nullable(), idealHours: z.number().nullable() });
export const flowPointSchema = z.object({ date: z.string(), counts: statusCounts });
export const throughputPointSchema = z.object({ week: z.string(), start: z.string(), done: z.number().int() });
export const cycleBucketSchema = z.object({ label: z.string(), minDays: z.number(), maxDays: z.number().nullable(), count: z.number().int() });
export const overduePointSchema = z.object({ date: z.string(), overdue: z.number().int() });
export const workloadRowSchema = z.object({
  employeeId: z.string().nullable(),
  name: z.string(),
  openTasks: z.number().int(),
  openHours: z.number(),
  overdue: z.number().int(),
});
export const forecastSchema = z.object({
  projectId: z.string(),
  projectName: z.string(),
  deadline: z.string().nullable(),
  remainingTasks: z.number().int(),
  /** Weekly throughput samples the simulation drew from (oldest first). */
  samples: z.array(z.number().int()),
  /** Projected completion dates: 50 % and 85 % of simulated futures finish by them (null: no throughput). */
  p50: z.string().nullable(),
  p85: z.string().nullable(),
  /** on_track: p85 ≤ deadline; at_risk: p50 ≤ deadline < p85; late: p50 > deadline. */
  verdict: z.enum(['on_track', 'at_risk', 'late', 'no_deadline', 'no_throughput', 'done']),
});
export type Forecast = z.infer<typeof forecastSchema>;

export const insightsSchema = z.object({
  scope: z.object({ projectId: z.string().nullable(), projectName: z.string().nullable(), from: z.string(), to: z.string(), deadline: z.string().nullable() }),
  burndown: z.array(burndownPointSchema),
  cumulativeFlow: z.array(flowPointSchema),
  throughput: z.array(throughputPointSchema),
  cycleTime: z.object({ buckets: z.array(cycleBucketSchema), count: z.number().int(), p50Days: z.number().nullable(), p85Days: z.number().nullable() }),
  overdue: z.array(overduePointSchema),
  workload: z.array(workloadRowSchema),
  forecasts: z.array(forecastSchema),
});
export type Insights = z.infer<typeof insightsSchema>;
export type WorkloadRow = z.infer<typeof workloadRowSchema>;

export const reportTaskSchema = z.object({
  id: z.string(),
  title: z.string(),
  assignee: z.string().nullable(),
  dueDate: z.string().nullable(),
  status: z.string(),
  estimatedHours: z.number().nullable(),
  /** done: when it was done; slipped: days past due at week end. */
  note: z.string(),
});
export type ReportTask = z.infer<typeof reportTaskSchema>;

export const reportInput = z.strictObject({ projectId: idSchema, week: isoWeekSchema });

export const statusReportSchema = z.object({
  projectId: z.string(),
  projectName: z.string(),
  week: z.string(),
  weekStart: z.string(),
  weekEnd: z.string(),
  deadline: z.string().nullable(),
  figures: z.object({
    doneThisWeek: z.number().int(),
    openTasks: z.number().int(),
    openHours: z.number(),
    overdue: z.number().int(),
    awaitingFeedback: z.number().int(),
    avgWeeklyThroughput: z.number(),
  }),
  done: z.array(reportTaskSchema),
  slipped: z.array(reportTaskSchema),
  atRisk: z.array(reportTaskSchema),
  blockers: z.array(reportTaskSchema),
  workload: z.array(workloadRowSchema),
  forecast: forecastSchema.nullable(),
  insights: insightsSchema,
  summary: z.object({ text: z.string(), source: z.enum(['template', 'assistant', 'edited']), note: z.string().nullable() }),
});
export type StatusReport = z.infer<typeof statusReportSchema>;

export const reportDraftSchema = z.object({ text: z.string(), source: z.enum(['template', 'assistant']), note: z.string().nullable() });
export type ReportDraft = z.infer<typeof reportDraftSchema>;

export const REPORT_FORMATS = ['pdf', 'html', 'md'] as const;
/** A report as built or exported from the desktop: the coordinator's accepted summary, if any. */
export const reportBuildInput = z.strictObject({ projectId: idSchema, week: isoWeekSchema, summary: z.string().max(4000).optional() });
export const reportExportInput = reportBuildInput.extend({ format: z.enum(REPORT_FORMATS) });
export const reportExportSchema = z.object({ fileName: z.string(), mime: z.string(), base64: z.string() });
