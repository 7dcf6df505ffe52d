import type { ChannelName, Channels } from '../../shared/contracts';
import type { z } from 'zod';
import type { Core } from '../app/core';
import { AppError } from '../common/errors';
import { appHealth } from '../ops/app-health';
import type { Desktop } from '../desktop/desktop';
import { runRetention } from '../ops/retention';
import type { PdfPrinter } from '../reports/pdf';
import { exportReport } from '../reports/export';

/** A handler receives the channel's validated input and returns its output (or a promise of it). */
export type Handlers = {
  [C in ChannelName]: (input: z.output<Channels[C]['input']>) => z.input<Channels[C]['output']> | Promise<z.input<Channels[C]['output']>>;
};

export interface HandlerOptions {
  version?: string;
  /** Settings, desktop sync and assistant; absent in harnesses that run without a window's services. */
  desktop?: Desktop;
  /** Prints report HTML to PDF (Electron's printToPDF on the desktop). */
  printPdf?: PdfPrinter;
}

/** Binds every IPC channel to the core. The object type forces one handler per channel. */
export function createHandlers(core: Core, options: HandlerOptions = {}): Handlers {
  const appVersion = options.version ?? '0.1.0';
  const { desktop } = options;
  const requireSync = () => {
    if (!desktop) throw new AppError('UNAVAILABLE', 'Sync is not available in this window');
    return desktop.sync;
  };
  const requireSettings = () => {
    if (!desktop) throw new AppError('UNAVAILABLE', 'Settings are not available in this window');
    return desktop.settings;
  };
  const requireTeam = () => {
    if (!desktop) throw new AppError('UNAVAILABLE', 'Joining a team is not available in this window');
    return desktop.team;
  };
  const requireAssistant = () => {
    if (!desktop) throw new AppError('UNAVAILABLE', 'The assistant is not available in this window');
    return desktop.assistant;
  };
  const { home, notificationPrefs } = core;
  return {
    'app.info': () => ({
      version: appVersion,
      databasePath: core.dbFile,
      currentUser: core.users.current(),
      currentEmployeeId: core.currentEmployeeId(),
      isEmpty: core.isEmpty(),
    }),
    'app.health': () => appHealth(core.db, core.dbFile, appVersion),
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
    'tasks.page': (input) => core.tasks.page(input),
    'tasks.pages': ({ requests }) => requests.map((r) => core.tasks.page(r)),
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

    'sync.status': () =>
      desktop?.sync.status() ?? {
        configured: false,
        state: 'idle',
        pending: core.sync.outbox.pendingCount(),
        rejected: core.sync.outbox.rejected().length,
        conflicts: core.sync.conflicts.openCount(),
        lastSyncedAt: core.sync.state.lastSyncedAt(),
        lastError: null,
        needsJoin: false,
        needsChoice: false,
        signedIn: null,
        identityNotice: null,
        nextAttemptAt: null,
        progress: null,
      },
    'sync.now': () => requireSync().syncNow(),
    'sync.join': () => requireSync().joinNow(),
    'team.preview': (input) => requireTeam().preview(input),
    'team.connect': (input) => requireTeam().connect(input),
    'team.choose': (input) => requireTeam().choose(input),
    'team.localWork': () => requireTeam().localWork(),
    'team.signOut': (input) => requireTeam().signOut(input),
    'settings.get': () => requireSettings().get(),
    'settings.setCentral': (input) => requireSettings().setCentral(input),
    'settings.testCentral': (input) => requireSettings().testCentral(input),
    'settings.clearCentral': () => requireSettings().clearCentral(),
    'settings.setCrm': (input) => requireSettings().setCrm(input),
    'settings.testCrm': (input) => requireSettings().testCrm(input),
    'settings.clearCrm': () => requireSettings().clearCrm(),
    'settings.setAi': (input) => requireSettings().setAi(input),
    'settings.clearAi': () => requireSettings().clearAi(),
    'agent.ask': (input) => requireAssistant().ask(input),
    'agent.cancel': ({ requestId }) => requireAssistant().cancel(requestId),
    'agent.actions': (input) => requireAssistant().agent.actions.list(input),
    'agent.confirm': ({ id }) => requireAssistant().agent.actions.confirm(id),
    'agent.reject': ({ id }) => requireAssistant().agent.actions.reject(id),
    'agent.templates': () => requireAssistant().agent.history.templates(),
    'agent.rate': ({ conversationId, rating }) => requireAssistant().agent.history.rate(conversationId, rating),
    'agent.answerQueued': () => requireAssistant().agent.answerQueued(),
    'conflicts.list': (input) => core.sync.conflicts.list(input),
    'conflicts.restore': ({ id }) => core.sync.conflicts.restore(id),
    'conflicts.dismiss': ({ id }) => {
      core.sync.conflicts.dismiss(id);
      return { id };
    },
    'memory.search': async (input) => {
      await core.memory.ensureFresh();
      return core.memory.search(input);
    },
    'memory.similarTasks': async (input) => {
      await core.memory.ensureFresh();
      return core.memory.similarTasks(input);
    },
    'memory.duplicates': async (input) => {
      await core.memory.ensureFresh();
      return core.memory.duplicates(input);
    },
    'memory.open': ({ id }) => core.memory.open(id),
    'memory.status': () => core.memory.status(),
    'memory.reindex': async (model) => {
      await core.memory.reindex({ model, wait: false });
      return core.memory.status();
    },
    'home.today': (input) => home.today(input),
    'home.workload': (input) => home.workload(input),
    'palette.entities': () => home.paletteEntities(),
    'users.notificationPrefs': () => notificationPrefs.get(),
    'users.setNotificationPrefs': (input) => notificationPrefs.set(input),
    'retention.preview': (input) => runRetention(core.db, input ?? {}, { clock: core.clock }),
    'insights.get': (input) => core.insights.compute(input),
    'reports.build': ({ summary, ...input }) => core.reports.build(input, summary === undefined ? undefined : { text: summary }),
    'reports.draft': (input) => core.reports.draft(core.reports.build(input), desktop?.aiConfig() ?? null),
    'reports.export': (input) => exportReport(core.reports, input, options.printPdf),
    'retention.apply': (input) => runRetention(core.db, input ?? {}, { apply: true, clock: core.clock }),
  };
}
