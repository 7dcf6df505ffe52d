import { z } from 'zod';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../shared/enums';

/**
 * What the model may propose. Each action's arguments are validated when proposed and again when a
 * person confirms, against the data as it is then. There is deliberately no delete.
 */
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const id = z.string().min(8).max(64);

export const PROPOSALS = {
  propose_create_task: {
    actionType: 'create_task',
    description: 'Propose a new task (the user confirms it).',
    args: z.strictObject({
      title: z.string().trim().min(1).max(500),
      description: z.string().max(20_000).optional(),
      project: z.string().max(200).optional().describe('project name or id'),
      assignee: z.string().max(200).optional().describe('employee name, email or id'),
      priority: z.enum(TASK_PRIORITIES).optional(),
      dueDate: date.optional(),
      estimatedHours: z.number().min(0).max(10_000).optional(),
      reason: z.string().max(1000).optional(),
    }),
  },
  propose_update_task: {
    actionType: 'update_task',
    description: 'Propose changing fields of a task (status, priority, due date, title, description, estimate).',
    args: z.strictObject({
      taskId: id,
      status: z.enum(TASK_STATUSES).optional(),
      priority: z.enum(TASK_PRIORITIES).optional(),
      dueDate: date.nullable().optional(),
      title: z.string().trim().min(1).max(500).optional(),
      description: z.string().max(20_000).optional(),
      estimatedHours: z.number().min(0).max(10_000).nullable().optional(),
      reason: z.string().max(1000).optional(),
    }),
  },
  propose_assign_task: {
    actionType: 'assign_task',
    description: 'Propose assigning a task to an employee (or unassigning with assignee null).',
    args: z.strictObject({ taskId: id, assignee: z.string().max(200).nullable(), reason: z.string().max(1000).optional() }),
  },
  propose_comment: {
    actionType: 'add_comment',
    description: 'Propose adding a comment to a task.',
    args: z.strictObject({ taskId: id, content: z.string().trim().min(1).max(10_000), reason: z.string().max(1000).optional() }),
  },
  propose_notify: {
    actionType: 'notify',
    description: 'Propose sending an in-app notification to a person.',
    args: z.strictObject({
      recipient: z.string().max(200).describe('employee name, email or id'),
      title: z.string().trim().min(1).max(200),
      message: z.string().trim().min(1).max(2000),
      taskId: id.optional(),
      reason: z.string().max(1000).optional(),
    }),
  },
} as const;

export type ProposalTool = keyof typeof PROPOSALS;
export type ActionType = (typeof PROPOSALS)[ProposalTool]['actionType'];
