import { TASK_STATUSES, TASK_STATUS_LABELS } from '../../../../shared/enums';
import { call, toApiError } from '../../api';
import type { AppContextValue } from '../../lib/appContext';
import { GO_TO } from '../../lib/shortcuts';

export type Command = { id: string; label: string; hint?: string; run: () => void };

/** The palette's commands; which ones exist depends on context (an open task adds status switches). */
export function buildCommands(app: AppContextValue): Command[] {
  const commands: Command[] = [
    { id: 'new-task', label: 'New task', hint: 'N', run: () => app.newTask() },
    {
      id: 'sync-now',
      label: 'Sync now',
      run: () => {
        call('sync.now').then(
          (r) => app.toast(`Synced: ${r.pushed} sent, ${r.pulled} received`, 'success'),
          (err: unknown) => app.toast(`Sync failed: ${toApiError(err).message}`, 'error'),
        );
      },
    },
    {
      id: 'toggle-theme',
      label: app.resolvedTheme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme',
      hint: 'Shift D',
      run: () => app.setTheme(app.resolvedTheme === 'dark' ? 'light' : 'dark'),
    },
    { id: 'help', label: 'Keyboard shortcuts', hint: '?', run: () => app.openHelp() },
    { id: 'go-assistant', label: 'Go to Assistant', hint: 'A', run: () => app.navigate('assistant') },
    { id: 'go-health', label: 'Go to About / Health', run: () => app.navigate('health') },
    ...Object.entries(GO_TO).map(([key, { view, label }]) => ({ id: `go-${view}`, label: `Go to ${label}`, hint: `G ${key.toUpperCase()}`, run: () => app.navigate(view) })),
  ];
  const taskId = app.openTaskId;
  if (taskId) {
    for (const status of TASK_STATUSES) {
      commands.unshift({
        id: `status-${status}`,
        label: `Set status: ${TASK_STATUS_LABELS[status]}`,
        hint: 'open task',
        run: () => {
          call('tasks.update', { id: taskId, status }).then(
            () => app.toast(`Status set to ${TASK_STATUS_LABELS[status]}`, 'success'),
            (err: unknown) => app.toast(`Status not changed: ${toApiError(err).message}`, 'error'),
          );
        },
      });
    }
  }
  return commands;
}
