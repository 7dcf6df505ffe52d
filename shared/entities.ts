import { z } from 'zod';
import {
  MEMORY_CONTENT_TYPES,
  NOTIFICATION_TYPES,
  PROJECT_STATUSES,
  TASK_PRIORITIES,
  TASK_STATUSES,
  USER_ROLES,
} from './enums';

/**
 * Entity shapes as they cross process boundaries (IPC, CLI --json). camelCase, ISO-8601 UTC
 * timestamps, `YYYY-MM-DD` calendar dates, JSON columns parsed into objects.
 */
// Any 8-4-4-4-12 hex id: rows created centrally or imported need not be RFC 4122 variant UUIDs.
export const idSchema = z.guid({ message: 'must be a UUID' });
export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real calendar date');
export const isoDateTimeSchema = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' });
export const hoursSchema = z.number().finite().min(0, 'cannot be negative').max(100_000, 'is unreasonably large');
export const jsonObjectSchema = z.record(z.string(), z.unknown());

export const taskStatusSchema = z.enum(TASK_STATUSES);
export const projectStatusSchema = z.enum(PROJECT_STATUSES);
export const taskPrioritySchema = z.enum(TASK_PRIORITIES);
export const userRoleSchema = z.enum(USER_ROLES);
export const notificationTypeSchema = z.enum(NOTIFICATION_TYPES);
export const memoryContentTypeSchema = z.enum(MEMORY_CONTENT_TYPES);

export const userSchema = z.object({
  id: idSchema,
  crmUserId: z.number().int().nullable(),
  username: z.string(),
  email: z.string(),
  fullName: z.string(),
  role: userRoleSchema,
  isActive: z.boolean(),
  preferences: jsonObjectSchema,
  aiSettings: jsonObjectSchema,
  lastLogin: z.string().nullable(),
  lastActivity: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const employeeSchema = z.object({
  id: idSchema,
  userId: idSchema.nullable(),
  crmEmployeeId: z.number().int().nullable(),
  name: z.string(),
  email: z.string(),
  department: z.string().nullable(),
  position: z.string().nullable(),
  managerId: idSchema.nullable(),
  hireDate: z.string().nullable(),
  isActive: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Employee = z.infer<typeof employeeSchema>;

export const employeeNodeSchema = employeeSchema.extend({
  managerName: z.string().nullable(),
  reportCount: z.number().int(),
  openTaskCount: z.number().int(),
});
export type EmployeeListItem = z.infer<typeof employeeNodeSchema>;

export const projectSchema = z.object({
  id: idSchema,
  crmProjectId: z.number().int().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  status: projectStatusSchema,
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  deadline: z.string().nullable(),
  createdBy: idSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Project = z.infer<typeof projectSchema>;

export const projectSummarySchema = projectSchema.extend({
  taskCounts: z.record(taskStatusSchema, z.number().int()),
  totalTasks: z.number().int(),
  /** Share of tasks done, 0–100, rounded. */
  progress: z.number().int().min(0).max(100),
  overdueTasks: z.number().int(),
});
export type ProjectSummary = z.infer<typeof projectSummarySchema>;

export const taskSchema = z.object({
  id: idSchema,
  crmTaskId: z.number().int().nullable(),
  projectId: idSchema.nullable(),
  title: z.string(),
  description: z.string().nullable(),
  status: taskStatusSchema,
  priority: taskPrioritySchema,
  assignedTo: idSchema.nullable(),
  createdBy: idSchema.nullable(),
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  dueDate: z.string().nullable(),
  estimatedHours: z.number().nullable(),
  actualHours: z.number().nullable(),
  completedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Task = z.infer<typeof taskSchema>;

export const taskListItemSchema = taskSchema.extend({
  projectName: z.string().nullable(),
  assigneeName: z.string().nullable(),
  commentCount: z.number().int(),
});
export type TaskListItem = z.infer<typeof taskListItemSchema>;

export const commentSchema = z.object({
  id: idSchema,
  crmCommentId: z.number().int().nullable(),
  taskId: idSchema,
  userId: idSchema.nullable(),
  authorName: z.string(),
  content: z.string(),
  commentOrder: z.number().int(),
  isEdited: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Comment = z.infer<typeof commentSchema>;

export const taskDetailSchema = taskListItemSchema.extend({ comments: z.array(commentSchema) });
export type TaskDetail = z.infer<typeof taskDetailSchema>;

export const notificationSchema = z.object({
  id: idSchema,
  userId: idSchema,
  type: notificationTypeSchema,
  title: z.string(),
  message: z.string(),
  read: z.boolean(),
  readAt: z.string().nullable(),
  actionUrl: z.string().nullable(),
  metadata: jsonObjectSchema,
  taskId: idSchema.nullable(),
  projectId: idSchema.nullable(),
  createdAt: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const auditEntrySchema = z.object({
  id: idSchema,
  entityTable: z.string(),
  entityId: z.string(),
  action: z.enum(['create', 'update', 'delete']),
  /** field → [old, new]; for create only new values, for delete only old ones. */
  changes: z.record(z.string(), z.object({ old: z.unknown(), new: z.unknown() })),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  createdAt: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
