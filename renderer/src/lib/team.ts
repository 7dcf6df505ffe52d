import type { LocalWork } from '../../../shared/team';
import { plural } from './format';

/** "the demo organisation (3 projects and 12 tasks)" — what the first-connect choice is about. */
export function describeLocalWork(work: LocalWork): string {
  const parts = [
    work.projects > 0 ? plural(work.projects, 'project') : null,
    work.tasks > 0 ? plural(work.tasks, 'task') : null,
    work.comments > 0 ? plural(work.comments, 'comment') : null,
  ].filter((p): p is string => p !== null);
  const items = parts.length === 0 ? plural(work.pendingChanges, 'local change') : parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
  return work.demo ? `the demo organisation (${items})` : items;
}

/** The server address with the login put in (the password travels in its own field). */
export function serverUrlWithLogin(server: string, login: string): string | null {
  const trimmed = server.trim();
  if (!/^postgres(ql)?:\/\//.test(trimmed) || !URL.canParse(trimmed)) return null;
  const url = new URL(trimmed);
  if (!url.hostname) return null;
  if (login.trim()) url.username = encodeURIComponent(login.trim());
  url.password = '';
  return url.toString();
}

const NOTICE_KEY = 'coordinator.notice';
/** Set once the person left the Welcome screen; cleared on sign-out so it shows again. */
export const STARTED_EMPTY_KEY = 'coordinator.startedEmpty';

/** A message to show after the window reloads (the data behind every view was replaced). */
export function reloadWithNotice(message: string): void {
  try {
    window.sessionStorage.setItem(NOTICE_KEY, message);
  } catch {
    /* storage unavailable: the message is lost, the reload still happens */
  }
  window.location.reload();
}

/** The message left by `reloadWithNotice`, once. */
export function takeNotice(): string | null {
  try {
    const message = window.sessionStorage.getItem(NOTICE_KEY);
    if (message) window.sessionStorage.removeItem(NOTICE_KEY);
    return message;
  } catch {
    return null;
  }
}
