import type { SyncState } from '../../shared/settings';
import { pathToFileURL } from 'node:url';
import type { WebPreferences } from 'electron';

/**
 * The security decisions of the main process as plain functions (no Electron at runtime), so they
 * are unit-tested without launching Electron. The Electron-facing files only wire them to events.
 */

/** The `file://` URL of the renderer's index.html: the only document the window may show. */
export function appIndexUrl(indexFile: string): string {
  return pathToFileURL(indexFile).href;
}

function parseUrl(raw: unknown): URL | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 8192) return null;
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/**
 * True when `candidate` is the app's own index file (any `#fragment`, which the renderer may use
 * for in-page state). The comparison is made on parsed, normalised URLs — never on string
 * prefixes — so `..` segments, credentials, hosts, queries and other schemes cannot sneak past.
 */
export function isAppUrl(candidate: unknown, appUrl: string): boolean {
  const url = parseUrl(candidate);
  const expected = parseUrl(appUrl);
  if (!url || !expected || expected.protocol !== 'file:') return false;
  return (
    url.protocol === 'file:' &&
    url.host === expected.host &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.pathname === expected.pathname
  );
}

/** `will-navigate` / `will-frame-navigate` / `will-redirect`: only the app's own page. */
export const isNavigationAllowed = isAppUrl;

/**
 * Links the user may open in the OS browser: https only, with a host, without embedded
 * credentials. Returns the normalised URL to hand to the OS, or null to drop it.
 */
export function externalUrlToOpen(raw: unknown): string | null {
  const url = parseUrl(raw);
  if (!url || url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== '') return null;
  return url.href;
}

/** `setWindowOpenHandler`: never a new Electron window; an https link may go to the OS browser. */
export function windowOpenDecision(raw: unknown): { action: 'deny'; openExternally: string | null } {
  return { action: 'deny', openExternally: externalUrlToOpen(raw) };
}

/** Every permission request (camera, notifications from web APIs, geolocation, …) is refused. */
export const permissionRequestDecision = (_permission: string): boolean => false;
export const permissionCheckDecision = (_permission: string): boolean => false;

/** What the IPC wrapper knows about the frame that sent a request. */
export interface SenderDescription {
  /** The sending frame's current URL; null when the frame is gone (navigated or destroyed). */
  frameUrl: string | null;
  /** The frame is the top-level frame of its page (not an iframe). */
  isMainFrame: boolean;
  /** Id of the webContents the request came from. */
  webContentsId: number;
}

export interface TrustedTarget {
  /** The main window's webContents id; null when there is no window. */
  webContentsId: number | null;
  appUrl: string;
}

/**
 * A request is served only when it comes from the main window's top-level frame while that
 * frame shows the app's own page. Subframes, other windows and foreign pages are refused.
 */
export function isTrustedSender(sender: SenderDescription | null | undefined, target: TrustedTarget): boolean {
  if (!sender || target.webContentsId === null) return false;
  return (
    sender.webContentsId === target.webContentsId &&
    sender.isMainFrame === true &&
    sender.frameUrl !== null &&
    isAppUrl(sender.frameUrl, target.appUrl)
  );
}

/** The one renderer configuration: isolated, sandboxed, no Node, web security on. */
export function secureWebPreferences(preload: string, options: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    enableWebSQL: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: options.devTools ?? false,
  };
}

/**
 * CSP for any http(s) response reaching a renderer (none should: navigation is blocked). The
 * app's own page is a file:// document and carries its CSP in a meta tag.
 */
export const REMOTE_CONTENT_SECURITY_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Show an OS notification only when the user is not already looking at the app. */
export function shouldShowOsNotification(state: { supported: boolean; windowFocused: boolean }): boolean {
  return state.supported && !state.windowFocused;
}

/** How often the main process asks the core to raise "due soon" notifications. */
export const DUE_SOON_SCAN_INTERVAL_MS = 10 * 60 * 1000;

/** The one-line sync status the tray shows; the truth, including what is still pending. */
export function describeSyncStatus(status: {
  configured: boolean;
  state: SyncState;
  pending: number;
  conflicts: number;
  lastSyncedAt: string | null;
}): string {
  if (!status.configured) return status.pending > 0 ? `Local only — ${status.pending} changes not synced` : 'Local only (no central database)';
  const pending = status.pending > 0 ? `, ${status.pending} pending` : '';
  const conflicts = status.conflicts > 0 ? `, ${status.conflicts} conflicts` : '';
  switch (status.state) {
    case 'syncing':
      return `Syncing…${pending}`;
    case 'offline':
      return `Offline${pending}`;
    case 'error':
      return `Sync error${pending}${conflicts}`;
    default:
      return `Synced${pending}${conflicts}`;
  }
}

/** The coordinator:// link among a process's command-line arguments (deep link on Windows/Linux). */
export function deepLinkFromArgv(argv: readonly string[]): string | null {
  const link = argv.find((a) => /^coordinator:\/\//i.test(a));
  return link && link.length <= 2000 ? link : null;
}
