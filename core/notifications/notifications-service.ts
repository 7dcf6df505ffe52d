import type { Notification } from '../../shared/entities';
import { idSchema } from '../../shared/entities';
import { notificationListFilter } from '../../shared/inputs';
import { AppError, notFound, parseInput } from '../common/errors';
import { addDaysToDate, localDate } from '../common/time';
import { bool, json, num, str, strOrNull } from '../common/rows';
import type { ServiceContext } from '../mutations/context';
import type { Row } from '../mutations/types';
import { insertNotification } from './rules';

export function toNotification(r: Row): Notification {
  return {
    id: str(r.id),
    userId: str(r.user_id),
    type: str(r.type) as Notification['type'],
    title: str(r.title),
    message: str(r.message),
    read: bool(r.read),
    readAt: strOrNull(r.read_at),
    actionUrl: strOrNull(r.action_url),
    metadata: json(r.metadata, {}),
    taskId: strOrNull(r.task_id),
    projectId: strOrNull(r.project_id),
    createdAt: str(r.created_at),
  };
}

const DUE_SOON_SQL = `SELECT t.id, t.title, t.due_date, t.project_id, e.user_id
  FROM tasks t JOIN employees e ON e.id = t.assigned_to
  WHERE t.status <> 'done' AND t.due_date IS NOT NULL AND t.due_date >= ? AND t.due_date <= ? AND e.user_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.task_id = t.id AND n.type = 'task_due_soon'
                    AND n.user_id = e.user_id AND json_extract(n.metadata, '$.dueDate') = t.due_date)`;

export function createNotificationsService(ctx: ServiceContext) {
  const { writer, statements, session, clock } = ctx;

  const me = (): string | null => session.currentUserId;

  const getOwn = (id: string): Notification => {
    const row = writer.get('notifications', id);
    if (!row) throw notFound('Notification', id);
    const notification = toNotification(row);
    if (notification.userId !== me()) throw new AppError('FORBIDDEN', 'That notification belongs to someone else');
    return notification;
  };

  return {
    list(raw: unknown = {}): Notification[] {
      const filter = parseInput(notificationListFilter, raw ?? {}, 'notification filter');
      const userId = me();
      if (!userId) return [];
      const rows = statements
        .get(`SELECT * FROM notifications WHERE user_id = ? ${filter.unreadOnly ? 'AND read = 0' : ''} ORDER BY created_at DESC, id DESC LIMIT ?`)
        .all(userId, filter.limit ?? 200) as Row[];
      return rows.map(toNotification);
    },

    unreadCount(): number {
      const userId = me();
      if (!userId) return 0;
      return num((statements.get('SELECT count(*) AS n FROM notifications WHERE user_id = ? AND read = 0').get(userId) as Row).n);
    },

    markRead(rawId: unknown): Notification {
      const id = parseInput(idSchema, rawId, 'notification id');
      return writer.transaction(() => {
        const notification = getOwn(id);
        if (!notification.read) writer.update('notifications', id, { read: 1, read_at: writer.now });
        return toNotification(writer.get('notifications', id) ?? {});
      });
    },

    markAllRead(): { updated: number } {
      const userId = me();
      if (!userId) return { updated: 0 };
      return writer.transaction(() => {
        const ids = statements.get('SELECT id FROM notifications WHERE user_id = ? AND read = 0').all(userId) as { id: string }[];
        for (const { id } of ids) writer.update('notifications', id, { read: 1, read_at: writer.now });
        return { updated: ids.length };
      });
    },

    /**
     * Creates a "due within 24 h" notification for each open, assigned task whose due date falls
     * between today and tomorrow, once per task and due date. Safe to run as often as wanted.
     */
    scanDueSoon(): number {
      const now = clock.now();
      const rows = statements.get(DUE_SOON_SQL).all(localDate(now), addDaysToDate(localDate(now), 1)) as Row[];
      if (rows.length === 0) return 0;
      writer.transaction(() => {
        for (const r of rows) {
          insertNotification(writer, {
            userId: str(r.user_id),
            type: 'task_due_soon',
            title: `Due soon: ${str(r.title)}`,
            message: `Due on ${str(r.due_date)}`,
            taskId: str(r.id),
            projectId: strOrNull(r.project_id),
            metadata: { dueDate: str(r.due_date) },
          });
        }
      });
      return rows.length;
    },
  };
}

