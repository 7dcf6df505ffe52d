import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dispatch } from '../../core/ipc/dispatch';
import { subscribeRendererEvents } from '../../core/ipc/events';
import { createHandlers } from '../../core/ipc/handlers';
import { createEphemeralSecretStore } from '../../core/settings/secrets';
import { openDesktop } from '../../core/desktop/desktop';
import type { MemoryOptions } from '../../core/memory/memory';
import { tempCore } from '../support/core';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const distDir = path.join(repoRoot, 'renderer', 'dist');
export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Serves renderer/dist read-only on 127.0.0.1 (random port), like Electron loading it from disk. */
async function serveDist(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.normalize(path.join(distDir, pathname === '/' ? 'index.html' : pathname));
    if (!file.startsWith(distDir + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Runs in the page before the app: builds `window.coordinator` (the preload's shape) over the
 * Playwright binding for requests and a page function main calls for events. Plain JS in a
 * string so no transpiler helper leaks into the page.
 */
const BRIDGE_SCRIPT = `(() => {
  const listeners = new Map();
  window.__coordinatorEmit = (event, payload) => {
    for (const listener of [...(listeners.get(event) || [])]) {
      try { listener(payload); } catch (error) { console.error('event listener failed', error); }
    }
  };
  window.coordinator = Object.freeze({
    invoke: (channel, input) => window.__coordinatorInvoke(channel, input),
    on: (event, listener) => {
      const set = listeners.get(event) || new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => { set.delete(listener); };
    },
  });
})();`;

/** Console noise that is expected: Chromium ignores frame-ancestors in a <meta> CSP and says so. */
const EXPECTED_CONSOLE = [/frame-ancestors' is ignored when delivered via a <meta> element/];

export type AppHarness = Awaited<ReturnType<typeof startApp>>;

/**
 * The renderer as built, wired to a real core on a temp SQLite file: every request goes through
 * the same dispatch as Electron's IPC, every committed change becomes the same renderer events.
 */
export async function startApp(options: { width?: number; height?: number; memory?: MemoryOptions } = {}) {
  if (!existsSync(path.join(distDir, 'index.html'))) {
    throw new Error('renderer/dist is missing: run `npm run build:renderer` first');
  }
  const core = tempCore({ memory: options.memory });
  // The window's services as Electron builds them, minus the background schedule: tests press Sync now.
  const desktop = openDesktop(core, { settingsFile: path.join(core.dir, 'settings.json'), secrets: createEphemeralSecretStore(), autoStartSync: false });
  await desktop.start();
  const { sync, settings, assistant } = desktop;
  const handlers = createHandlers(core, { desktop });
  const server = await serveDist();
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const page: Page = await context.newPage();

  /** Console errors and uncaught exceptions (CSP violations show up here too). */
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !EXPECTED_CONSOLE.some((re) => re.test(msg.text()))) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));

  /** Every request the renderer made, for assertions on what crossed the bridge. */
  const calls: { channel: string; input: unknown; ok: boolean }[] = [];
  await page.exposeBinding('__coordinatorInvoke', async (_source, channel: unknown, input: unknown) => {
    const envelope = await dispatch(handlers, channel, input);
    calls.push({ channel: String(channel), input, ok: envelope.ok });
    return envelope;
  });
  await page.addInitScript({ content: BRIDGE_SCRIPT });

  const unsubscribe = subscribeRendererEvents(
    core,
    (event, payload) => {
      page
        .evaluate(`window.__coordinatorEmit(${JSON.stringify(event)}, ${JSON.stringify(payload)})`)
        .catch(() => {
          /* page closing or navigating: the event has no audience */
        });
    },
    desktop,
  );

  return {
    core,
    sync,
    settings,
    assistant,
    page,
    url: server.url,
    problems,
    calls,
    async screenshot(name: string) {
      mkdirSync(screenshotDir, { recursive: true });
      const file = path.join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      unsubscribe();
      await context.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.close();
      await desktop.close().catch(() => {});
      core.dispose();
    },
  };
}
