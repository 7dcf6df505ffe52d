import { z } from 'zod';
import type { ActionView } from '../../shared/agent';
import type { Core } from '../app/core';
import { AppError, notFound, parseInput } from '../common/errors';
import { newId } from '../common/ids';
import { bool, json, str, strOrNull } from '../common/rows';
import type { Row } from '../mutations/types';
import { insertNotification } from '../notifications/rules';
import { PROPOSALS, type ActionType, type ProposalTool } from './proposals';
import { resolveEmployee, resolveProject } from './read-tools';

/** What an `ai_actions` row keeps in `action_data`: enough to show the change and to re-check it. */
const storedSchema = z.object({
  tool: z.enum(Object.keys(PROPOSALS) as [ProposalTool, ...ProposalTool[]]),
  args: z.record(z.string(), z.unknown()),
  /** The service input the confirmation will run, with names resolved to ids. */
  input: z.record(z.string(), z.unknown()),
  /** Every task field as it was when proposed; confirmation compares the fields the proposal changes. */
  before: z.record(z.string(), z.unknown()).nullable(),
  /** Kept for the record; staleness is judged per field, not by this. */
  targetUpdatedAt: z.string().nullable(),
  flagged: z.string().nullable(),
  summary: z.string(),
});
type Stored = z.infer<typeof storedSchema>;

const TASK_FIELDS: Record<string, string> = { status: 'status', priority: 'priority', dueDate: 'dueDate', title: 'title', description: 'description', estimatedHours: 'estimatedHours', assignedTo: 'assignedTo' };

/**
 * Proposals the assistant makes, and what happens when a person decides. Nothing runs until
 * `confirm`, which re-validates the arguments, the confirming user's permission and that no field
 * it changes was changed by anyone else since the proposal, then executes through the domain services (so the
 * change is audited and synced like any other edit).
 */
export function createActionsService(core: Core) {
  const toView = (r: Row): ActionView => {
    const data = json<Record<string, unknown>>(r.action_data, {});
    const stored = storedSchema.safeParse(data);
    const before = stored.success ? (stored.data.before ?? {}) : {};
    const input = stored.success ? stored.data.input : {};
    const diff: ActionView['diff'] = Object.keys(TASK_FIELDS)
      .filter((k) => k in input && stored.success && stored.data.tool !== 'propose_create_task')
      .map((k) => ({ field: k, before: before[k] ?? null, after: input[k] ?? null }));
    if (stored.success && stored.data.tool === 'propose_create_task') for (const [k, v] of Object.entries(input)) diff.push({ field: k, before: null, after: v });
    if (stored.success && (stored.data.tool === 'propose_comment' || stored.data.tool === 'propose_notify')) {
      for (const [k, v] of Object.entries(input)) if (k !== 'taskId' && k !== 'userId') diff.push({ field: k, before: null, after: v });
    }
    const label = (field: string, value: unknown): string | null => {
      if (typeof value !== 'string') return null;
      const table = field === 'assignedTo' ? 'employees' : field === 'projectId' ? 'projects' : field === 'userId' ? 'users' : null;
      if (!table) return null;
      const row = core.writer.get(table, value);
      return row ? str(row.name) : null;
    };
    for (const d of diff) {
      const before = label(d.field, d.before);
      const after = label(d.field, d.after);
      if (before) d.beforeLabel = before;
      if (after) d.afterLabel = after;
    }
    return {
      id: str(r.id), conversationId: strOrNull(r.conversation_id), prompt: str(r.prompt), actionType: str(r.action_type), targetType: strOrNull(r.target_type),
      targetId: strOrNull(r.target_id), actionData: data, status: str(r.status) as ActionView['status'], executed: bool(r.executed), result: strOrNull(r.result),
      executedAt: strOrNull(r.executed_at), createdAt: str(r.created_at), flagged: stored.success ? stored.data.flagged : null,
      summary: stored.success ? stored.data.summary : str(r.action_type), diff,
    };
  };

  const taskRow = (id: string) => {
    const row = core.writer.get('tasks', id);
    if (!row) throw notFound('Task', id);
    return row;
  };
  const taskBefore = (row: Row) => ({
    status: row.status, priority: row.priority, dueDate: row.due_date, title: row.title, description: row.description, estimatedHours: row.estimated_hours, assignedTo: row.assigned_to,
  });

  const FIELD_NAMES: Record<string, string> = { dueDate: 'due date', estimatedHours: 'estimate', assignedTo: 'assignee' };
  const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  /** The task fields a proposal would change (none for a comment, a notification or a new task). */
  const changedFields = (stored: Stored): string[] => (stored.before ? Object.keys(stored.input).filter((k) => k in TASK_FIELDS) : []);

  /**
   * Whether `field` went from `before` to `now` by the confirmation of another proposal of the same
   * answer (same conversation, same task): the person saw both proposals together, so confirming one
   * does not make the other stale, even when both set the same field (the later confirmation wins).
   */
  function changedBySibling(self: Row, field: string, before: unknown, now: unknown): boolean {
    if (self.conversation_id === null) return false;
    const siblings = core.db
      .prepare("SELECT action_data FROM ai_actions WHERE conversation_id = ? AND target_id = ? AND status = 'executed' AND id <> ?")
      .all(self.conversation_id, self.target_id, self.id) as Row[];
    return siblings.some((r) => {
      const sibling = storedSchema.safeParse(json(r.action_data, {}));
      return sibling.success && field in sibling.data.input && sameValue(sibling.data.input[field], now) && sameValue(sibling.data.before?.[field], before);
    });
  }

  /**
   * Staleness is per field: a proposal is stale only if a field it changes no longer holds the value
   * it was proposed against, and the change was not made by a sibling proposal of the same answer
   * or to the very value proposed. Edits to other fields, by anyone, leave it valid.
   */
  function assertFresh(self: Row, stored: Stored): void {
    const targetId = strOrNull(self.target_id);
    if (!targetId || !stored.before) return;
    const now = taskBefore(taskRow(targetId));
    const moved = changedFields(stored).filter((field) => {
      const before = stored.before?.[field];
      const current = now[field as keyof typeof now];
      return !sameValue(before, current) && !sameValue(stored.input[field], current) && !changedBySibling(self, field, before, current);
    });
    if (moved.length > 0) {
      const names = moved.map((f) => FIELD_NAMES[f] ?? f).join(', ');
      throw new AppError('CONFLICT', `The task's ${names} changed since this was proposed; ask again to get a fresh proposal`);
    }
  }

  /** Validates and resolves a proposal into the service input it would run. */
  function plan(tool: ProposalTool, args: Record<string, unknown>): Omit<Stored, 'flagged' | 'args' | 'tool'> & { targetType: string | null; targetId: string | null } {
    switch (tool) {
      case 'propose_create_task': {
        const a = parseInput(PROPOSALS.propose_create_task.args, args, 'proposed task');
        const input = {
          title: a.title, ...(a.description ? { description: a.description } : {}), ...(a.priority ? { priority: a.priority } : {}),
          ...(a.dueDate ? { dueDate: a.dueDate } : {}), ...(a.estimatedHours !== undefined ? { estimatedHours: a.estimatedHours } : {}),
          ...(a.project ? { projectId: resolveProject(core, a.project) } : {}), ...(a.assignee ? { assignedTo: resolveEmployee(core, a.assignee) } : {}),
        };
        return { input, before: null, targetUpdatedAt: null, targetType: input.projectId ? 'project' : null, targetId: input.projectId ?? null, summary: `Create task “${a.title}”` };
      }
      case 'propose_update_task': {
        const a = parseInput(PROPOSALS.propose_update_task.args, args, 'proposed change');
        const row = taskRow(a.taskId);
        const { taskId, reason: _reason, ...changes } = a;
        if (Object.keys(changes).length === 0) throw new AppError('VALIDATION', 'The proposed change changes nothing');
        return { input: changes, before: taskBefore(row), targetUpdatedAt: str(row.updated_at), targetType: 'task', targetId: taskId, summary: `Update “${str(row.title)}”: ${Object.keys(changes).join(', ')}` };
      }
      case 'propose_assign_task': {
        const a = parseInput(PROPOSALS.propose_assign_task.args, args, 'proposed assignment');
        const row = taskRow(a.taskId);
        const assignedTo = a.assignee === null ? null : resolveEmployee(core, a.assignee);
        const name = assignedTo ? core.employees.get(assignedTo).name : 'nobody';
        return { input: { assignedTo }, before: taskBefore(row), targetUpdatedAt: str(row.updated_at), targetType: 'task', targetId: a.taskId, summary: `Assign “${str(row.title)}” to ${name}` };
      }
      case 'propose_comment': {
        const a = parseInput(PROPOSALS.propose_comment.args, args, 'proposed comment');
        const row = taskRow(a.taskId);
        return { input: { taskId: a.taskId, content: a.content }, before: null, targetUpdatedAt: null, targetType: 'task', targetId: a.taskId, summary: `Comment on “${str(row.title)}”` };
      }
      case 'propose_notify': {
        const a = parseInput(PROPOSALS.propose_notify.args, args, 'proposed notification');
        const employee = core.employees.get(resolveEmployee(core, a.recipient));
        if (!employee.userId) throw new AppError('VALIDATION', `${employee.name} has no user account to notify`);
        if (a.taskId) taskRow(a.taskId);
        return {
          input: { userId: employee.userId, title: a.title, message: a.message, ...(a.taskId ? { taskId: a.taskId } : {}) }, before: null, targetUpdatedAt: null,
          targetType: 'user', targetId: employee.userId, summary: `Notify ${employee.name}: ${a.title}`,
        };
      }
    }
  }

  function assertMayConfirm(stored: Stored, targetId: string | null): void {
    const userId = core.session.currentUserId;
    if (!userId) throw new AppError('FORBIDDEN', 'Sign in to confirm actions');
    const user = core.users.get(userId);
    if (!user.isActive) throw new AppError('FORBIDDEN', 'Your account is inactive');
    if (user.role !== 'member' || !targetId || !['propose_update_task', 'propose_assign_task'].includes(stored.tool)) return;
    const task = core.writer.get('tasks', targetId);
    const me = core.currentEmployeeId();
    if (task && task.assigned_to !== me && task.created_by !== userId) {
      throw new AppError('FORBIDDEN', 'Members may change only tasks assigned to them or created by them');
    }
  }

  function execute(stored: Stored, targetId: string | null): Record<string, unknown> {
    const input = stored.input;
    switch (stored.tool) {
      case 'propose_create_task':
        return { taskId: core.tasks.create(input).id };
      case 'propose_update_task':
      case 'propose_assign_task':
        return { taskId: core.tasks.update({ id: targetId, ...input }).id };
      case 'propose_comment':
        return { commentId: core.comments.add(input).id };
      case 'propose_notify': {
        const n = parseInput(z.object({ userId: z.string(), title: z.string(), message: z.string(), taskId: z.string().optional() }), input, 'notification');
        const task = n.taskId ? core.writer.get('tasks', n.taskId) : undefined;
        const row = insertNotification(core.writer, {
          userId: n.userId, type: 'system', title: n.title, message: n.message, taskId: n.taskId ?? null,
          projectId: task ? strOrNull(task.project_id) : null, metadata: { fromAssistant: true },
        });
        return { notificationId: str(row.id) };
      }
    }
  }

  const get = (id: string): Row => {
    const row = core.writer.get('ai_actions', id) ?? (core.db.prepare('SELECT * FROM ai_actions WHERE id LIKE ? OR id LIKE ?').get(`${id}%`, `%${id}`) as Row | undefined);
    if (!row) throw notFound('Action', id);
    return row;
  };

  return {
    /** Validates a proposal from the model and stores it, pending. A bad proposal throws (the model is told). */
    propose(tool: ProposalTool, args: Record<string, unknown>, meta: { prompt: string; conversationId: string | null; flagged: string | null }): ActionView {
      const p = plan(tool, args);
      const actionType: ActionType = PROPOSALS[tool].actionType;
      const stored: Stored = { tool, args, input: p.input, before: p.before, targetUpdatedAt: p.targetUpdatedAt, flagged: meta.flagged, summary: p.summary };
      const row = core.writer.insert('ai_actions', {
        id: newId(), conversation_id: meta.conversationId, user_id: core.session.currentUserId, prompt: meta.prompt, action_type: actionType,
        target_type: p.targetType, target_id: p.targetId, action_data: JSON.stringify(stored), status: 'pending', confirmed_by: null, confirmed_at: null,
        executed: 0, result: null, executed_at: null, created_at: core.writer.now, updated_at: core.writer.now,
      });
      return toView(row);
    },

    list(options: { pending?: boolean; conversationId?: string } = {}): ActionView[] {
      const where = [options.pending ? "status = 'pending'" : '1 = 1', options.conversationId ? 'conversation_id = @c' : '1 = 1'].join(' AND ');
      return (core.db.prepare(`SELECT * FROM ai_actions WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 500`).all({ ...(options.conversationId ? { c: options.conversationId } : {}) }) as Row[]).map(toView);
    },

    get: (id: string): ActionView => toView(get(id)),

    confirm(id: string): ActionView {
      const row = get(id);
      if (str(row.status) !== 'pending') throw new AppError('CONFLICT', `This action was already ${str(row.status)}`);
      const stored = parseInput(storedSchema, json(row.action_data, {}), 'stored action');
      const targetId = strOrNull(row.target_id);
      const now = () => core.writer.now;
      const finish = (status: 'executed' | 'failed', result: string) =>
        core.writer.update('ai_actions', str(row.id), {
          status, executed: status === 'executed' ? 1 : 0, result, executed_at: status === 'executed' ? now() : null,
          confirmed_by: core.session.currentUserId, confirmed_at: now(), updated_at: now(),
        });
      try {
        core.writer.transaction(() => {
          assertMayConfirm(stored, targetId);
          // Re-validate against the data as it is now, and refuse if a field it changes moved on.
          const fresh = plan(stored.tool, stored.args);
          assertFresh(row, stored);
          const result = execute({ ...stored, input: fresh.input }, targetId);
          finish('executed', JSON.stringify(result));
        });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // Nothing of the attempt was kept; the refusal itself is recorded on the action.
        finish('failed', error.message);
        throw error;
      }
      return toView(get(str(row.id)));
    },

    /** Marks the still-pending proposals of one conversation failed, with the reason; returns how many. */
    withdrawPending(conversationId: string, reason: string): number {
      const pending = core.db.prepare("SELECT id FROM ai_actions WHERE conversation_id = ? AND status = 'pending'").all(conversationId) as Row[];
      for (const r of pending) core.writer.update('ai_actions', str(r.id), { status: 'failed', result: reason, updated_at: core.writer.now });
      return pending.length;
    },

    reject(id: string): ActionView {
      const row = get(id);
      if (str(row.status) !== 'pending') throw new AppError('CONFLICT', `This action was already ${str(row.status)}`);
      core.writer.update('ai_actions', str(row.id), {
        status: 'rejected', result: 'rejected by the user', confirmed_by: core.session.currentUserId, confirmed_at: core.writer.now, updated_at: core.writer.now,
      });
      return toView(get(str(row.id)));
    },
  };
}
