import { z } from 'zod';
import { TASK_STATUSES } from '../../shared/enums';
import type { Core } from '../app/core';
import { AppError } from '../common/errors';
import { addDaysToDate, localDate } from '../common/time';
import { num, str, strOrNull } from '../common/rows';
import type { Row } from '../mutations/types';
import { asData, looksLikeInstructions } from './untrusted';

/** What a tool call read: the rows to cite, and whether people's text in it reads like instructions. */
export interface ToolContext {
  core: Core;
  sources: Map<string, { type: 'task' | 'project' | 'comment' | 'note' | 'employee'; id: string; title: string }>;
  /** Set when text the model read looks like an attempt to instruct it. */
  suspicious: string[];
  /** Brings the local search index up to date first (the CLI, which has no background indexer). */
  beforeSearch: () => Promise<void>;
}

const cite = (ctx: ToolContext, type: 'task' | 'project' | 'comment' | 'note' | 'employee', id: string, title: string) => {
  ctx.sources.set(`${type}:${id}`, { type, id, title });
};

const inspect = (ctx: ToolContext, where: string, text: string | null | undefined) => {
  if (text && looksLikeInstructions(text)) ctx.suspicious.push(where);
};

/** A project or employee given by id or by name, as models do both. */
export function resolveProject(core: Core, ref: string): string {
  const byName = core.projects.findByName(ref);
  if (byName) return byName.id;
  return core.projects.get(ref).id;
}

export function resolveEmployee(core: Core, ref: string): string {
  const byName = core.employees.findByName(ref);
  if (byName) return byName.id;
  const row = core.db.prepare('SELECT id FROM employees WHERE id = ? OR lower(email) = lower(?)').get(ref, ref) as { id: string } | undefined;
  if (!row) throw new AppError('NOT_FOUND', `No employee named or with id "${ref}"`);
  return row.id;
}

const today = (core: Core) => localDate(core.clock.now());

export const READ_TOOLS = {
  search_memory: {
    description: 'Semantic + keyword search over tasks, comments, projects and notes. Use it to find things by meaning.',
    args: z.object({ query: z.string().min(1).max(500), k: z.number().int().min(1).max(20).optional(), type: z.enum(['task', 'comment', 'project', 'note']).optional() }),
    async run(ctx: ToolContext, a: { query: string; k?: number; type?: 'task' | 'comment' | 'project' | 'note' }) {
      await ctx.beforeSearch();
      const out = await ctx.core.memory.search({ query: a.query, k: a.k ?? 8, ...(a.type ? { types: [a.type] } : {}) });
      return {
        results: out.results.map((r) => {
          inspect(ctx, `${r.contentType} ${r.sourceId ?? r.id}`, r.content);
          if (r.taskId) cite(ctx, 'task', r.taskId, r.content.split('\n')[0]?.slice(0, 80) ?? '');
          else if (r.contentType === 'project' && r.sourceId) cite(ctx, 'project', r.sourceId, r.content.slice(0, 80));
          else cite(ctx, 'note', r.id, r.content.slice(0, 80));
          return { type: r.contentType, taskId: r.taskId, projectId: r.projectId, score: Number(r.score.toFixed(4)), text: asData(`${r.contentType} ${r.sourceId ?? r.id}`, r.content, 1500) };
        }),
        ...(out.degraded ? { note: `keyword search only: ${out.degraded}` } : {}),
      };
    },
  },

  list_tasks: {
    description: 'List tasks with filters. Dates are YYYY-MM-DD. overdue=true means due before today and not done.',
    args: z.object({
      status: z.array(z.enum(TASK_STATUSES)).optional(),
      assignee: z.string().max(200).optional().describe('employee name, email or id'),
      project: z.string().max(200).optional().describe('project name or id'),
      overdue: z.boolean().optional(),
      dueBefore: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
      text: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(100).optional(),
    }),
    run(ctx: ToolContext, a: { status?: (typeof TASK_STATUSES)[number][]; assignee?: string; project?: string; overdue?: boolean; dueBefore?: string; text?: string; limit?: number }) {
      const { core } = ctx;
      const status = a.overdue ? (a.status ?? TASK_STATUSES.filter((s) => s !== 'done')).filter((s) => s !== 'done') : a.status;
      const tasks = core.tasks.list({
        ...(status ? { status } : {}),
        ...(a.assignee ? { assignedTo: resolveEmployee(core, a.assignee) } : {}),
        ...(a.project ? { projectId: resolveProject(core, a.project) } : {}),
        ...(a.overdue ? { dueBefore: today(core) } : a.dueBefore ? { dueBefore: a.dueBefore } : {}),
        ...(a.text ? { text: a.text } : {}),
        limit: a.limit ?? 50,
      });
      return {
        count: tasks.length,
        tasks: tasks.map((t) => {
          cite(ctx, 'task', t.id, t.title);
          inspect(ctx, `task ${t.id}`, t.title);
          return { id: t.id, title: t.title, status: t.status, priority: t.priority, dueDate: t.dueDate, assignee: t.assigneeName, assigneeId: t.assignedTo, project: t.projectName, estimatedHours: t.estimatedHours, updatedAt: t.updatedAt };
        }),
      };
    },
  },

  get_task: {
    description: 'One task with its description and comments.',
    args: z.object({ id: z.string().min(8).max(64) }),
    run(ctx: ToolContext, a: { id: string }) {
      const t = ctx.core.tasks.get(a.id);
      cite(ctx, 'task', t.id, t.title);
      inspect(ctx, `task ${t.id}`, `${t.title}\n${t.description ?? ''}`);
      for (const c of t.comments) inspect(ctx, `comment ${c.id}`, c.content);
      return {
        id: t.id, title: t.title, status: t.status, priority: t.priority, dueDate: t.dueDate, assignee: t.assigneeName, assigneeId: t.assignedTo,
        project: t.projectName, projectId: t.projectId, estimatedHours: t.estimatedHours, actualHours: t.actualHours, updatedAt: t.updatedAt,
        description: asData(`description of task ${t.id}`, t.description),
        comments: t.comments.map((c) => ({ id: c.id, author: c.authorName, at: c.createdAt, text: asData(`comment ${c.id} by ${c.authorName}`, c.content, 2000) })),
      };
    },
  },

  project_status: {
    description: 'Status of one project (or all): task counts by status, progress, overdue and blocked tasks, deadline.',
    args: z.object({ project: z.string().max(200).optional() }),
    run(ctx: ToolContext, a: { project?: string }) {
      const { core } = ctx;
      const list = a.project ? [core.projects.get(resolveProject(core, a.project))] : core.projects.list();
      return {
        projects: list.map((p) => {
          cite(ctx, 'project', p.id, p.name);
          const blocked = core.db
            .prepare(`SELECT id, title, status, due_date FROM tasks WHERE project_id = ? AND status IN ('awaiting_feedback', 'testing')
                      OR (project_id = ? AND status <> 'done' AND due_date < ?) ORDER BY due_date LIMIT 20`)
            .all(p.id, p.id, today(core)) as Row[];
          for (const b of blocked) cite(ctx, 'task', str(b.id), str(b.title));
          return {
            id: p.id, name: p.name, status: p.status, deadline: p.deadline, totalTasks: p.totalTasks, progressPercent: p.progress, overdueTasks: p.overdueTasks,
            tasksByStatus: p.taskCounts,
            waitingOrOverdue: blocked.map((b) => ({ id: str(b.id), title: str(b.title), status: str(b.status), dueDate: strOrNull(b.due_date) })),
          };
        }),
      };
    },
  },

  workload: {
    description: 'Workload per active employee: open tasks, estimated open hours, hours due this week vs a 40 h capacity, overdue tasks.',
    args: z.object({ weekStart: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }),
    run(ctx: ToolContext, a: { weekStart?: string }) {
      const { core } = ctx;
      const start = a.weekStart ?? today(core);
      const end = addDaysToDate(start, 7);
      const rows = core.db
        .prepare(
          `SELECT e.id, e.name,
             count(t.id) FILTER (WHERE t.status <> 'done') AS open_tasks,
             coalesce(sum(t.estimated_hours) FILTER (WHERE t.status <> 'done'), 0) AS open_hours,
             coalesce(sum(t.estimated_hours) FILTER (WHERE t.status <> 'done' AND t.due_date >= @start AND t.due_date < @end), 0) AS week_hours,
             count(t.id) FILTER (WHERE t.status <> 'done' AND t.due_date < @today) AS overdue
           FROM employees e LEFT JOIN tasks t ON t.assigned_to = e.id
           WHERE e.is_active = 1 GROUP BY e.id ORDER BY week_hours DESC, open_tasks DESC, e.name`,
        )
        .all({ start, end, today: today(core) }) as Row[];
      return {
        weekStart: start, capacityHours: 40,
        people: rows.map((r) => {
          cite(ctx, 'employee', str(r.id), str(r.name));
          const week = num(r.week_hours);
          return { employeeId: str(r.id), name: str(r.name), openTasks: num(r.open_tasks), openEstimatedHours: num(r.open_hours), hoursDueThisWeek: week, overdueTasks: num(r.overdue), overloaded: week > 40 };
        }),
      };
    },
  },
} as const;

export type ReadToolName = keyof typeof READ_TOOLS;
