import { TASK_STATUS_LABELS, type NotificationType, type TaskStatus } from '../../shared/enums';
import { newId } from '../common/ids';
import type { Change, Row, WriteApi, WriteHook } from '../mutations/types';

export const taskUrl = (taskId: string) => `coordinator://task/${taskId}`;

interface Draft {
  userId: string;
  type: NotificationType;
  title: string;
  message: string;
  taskId: string | null;
  projectId: string | null;
  metadata: Record<string, unknown>;
  /** Whose action this reports, when it is not the writer's actor (a comment's author). */
  originatorId?: string | null;
}

export function insertNotification(writer: WriteApi, draft: Draft): Row {
  return writer.insert('notifications', {
    id: newId(),
    user_id: draft.userId,
    type: draft.type,
    title: draft.title,
    message: draft.message,
    read: 0,
    read_at: null,
    action_url: draft.taskId ? taskUrl(draft.taskId) : null,
    metadata: JSON.stringify(draft.metadata),
    task_id: draft.taskId,
    project_id: draft.projectId,
    created_at: writer.now,
  });
}

function userOfEmployee(writer: WriteApi, employeeId: unknown): string | null {
  if (typeof employeeId !== 'string') return null;
  const employee = writer.get('employees', employeeId);
  return typeof employee?.user_id === 'string' ? employee.user_id : null;
}

function actorName(writer: WriteApi): string {
  if (!writer.actorId) return 'Someone';
  const user = writer.get('users', writer.actorId);
  return typeof user?.name === 'string' ? user.name : 'Someone';
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** Who hears about what: the assignee about assignment and status, assignee and creator about comments. */
function draftsFor(change: Change, writer: WriteApi): Draft[] {
  if (change.table === 'tasks' && change.after) {
    const task = change.after;
    const base = { taskId: String(task.id), projectId: str(task.project_id) };
    const assignee = userOfEmployee(writer, task.assigned_to);
    if (!assignee) return [];
    const assigned = change.op === 'insert' || change.changed.includes('assigned_to');
    if (assigned) {
      return [{ ...base, userId: assignee, type: 'task_assigned', title: `${actorName(writer)} assigned you a task`, message: String(task.title), metadata: {} }];
    }
    if (change.op === 'update' && change.changed.includes('status')) {
      const from = String(change.before?.status) as TaskStatus;
      const to = String(task.status) as TaskStatus;
      return [
        {
          ...base,
          userId: assignee,
          type: 'task_status_changed',
          title: `${String(task.title)} moved to ${TASK_STATUS_LABELS[to] ?? to}`,
          message: `${actorName(writer)} changed the status from ${TASK_STATUS_LABELS[from] ?? from} to ${TASK_STATUS_LABELS[to] ?? to}`,
          metadata: { from, to },
        },
      ];
    }
    return [];
  }
  if (change.table === 'comments' && change.op === 'insert' && change.after) {
    const comment = change.after;
    const task = writer.get('tasks', String(comment.task_id));
    if (!task) return [];
    const recipients = new Set([userOfEmployee(writer, task.assigned_to), str(task.created_by)].filter((u): u is string => u !== null));
    const excerpt = String(comment.content).slice(0, 140);
    return [...recipients].map((userId) => ({
      userId,
      type: 'task_commented' as const,
      title: `${String(comment.author)} commented on ${String(task.title)}`,
      message: excerpt,
      taskId: String(task.id),
      projectId: str(task.project_id),
      metadata: { commentId: String(comment.id) },
      originatorId: str(comment.user_id),
    }));
  }
  return [];
}

/**
 * Notification rules as a write hook: the notification commits atomically with the change that
 * caused it. Nobody is notified of their own actions.
 */
export function createNotificationRulesHook(): WriteHook {
  return (change, writer) => {
    if (change.table !== 'tasks' && change.table !== 'comments') return;
    for (const draft of draftsFor(change, writer)) {
      if (draft.userId === (draft.originatorId ?? change.actorId)) continue;
      if (!writer.get('users', draft.userId)) continue;
      insertNotification(writer, draft);
    }
  };
}
