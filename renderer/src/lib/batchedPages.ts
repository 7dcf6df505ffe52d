import type { TaskPage, TaskPageInput } from '../../../shared/task-page';
import { call } from '../api';

type Waiting = { input: TaskPageInput; resolve: (page: TaskPage) => void; reject: (error: unknown) => void };

const queue: Waiting[] = [];

/**
 * One page of tasks. Pages asked for in the same tick (the board's five columns after a
 * keystroke) travel together in one `tasks.pages` round trip instead of five.
 */
export function fetchTaskPage(input: TaskPageInput): Promise<TaskPage> {
  return new Promise((resolve, reject) => {
    queue.push({ input, resolve, reject });
    if (queue.length === 1) queueMicrotask(flush);
  });
}

function flush(): void {
  const batch = queue.splice(0, 20);
  if (queue.length > 0) queueMicrotask(flush);
  if (batch.length === 1) {
    const only = batch[0]!;
    call('tasks.page', only.input).then(only.resolve, only.reject);
    return;
  }
  call('tasks.pages', { requests: batch.map((w) => w.input) }).then(
    (pages) => batch.forEach((w, i) => (pages[i] ? w.resolve(pages[i]) : w.reject(new Error('missing page')))),
    (error: unknown) => batch.forEach((w) => w.reject(error)),
  );
}
