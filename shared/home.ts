import { z } from 'zod';
import { idSchema, isoDateSchema, notificationSchema, taskListItemSchema, taskSchema, taskStatusSchema } from './entities';

/** Home / Today, the workload view and the command palette: inputs and outputs of their IPC channels. */

/** A task card on Home: the list item's fields a card shows. */
export const homeTaskSchema = taskListItemSchema.pick({
  id: true,
  title: true,
  status: true,
  priority: true,
  dueDate: true,
  projectId: true,
  projectName: true,
  estimatedHours: true,
});
export type HomeTask = z.infer<typeof homeTaskSchema>;

export const homeActivitySchema = z.object({
  id: z.string(),
  entityTable: z.enum(['tasks', 'projects']),
  entityId: z.string(),
  action: z.enum(['create', 'update', 'delete']),
  /** The task's title or the project's name (null when the row is gone). */
  subject: z.string().nullable(),
  projectName: z.string().nullable(),
  /** Changed columns, e.g. ["status", "assigned_to"]. */
  fields: z.array(z.string()),
  actorName: z.string().nullable(),
  createdAt: z.string(),
});
export type HomeActivity = z.infer<typeof homeActivitySchema>;

export const homePendingActionSchema = z.object({
  id: z.string(),
  actionType: z.string(),
  prompt: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  createdAt: z.string(),
});

export const homeTodayInput = z
  .strictObject({
    /** The renderer's local calendar date, so "overdue" means the same on screen and in SQL. */
    today: isoDateSchema.optional(),
    dueSoonDays: z.number().int().min(1).max(60).optional(),
  })
  .optional();
export type HomeTodayInput = NonNullable<z.output<typeof homeTodayInput>>;

export const homeTodaySchema = z.object({
  today: z.string(),
  dueSoonDays: z.number().int(),
  employeeId: idSchema.nullable(),
  /** My open tasks, most urgent first (capped; `myOpenCount` is the full count). */
  myOpen: z.array(homeTaskSchema),
  myOpenCount: z.number().int(),
  overdue: z.array(homeTaskSchema),
  overdueCount: z.number().int(),
  dueSoon: z.array(homeTaskSchema),
  dueSoonCount: z.number().int(),
  unread: z.object({ count: z.number().int(), items: z.array(notificationSchema) }),
  activity: z.array(homeActivitySchema),
  pendingActions: z.object({ count: z.number().int(), items: z.array(homePendingActionSchema) }),
  sync: z.object({ pending: z.number().int(), conflicts: z.number().int(), lastSyncedAt: z.string().nullable() }),
});
export type HomeToday = z.infer<typeof homeTodaySchema>;

export const DEFAULT_CAPACITY_HOURS = 40;

export const workloadInput = z
  .strictObject({
    /** Monday of the week to measure (default: the Monday of `today`'s week). */
    weekStart: isoDateSchema.optional(),
    today: isoDateSchema.optional(),
    capacityHours: z.number().positive().max(168).optional(),
    /** Task chips returned per person (the counts always cover every task). */
    chipsPerPerson: z.number().int().min(0).max(100).optional(),
  })
  .optional();
export type WorkloadInput = NonNullable<z.output<typeof workloadInput>>;

export const workloadChipSchema = taskSchema
  .pick({ id: true, title: true, status: true, priority: true, dueDate: true, estimatedHours: true })
  .extend({ overdue: z.boolean() });
export type WorkloadChip = z.infer<typeof workloadChipSchema>;

export const workloadPersonSchema = z.object({
  employeeId: idSchema,
  name: z.string(),
  managerId: idSchema.nullable(),
  department: z.string().nullable(),
  position: z.string().nullable(),
  openCount: z.number().int(),
  overdueCount: z.number().int(),
  /** Estimated hours of open work scheduled in the week (see home-service for the rule). */
  weekHours: z.number(),
  /** Open tasks in the week without an estimate: the hours are a lower bound when > 0. */
  unestimatedCount: z.number().int(),
  tasks: z.array(workloadChipSchema),
});
export type WorkloadPerson = z.infer<typeof workloadPersonSchema>;

export const workloadSchema = z.object({
  weekStart: z.string(),
  weekEnd: z.string(),
  capacityHours: z.number(),
  people: z.array(workloadPersonSchema),
});
export type Workload = z.infer<typeof workloadSchema>;

/** Everything the command palette can jump to, as small rows: it fuzzy-matches them as you type. */
export const paletteEntitiesSchema = z.object({
  tasks: z.array(z.object({ id: idSchema, title: z.string(), status: taskStatusSchema, projectName: z.string().nullable() })),
  projects: z.array(z.object({ id: idSchema, name: z.string() })),
  people: z.array(z.object({ id: idSchema, name: z.string(), position: z.string().nullable() })),
});
export type PaletteEntities = z.infer<typeof paletteEntitiesSchema>;
