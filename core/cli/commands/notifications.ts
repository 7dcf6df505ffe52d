import type { Command } from 'commander';
import { AppError } from '../../common/errors';
import { withCore } from '../context';
import { notificationsTable, plural, shortId } from '../output';
import { resolveNotificationId } from '../resolve';

export function registerNotificationCommands(program: Command): void {
  const notifications = program
    .command('notifications')
    .description("list the current user's notifications (checking for tasks due soon first)")
    .option('--unread', 'only unread ones')
    .action((opts: { unread?: boolean }, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        core.notifications.scanDueSoon();
        const me = core.users.current();
        const list = core.notifications.list({ unreadOnly: Boolean(opts.unread), limit: 1000 });
        if (out.json) return out.data(list);
        if (!me) return out.line('No one is signed in on this database yet, so there are no notifications.');
        if (list.length === 0) return out.line(opts.unread ? `No unread notifications for ${me.fullName}.` : `No notifications for ${me.fullName}.`);
        out.line(notificationsTable(list));
        out.line(`\n${plural(list.length, 'notification')} for ${me.fullName}, ${core.notifications.unreadCount()} unread`);
      }),
    );

  notifications
    .command('read')
    .description('mark one notification, or all of them, as read')
    .argument('[id]', 'notification id (whole UUID or an unambiguous part of ≥ 8 characters)')
    .option('--all', 'mark every notification as read')
    .action((idArg: string | undefined, opts: { all?: boolean }, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        if (Boolean(idArg) === Boolean(opts.all)) {
          throw new AppError('VALIDATION', idArg ? 'Give either a notification id or --all, not both' : 'Give a notification id, or --all to mark every notification as read');
        }
        if (opts.all) {
          const result = core.notifications.markAllRead();
          if (out.json) return out.data(result);
          return out.line(result.updated === 0 ? 'No unread notifications.' : `Marked ${plural(result.updated, 'notification')} as read.`);
        }
        const marked = core.notifications.markRead(resolveNotificationId(core, idArg as string));
        if (out.json) return out.data(marked);
        out.line(`Marked notification ${shortId(marked.id)} "${marked.title}" as read.`);
      }),
    );
}
