import { z } from 'zod';
import {
  hoursSchema,
  idSchema,
  isoDateSchema,
  isoDateTimeSchema,
  jsonObjectSchema,
  projectStatusSchema,
  taskPrioritySchema,
  taskStatusSchema,
  userRoleSchema,
} from './entities';

/**
 * Inputs accepted by the domain services. The same schemas validate IPC payloads, CLI arguments
 * and (later) agent tool calls, so a rule is stated once.
 */
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const requiredText = (max: number) => text(max).trim().min(1, 'is required');

export const projectCreateInput = z.strictObject({
  name: requiredText(200),
  description: text(100_000).nullish(),
  status: projectStatusSchema.optional(),
  startDate: isoDateSchema.nullish(),
  endDate: isoDateSchema.nullish(),
  deadline: isoDateSchema.nullish(),
});
export type ProjectCreateInput = z.infer<typeof projectCreateInput>;

export const projectUpdateInput = z.strictObject({
  id: idSchema,
  name: requiredText(200).optional(),
  description: text(100_000).nullish(),
  startDate: isoDateSchema.nullish(),
  endDate: isoDateSchema.nullish(),
  deadline: isoDateSchema.nullish(),
});

export const projectStatusInput = z.strictObject({ id: idSchema, status: projectStatusSchema });

const taskFields = {
  title: requiredText(500),
  description: text(100_000).nullish(),
  projectId: idSchema.nullish(),
  status: taskStatusSchema.optional(),
  priority: taskPrioritySchema.optional(),
  assignedTo: idSchema.nullish(),
  dueDate: isoDateSchema.nullish(),
  startTime: isoDateTimeSchema.nullish(),
  endTime: isoDateTimeSchema.nullish(),
  estimatedHours: hoursSchema.nullish(),
  actualHours: hoursSchema.nullish(),
};

export const taskCreateInput = z.strictObject(taskFields);
export type TaskCreateInput = z.infer<typeof taskCreateInput>;

export const taskUpdateInput = z.strictObject({
  id: idSchema,
  title: taskFields.title.optional(),
  description: taskFields.description,
  projectId: taskFields.projectId,
  status: taskFields.status,
  priority: taskFields.priority,
  assignedTo: taskFields.assignedTo,
  dueDate: taskFields.dueDate,
  startTime: taskFields.startTime,
  endTime: taskFields.endTime,
  estimatedHours: taskFields.estimatedHours,
  actualHours: taskFields.actualHours,
});
export type TaskUpdateInput = z.infer<typeof taskUpdateInput>;

export const taskListFilter = z.strictObject({
  projectId: idSchema.optional(),
  status: z.union([taskStatusSchema, z.array(taskStatusSchema)]).optional(),
  assignedTo: idSchema.optional(),
  /** Tasks assigned to the current user's employee record. */
  mine: z.boolean().optional(),
  priority: z.union([taskPrioritySchema, z.array(taskPrioritySchema)]).optional(),
  dueBefore: isoDateSchema.optional(),
  text: text(200).optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  offset: z.number().int().min(0).optional(),
});
export type TaskListFilter = z.infer<typeof taskListFilter>;

export const commentAddInput = z.strictObject({
  taskId: idSchema,
  content: requiredText(50_000),
  /** Author by user id; defaults to the current user. */
  userId: idSchema.optional(),
});

export const commentEditInput = z.strictObject({ id: idSchema, content: requiredText(50_000) });

export const employeeCreateInput = z.strictObject({
  name: requiredText(200),
  email: z.email({ message: 'must be an email address' }).max(254),
  managerId: idSchema.nullish(),
  department: text(100).nullish(),
  position: text(100).nullish(),
  hireDate: isoDateSchema.nullish(),
  userId: idSchema.nullish(),
});
export type EmployeeCreateInput = z.infer<typeof employeeCreateInput>;

export const employeeUpdateInput = z.strictObject({
  id: idSchema,
  name: requiredText(200).optional(),
  email: z.email({ message: 'must be an email address' }).max(254).optional(),
  managerId: idSchema.nullish(),
  department: text(100).nullish(),
  position: text(100).nullish(),
  hireDate: isoDateSchema.nullish(),
  userId: idSchema.nullish(),
});

export const userCreateInput = z.strictObject({
  username: requiredText(100),
  email: z.email({ message: 'must be an email address' }).max(254),
  fullName: requiredText(200),
  role: userRoleSchema.optional(),
  preferences: jsonObjectSchema.optional(),
  aiSettings: jsonObjectSchema.optional(),
});

export const userUpdateInput = z.strictObject({
  id: idSchema,
  fullName: requiredText(200).optional(),
  email: z.email({ message: 'must be an email address' }).max(254).optional(),
  role: userRoleSchema.optional(),
  preferences: jsonObjectSchema.optional(),
  aiSettings: jsonObjectSchema.optional(),
  isActive: z.boolean().optional(),
});

export const notificationListFilter = z.strictObject({
  unreadOnly: z.boolean().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});
