import type { ChannelName, Channels } from '../../shared/contracts';
import type { z } from 'zod';
import type { Core } from '../app/core';

/** A handler receives the channel's validated input and returns its output (or a promise of it). */
export type Handlers = {
  [C in ChannelName]: (input: z.output<Channels[C]['input']>) => z.input<Channels[C]['output']> | Promise<z.input<Channels[C]['output']>>;
};

/** Binds every IPC channel to the core. The object type forces one handler per channel. */
export function createHandlers(core: Core, appVersion = '0.1.0'): Handlers {
  return {
    'app.info': () => ({
      version: appVersion,
      databasePath: core.dbFile,
      currentUser: core.users.current(),
      currentEmployeeId: core.currentEmployeeId(),
      isEmpty: core.isEmpty(),
    }),
    'app.seedDemo': () => {
      const { employees, projects, tasks } = core.demo.seed();
      return { employees, projects, tasks };
    },

    'projects.list': () => core.projects.list(),
    'projects.get': ({ id }) => core.projects.get(id),
    'projects.create': (input) => core.projects.create(input),
    'projects.update': (input) => core.projects.update(input),
    'projects.setStatus': (input) => core.projects.setStatus(input),

    'tasks.list': (filter) => core.tasks.list(filter),
    'tasks.get': ({ id }) => core.tasks.get(id),
    'tasks.create': (input) => core.tasks.create(input),
    'tasks.update': (input) => core.tasks.update(input),
    'tasks.delete': ({ id }) => core.tasks.delete(id),
    'tasks.history': ({ id }) => core.tasks.history(id),

    'comments.list': (input) => core.comments.list(input),
    'comments.add': (input) => core.comments.add(input),
    'comments.edit': (input) => core.comments.edit(input),
    'comments.delete': ({ id }) => core.comments.delete(id),

    'employees.list': () => core.employees.list(),
    'employees.create': (input) => core.employees.create(input),
    'employees.update': (input) => core.employees.update(input),
    'employees.deactivate': ({ id }) => core.employees.deactivate(id),
    'employees.chain': ({ id }) => core.employees.chain(id),
    'employees.reports': ({ id }) => core.employees.reports(id),

    'users.list': () => core.users.list(),
    'users.update': (input) => core.users.update(input),

    'notifications.list': (filter) => core.notifications.list(filter),
    'notifications.unreadCount': () => core.notifications.unreadCount(),
    'notifications.markRead': ({ id }) => core.notifications.markRead(id),
    'notifications.markAllRead': () => core.notifications.markAllRead(),
  };
}
