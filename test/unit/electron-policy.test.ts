import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appIndexUrl,
  externalUrlToOpen,
  isNavigationAllowed,
  isTrustedSender,
  permissionCheckDecision,
  permissionRequestDecision,
  secureWebPreferences,
  shouldShowOsNotification,
  windowOpenDecision,
  type SenderDescription,
} from '../../electron/main/policy';

const indexFile = path.resolve('/opt/Coordinator/resources/app.asar/renderer/dist/index.html');
const appUrl = appIndexUrl(indexFile);
const root = appUrl.slice(0, appUrl.indexOf('/renderer/dist/index.html'));

describe('webPreferences', () => {
  it('is the secure configuration', () => {
    const prefs = secureWebPreferences('/app/dist-electron/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/dist-electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
      devTools: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
    expect(secureWebPreferences('/p', { devTools: true }).devTools).toBe(true);
  });
});

describe('navigation', () => {
  it('the app URL is the file URL of renderer/dist/index.html', () => {
    expect(appUrl.startsWith('file:///')).toBe(true);
    expect(appUrl.endsWith('/renderer/dist/index.html')).toBe(true);
  });

  const allowed = [appUrl, `${appUrl}#/board`, `${appUrl}#`, `${appUrl}#/tasks/5b7c?x=1`];
  it.each(allowed)('allows %s', (url) => {
    expect(isNavigationAllowed(url, appUrl)).toBe(true);
  });

  const refused = [
    'file:///etc/passwd',
    `${root}/renderer/dist/other.html`,
    `${root}/renderer/dist/`,
    `${root}/renderer/dist/index.html.evil`,
    `${root}/renderer/dist/index.html/../../../etc/passwd`,
    `${root}/renderer/dist/index.html/%2e%2e/%2e%2e/%2e%2e/etc/passwd`,
    `${root}/renderer/dist/index.html%2F..%2F..%2Fetc%2Fpasswd`,
    `${root}/renderer/dist/index.html?debug=1`,
    `${appUrl.replace('file:///', 'file://evil.example/')}`,
    `${appUrl.replace('file:///', 'file://user:pw@/')}`,
    'https://evil.example',
    'https://evil.example/renderer/dist/index.html',
    'http://localhost:5173/',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'JAVASCRIPT:alert(document.cookie)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'HTTPS://EVIL.EXAMPLE',
    'FILE:///etc/passwd',
    'coordinator://task/x',
    'COORDINATOR://task/x',
    'about:blank',
    'ABOUT:BLANK',
    'blob:file:///1234',
    'chrome://gpu',
    'devtools://devtools/bundled/inspector.html',
    'view-source:' + appUrl,
    'file://',
    '',
    'not a url',
  ];
  it.each(refused)('refuses %s', (url) => {
    expect(isNavigationAllowed(url, appUrl)).toBe(false);
  });

  it('refuses non-strings and refuses everything if the expected URL is not a file URL', () => {
    for (const value of [null, undefined, 42, {}, new URL(appUrl)]) expect(isNavigationAllowed(value, appUrl)).toBe(false);
    expect(isNavigationAllowed('https://evil.example/', 'https://evil.example/')).toBe(false);
  });

  it('treats an upper-case FILE scheme on the app page itself as the same URL (URL schemes are case-insensitive)', () => {
    // Chromium reports normalised URLs; this only documents that the check parses rather than compares strings.
    expect(isNavigationAllowed(appUrl.replace(/^file:/, 'FILE:'), appUrl)).toBe(true);
  });
});

describe('new windows and external links', () => {
  const urls = ['https://example.com/docs', 'http://example.com', 'javascript:alert(1)', appUrl, 'about:blank', 'coordinator://task/x', 'mailto:a@b.c', 'file:///etc/passwd'];
  it.each(urls)('window.open(%s) is always denied', (url) => {
    expect(windowOpenDecision(url).action).toBe('deny');
  });

  it('only https links with a host and no credentials go to the OS browser', () => {
    expect(windowOpenDecision('https://example.com/docs?q=1#top').openExternally).toBe('https://example.com/docs?q=1#top');
    expect(externalUrlToOpen('HTTPS://Example.com')).toBe('https://example.com/');
    for (const url of ['http://example.com', 'https://user:pw@example.com', 'javascript:alert(1)', 'file:///etc/passwd', 'smb://host/share', 'mailto:a@b.c', 'coordinator://x', 'https://', '', null]) {
      expect(externalUrlToOpen(url), String(url)).toBeNull();
    }
  });
});

describe('permissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown'])('denies %s', (permission) => {
    expect(permissionRequestDecision(permission)).toBe(false);
    expect(permissionCheckDecision(permission)).toBe(false);
  });
});

describe('IPC sender check', () => {
  const target = { webContentsId: 7, appUrl };
  const mainFrame: SenderDescription = { frameUrl: `${appUrl}#/board`, isMainFrame: true, webContentsId: 7 };

  it('trusts the main window’s main frame showing the app', () => {
    expect(isTrustedSender(mainFrame, target)).toBe(true);
    expect(isTrustedSender({ ...mainFrame, frameUrl: appUrl }, target)).toBe(true);
  });

  it.each<[string, SenderDescription | null]>([
    ['a subframe of the app page', { ...mainFrame, isMainFrame: false }],
    ['the main frame showing another URL', { ...mainFrame, frameUrl: 'https://evil.example/' }],
    ['the main frame showing another file', { ...mainFrame, frameUrl: 'file:///etc/passwd' }],
    ['the main frame showing about:blank', { ...mainFrame, frameUrl: 'about:blank' }],
    ['a frame that is gone', { ...mainFrame, frameUrl: null }],
    ['another webContents', { ...mainFrame, webContentsId: 8 }],
    ['no sender', null],
  ])('refuses %s', (_label, sender) => {
    expect(isTrustedSender(sender, target)).toBe(false);
  });

  it('refuses everything when there is no window', () => {
    expect(isTrustedSender(mainFrame, { webContentsId: null, appUrl })).toBe(false);
  });
});

describe('OS notifications', () => {
  it('are shown only when supported and the window is not focused', () => {
    expect(shouldShowOsNotification({ supported: true, windowFocused: false })).toBe(true);
    expect(shouldShowOsNotification({ supported: true, windowFocused: true })).toBe(false);
    expect(shouldShowOsNotification({ supported: false, windowFocused: false })).toBe(false);
  });
});
