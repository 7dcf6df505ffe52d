import { shell, type Session, type WebContents } from 'electron';
import { createLogger } from '../../core/common/logger';
import {
  isNavigationAllowed,
  permissionCheckDecision,
  permissionRequestDecision,
  REMOTE_CONTENT_SECURITY_POLICY,
  windowOpenDecision,
} from './policy';

const log = createLogger('security');

/** Session-wide defaults: every permission refused, a strict CSP on any http(s) response. */
export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn('permission request refused', { permission });
    callback(permissionRequestDecision(permission));
  });
  ses.setPermissionCheckHandler((_contents, permission) => permissionCheckDecision(permission));
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  ses.webRequest.onHeadersReceived({ urls: ['http://*/*', 'https://*/*'] }, (details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    headers['Content-Security-Policy'] = [REMOTE_CONTENT_SECURITY_POLICY];
    callback({ responseHeaders: headers });
  });
}

/**
 * Applied to every webContents the app creates (from `web-contents-created`): the page can only
 * ever be the app's own file, new windows are never created (an https link goes to the OS
 * browser instead) and <webview> cannot be attached.
 */
export function hardenWebContents(contents: WebContents, appUrl: string): void {
  const guard = (kind: string) => (event: { url: string; preventDefault(): void }) => {
    if (isNavigationAllowed(event.url, appUrl)) return;
    event.preventDefault();
    log.warn(`${kind} blocked`, { url: event.url.slice(0, 200) });
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-frame-navigate', guard('frame navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url);
    if (decision.openExternally) {
      shell.openExternal(decision.openExternally).catch((error: unknown) => log.warn('could not open link', { error: String(error) }));
    }
    return { action: decision.action };
  });
}
