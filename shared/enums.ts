/**
 * The seed's enums, defined once. PostgreSQL declares them as enum types and SQLite as CHECK
 * constraints, both generated from these arrays; the CLI, the UI and the CRM mapping read them too.
 */
export const TASK_STATUSES = ['todo', 'in_progress', 'testing', 'awaiting_feedback', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const DEFAULT_TASK_STATUS: TaskStatus = 'todo';

export const PROJECT_STATUSES = ['todo', 'in_progress', 'on_hold', 'done', 'cancelled'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
export const DEFAULT_TASK_PRIORITY: TaskPriority = 'medium';

export const USER_ROLES = ['admin', 'coordinator', 'member'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const NOTIFICATION_TYPES = [
  'task_assigned',
  'task_status_changed',
  'task_commented',
  'task_due_soon',
  'system',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** An assistant's proposed action: waiting for a person, turned down, carried out, or failed when carried out. */
export const ACTION_STATUSES = ['pending', 'rejected', 'executed', 'failed'] as const;

export const MEMORY_CONTENT_TYPES = ['task', 'comment', 'project', 'note'] as const;
export type MemoryContentType = (typeof MEMORY_CONTENT_TYPES)[number];

/** Project status moves a person may make; anything else is refused with a clear error. */
export const PROJECT_STATUS_TRANSITIONS: Readonly<Record<ProjectStatus, readonly ProjectStatus[]>> = {
  todo: ['in_progress', 'on_hold', 'cancelled'],
  in_progress: ['on_hold', 'done', 'cancelled'],
  on_hold: ['in_progress', 'cancelled'],
  done: ['in_progress'],
  cancelled: ['todo'],
};

export const TASK_STATUS_LABELS: Readonly<Record<TaskStatus, string>> = {
  todo: 'To do',
  in_progress: 'In progress',
  testing: 'Testing',
  awaiting_feedback: 'Awaiting feedback',
  done: 'Done',
};

export const PROJECT_STATUS_LABELS: Readonly<Record<ProjectStatus, string>> = {
  todo: 'Not started',
  in_progress: 'In progress',
  on_hold: 'On hold',
  done: 'Finished',
  cancelled: 'Cancelled',
};
