import { z } from 'zod';
import { taskListItemSchema } from './entities';
import { taskListFilter } from './inputs';

/**
 * Paged task queries for the virtualised lists and board. A page carries the total of the whole
 * filtered set, so a view can size its scroll area and say how many tasks match without loading
 * them; rows arrive page by page as the user scrolls.
 */
export const TASK_SORT_KEYS = ['title', 'status', 'priority', 'assignee', 'project', 'due'] as const;
export const taskSortKeySchema = z.enum(TASK_SORT_KEYS);
export type TaskSortKey = z.infer<typeof taskSortKeySchema>;

export const taskSortSchema = z.strictObject({ key: taskSortKeySchema, dir: z.enum(['asc', 'desc']) });
export type TaskSort = z.infer<typeof taskSortSchema>;

/** Pages are small on purpose: one page is a screenful or two, never the whole table. */
export const TASK_PAGE_MAX = 500;

export const taskPageInput = taskListFilter.extend({
  limit: z.number().int().min(1).max(TASK_PAGE_MAX),
  offset: z.number().int().min(0).optional(),
  /** Without a sort, the default order of tasks.list (open first, urgent first, due soonest). */
  sort: taskSortSchema.optional(),
});
export type TaskPageInput = z.infer<typeof taskPageInput>;

/**
 * What a row of the list or a card of the board shows, and nothing else: no description, no
 * timestamps. A page is the hot path of scrolling and typing, so its payload is kept small.
 */
export const taskRowSchema = taskListItemSchema.pick({
  id: true,
  projectId: true,
  title: true,
  status: true,
  priority: true,
  assignedTo: true,
  dueDate: true,
  projectName: true,
  assigneeName: true,
  commentCount: true,
});
export type TaskRow = z.infer<typeof taskRowSchema>;

export const taskPageSchema = z.object({
  items: z.array(taskRowSchema),
  /** Rows matching the filter, across all pages. */
  total: z.number().int().min(0),
  offset: z.number().int().min(0),
});
export type TaskPage = z.infer<typeof taskPageSchema>;
