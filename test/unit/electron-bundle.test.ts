/**
 * Exercises the built dist-electron bundles without Electron: main.cjs runs in Node against a
 * recording stand-in for the `electron` module (real core, real SQLite file), preload.cjs runs in
 * a bare vm context that can require nothing but that stand-in — like a sandboxed preload.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelNames } from '../../shared/contracts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const NodeModule = require('node:module') as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };

type Listener = (...args: unknown[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(name: string, fn: Listener) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return this;
  }
  once(name: string, fn: Listener) {
    return this.on(name, fn);
  }
  off(name: string, fn: Listener) {
    this.listeners.set(name, (this.listeners.get(name) ?? []).filter((f) => f !== fn));
    return this;
  }
  emit(name: string, ...args: unknown[]) {
    for (const fn of this.listeners.get(name) ?? []) fn(...args);
  }
}

/** A recording stand-in for the parts of `electron` the bundles use. */
function fakeElectron(dirs: { userData: string; logs: string }) {
  const calls: { name: string; args: unknown[] }[] = [];
  const record = (name: string) => (...args: unknown[]) => {
    calls.push({ name, args });
  };
  const handlers = new Map<string, Listener>();
  const windows: FakeWindow[] = [];
  const notifications: FakeNotification[] = [];
  const exposed: Record<string, unknown> = {};
  const rendererListeners = new Map<string, Set<Listener>>();

  let nextId = 1;
  class FakeWindow extends Emitter {
    readonly options: { webPreferences: Record<string, unknown> };
    loadedFile: string | null = null;
    visible = false;
    focused = false;
    focusCount = 0;
    readonly sent: { channel: string; payload: unknown }[] = [];
    readonly webContents;
    constructor(options: { webPreferences: Record<string, unknown> }) {
      super();
      this.options = options;
      const id = nextId++;
      const mainFrame = { url: '', parent: null, processId: 100 + id, routingId: 1 };
      const contentsEvents = new Emitter();
      this.webContents = {
        id,
        mainFrame,
        on: (event: string, fn: Listener) => contentsEvents.on(event, fn),
        isLoading: () => mainFrame.url === '',
        getURL: () => mainFrame.url,
        send: (channel: string, payload: unknown) => {
          this.sent.push({ channel, payload });
          for (const fn of rendererListeners.get(channel) ?? []) fn({ sender: 'ipc-event' }, payload);
        },
      };
      windows.push(this);
    }
    async loadFile(file: string) {
      this.loadedFile = file;
      this.webContents.mainFrame.url = pathToFileURL(file).href;
      this.emit('ready-to-show');
    }
    isDestroyed = () => false;
    isVisible = () => this.visible;
    isMinimized = () => false;
    isFocused = () => this.focused;
    show = () => {
      this.visible = true;
    };
    restore = () => undefined;
    focus = () => {
      this.focusCount += 1;
    };
  }

  class FakeNotification extends Emitter {
    static isSupported = () => true;
    shown = false;
    constructor(readonly options: { title: string; body: string }) {
      super();
      notifications.push(this);
    }
    show() {
      this.shown = true;
    }
  }

  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    requestSingleInstanceLock: () => true,
    quit: record('app.quit'),
    exit: record('app.exit'),
    enableSandbox: record('app.enableSandbox'),
    setAsDefaultProtocolClient: record('app.setAsDefaultProtocolClient'),
    getPath: (name: string) => (name === 'logs' ? dirs.logs : name === 'userData' ? dirs.userData : path.join(dirs.userData, name)),
    getAppPath: () => repoRoot,
    getVersion: () => '9.9.9',
    isReady: () => true,
    whenReady: () => Promise.resolve(),
  });

  class FakeTray extends Emitter {
    tooltip = '';
    menu: unknown = null;
    constructor(readonly icon: unknown) {
      super();
      trays.push(this);
    }
    setToolTip(text: string) {
      this.tooltip = text;
    }
    setContextMenu(menu: unknown) {
      this.menu = menu;
    }
    destroy() {
      record('tray.destroy')();
    }
  }
  const trays: FakeTray[] = [];

  const electron = {
    app,
    Tray: FakeTray,
    nativeImage: { createFromPath: () => ({ resize: () => ({}) }) },
    powerMonitor: new Emitter(),
    safeStorage: {
      isEncryptionAvailable: () => false,
      encryptString: () => {
        throw new Error('no keychain in tests');
      },
      decryptString: () => {
        throw new Error('no keychain in tests');
      },
    },
    BrowserWindow: FakeWindow,
    Notification: FakeNotification,
    dialog: { showErrorBox: record('dialog.showErrorBox') },
    shell: { openExternal: async (url: string) => record('shell.openExternal')(url) },
    Menu: { buildFromTemplate: (template: unknown) => ({ template }), setApplicationMenu: record('Menu.setApplicationMenu') },
    ipcMain: {
      handle: (channel: string, fn: Listener) => {
        if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        handlers.set(channel, fn);
      },
      removeHandler: (channel: string) => handlers.delete(channel),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: record('session.setPermissionRequestHandler'),
        setPermissionCheckHandler: record('session.setPermissionCheckHandler'),
        setDevicePermissionHandler: record('session.setDevicePermissionHandler'),
        setDisplayMediaRequestHandler: record('session.setDisplayMediaRequestHandler'),
        webRequest: { onHeadersReceived: record('session.onHeadersReceived') },
      },
    },
    // Renderer side (preload).
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => {
        exposed[key] = api;
      },
    },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        calls.push({ name: 'ipcRenderer.invoke', args: [channel, ...args] });
        const handler = handlers.get(channel);
        if (!handler) throw new Error(`No handler registered for '${channel}'`);
        const win = windows[0]!;
        return handler({ sender: { id: win.webContents.id }, senderFrame: win.webContents.mainFrame }, ...args);
      },
      on: (channel: string, fn: Listener) => {
        const set = rendererListeners.get(channel) ?? new Set();
        set.add(fn);
        rendererListeners.set(channel, set);
      },
      removeListener: (channel: string, fn: Listener) => rendererListeners.get(channel)?.delete(fn),
    },
  };
  return { electron, calls, handlers, windows, notifications, exposed, app, rendererListeners, trays };
}

type Envelope = { ok: boolean; value?: unknown; error?: { code: string } };
type Bridge = { invoke(channel: unknown, input?: unknown): Promise<Envelope>; on(event: string, fn: (p: unknown) => void): () => void };

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('dist-electron bundles', () => {
  const outDir = path.join(repoRoot, 'test-results', `electron-bundle-${process.pid}`);
  let tempDir: string;
  let fake: ReturnType<typeof fakeElectron>;
  const originalLoad = NodeModule._load;

  beforeAll(async () => {
    // Inside the repository so the bundle resolves better-sqlite3 / sqlite-vec and finds migrations/.
    execFileSync(process.execPath, ['electron/build.mjs'], {
      cwd: repoRoot,
      env: { ...process.env, COORDINATOR_ELECTRON_OUTDIR: outDir },
      stdio: 'pipe',
    });
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-electron-'));
    fake = fakeElectron({ userData: path.join(tempDir, 'userData'), logs: path.join(tempDir, 'logs') });
    process.env.COORDINATOR_LOG_LEVEL = 'warn';
    NodeModule._load = function (request: string, parent: unknown, isMain: boolean) {
      if (request === 'electron') return fake.electron;
      return originalLoad.call(this, request, parent, isMain);
    };
    require(path.join(outDir, 'main.cjs'));
    await flush();
    await flush();
  });

  afterAll(() => {
    fake?.app.emit('will-quit');
    NodeModule._load = originalLoad;
    delete process.env.COORDINATOR_LOG_LEVEL;
    rmSync(outDir, { recursive: true, force: true });
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  const win = () => fake.windows[0]!;
  const invokeHandler = () => fake.handlers.get('coordinator:invoke')!;
  const trustedEvent = () => ({ sender: { id: win().webContents.id }, senderFrame: win().webContents.mainFrame });

  it('main.cjs starts: sandbox, hardened session, one secure window on renderer/dist/index.html, one IPC handler', () => {
    expect(fake.calls.find((c) => c.name === 'dialog.showErrorBox')).toBeUndefined();
    expect(fake.calls.map((c) => c.name)).toEqual(
      expect.arrayContaining(['app.enableSandbox', 'session.setPermissionRequestHandler', 'session.setPermissionCheckHandler', 'session.onHeadersReceived', 'Menu.setApplicationMenu']),
    );
    expect(fake.windows).toHaveLength(1);
    expect(win().options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, spellcheck: false });
    expect(win().options.webPreferences.preload).toBe(path.join(outDir, 'preload.cjs'));
    expect(win().loadedFile).toBe(path.join(repoRoot, 'renderer', 'dist', 'index.html'));
    expect(win().visible).toBe(true);
    expect([...fake.handlers.keys()]).toEqual(['coordinator:invoke']);
  });

  it('serves a trusted request from the real core in userData', async () => {
    const result = (await invokeHandler()(trustedEvent(), 'app.info', undefined)) as Envelope;
    expect(result).toMatchObject({ ok: true, value: { version: '9.9.9', databasePath: path.join(tempDir, 'userData', 'coordinator.db') } });
  });

  it('opens that database through the one prebuilt Node-API driver Electron loads too: no ABI-specific build in the tree', () => {
    // The shared objects this process has mapped: the driver and the vector extension the bundle
    // loaded while opening the real database (Linux; CI and these machines are Linux).
    const mapped = readFileSync('/proc/self/maps', 'utf8');
    const driver = path.join(repoRoot, 'node_modules', 'better-sqlite3', 'prebuilds', `${process.platform}-${process.arch}.node`);
    expect(mapped).toContain(driver);
    expect(mapped).toMatch(/sqlite-vec-[a-z0-9-]+\/vec0\.so/);
    expect(mapped).not.toMatch(/better-sqlite3\/build\/Release/);
    expect(existsSync(path.join(repoRoot, 'node_modules', 'better-sqlite3', 'build'))).toBe(false);
    // npm start is `npm run build && electron .`: no rebuild step between install and launch.
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('npm run build && electron .');
    expect(Object.values(pkg.scripts).join('\n')).not.toMatch(/electron-rebuild|@electron\/rebuild|install-app-deps/);
  });

  it('refuses subframes, foreign pages and other webContents with FORBIDDEN', async () => {
    const main = win().webContents.mainFrame;
    const senders = [
      { sender: { id: win().webContents.id }, senderFrame: { ...main, parent: main, routingId: 2 } },
      { sender: { id: win().webContents.id }, senderFrame: { ...main, url: 'https://evil.example/' } },
      { sender: { id: 999 }, senderFrame: { ...main, processId: 999 } },
      { sender: { id: win().webContents.id }, senderFrame: null },
    ];
    for (const event of senders) {
      await expect(invokeHandler()(event, 'app.info', undefined)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the log stream flush
    const logged = readFileSync(path.join(tempDir, 'logs', 'main.log'), 'utf8');
    expect(logged).toContain('request from an untrusted sender refused');
    expect(logged).toContain('https://evil.example/');
  });

  it('validates input and channel names through dispatch', async () => {
    await expect(invokeHandler()(trustedEvent(), 'projects.create', { name: '' })).resolves.toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    await expect(invokeHandler()(trustedEvent(), 'projects.drop', {})).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('hardens every webContents: navigation blocked, window.open denied, https links to the OS browser', () => {
    const contents = Object.assign(new Emitter(), {
      openHandler: null as null | ((d: { url: string }) => { action: string }),
      setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
        this.openHandler = fn;
      },
    });
    fake.app.emit('web-contents-created', {}, contents);
    const navigate = (url: string, event = 'will-navigate') => {
      let prevented = false;
      contents.emit(event, { url, preventDefault: () => (prevented = true) });
      return prevented;
    };
    const appUrl = pathToFileURL(path.join(repoRoot, 'renderer', 'dist', 'index.html')).href;
    expect(navigate(`${appUrl}#/board`)).toBe(false);
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd', 'will-frame-navigate')).toBe(true);
    expect(navigate('https://evil.example/', 'will-redirect')).toBe(true);
    expect(contents.openHandler!({ url: 'https://example.com/help' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    const opened = fake.calls.filter((c) => c.name === 'shell.openExternal').map((c) => c.args[0]);
    expect(opened).toEqual(['https://example.com/help']);
  });

  describe('preload.cjs in a sandbox-like context', () => {
    let bridge: Bridge;

    beforeAll(() => {
      const code = readFileSync(path.join(outDir, 'preload.cjs'), 'utf8');
      const requested: string[] = [];
      const sandboxRequire = (name: string) => {
        requested.push(name);
        if (name === 'electron') return fake.electron;
        throw new Error(`module not found: ${name}`);
      };
      const module = { exports: {} };
      vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console }, { filename: 'preload.cjs' });
      expect(requested).toEqual(['electron']);
      bridge = fake.exposed.coordinator as Bridge;
    });

    it('exposes only window.coordinator with invoke and on', () => {
      expect(Object.keys(fake.exposed)).toEqual(['coordinator']);
      expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
    });

    it('carries the contract channel names (and no zod)', () => {
      const code = readFileSync(path.join(outDir, 'preload.cjs'), 'utf8');
      for (const name of channelNames) expect(code).toContain(JSON.stringify(name));
      expect(code).not.toMatch(/ZodError|safeParse/);
    });

    it('refuses an unknown channel without IPC, and round-trips an allowed one through main', async () => {
      const before = fake.calls.filter((c) => c.name === 'ipcRenderer.invoke').length;
      await expect(bridge.invoke('shell.openExternal', 'https://evil.example')).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(fake.calls.filter((c) => c.name === 'ipcRenderer.invoke')).toHaveLength(before);
      await expect(bridge.invoke('projects.list', undefined)).resolves.toMatchObject({ ok: true, value: [] });
    });

    it('delivers core events and OS notifications end to end', async () => {
      const changed: unknown[] = [];
      const fresh: unknown[] = [];
      const offChanged = bridge.on('data.changed', (p) => changed.push(p));
      bridge.on('notifications.new', (p) => fresh.push(p));

      expect((await bridge.invoke('app.seedDemo', undefined)).ok).toBe(true);
      const info = await bridge.invoke('app.info', undefined);
      const me = (info.value as { currentUser: { id: string } }).currentUser.id;
      const users = (await bridge.invoke('users.list', undefined)).value as { id: string }[];
      const other = users.find((u) => u.id !== me)!;
      const task = (await bridge.invoke('tasks.create', { title: 'Bundle check' })).value as { id: string };
      fresh.length = 0; // the demo organisation arrives with notifications of its own

      // Someone else comments on a task I created: I am notified; the window is not focused.
      win().focused = false;
      const comment = await bridge.invoke('comments.add', { taskId: task.id, content: 'Looks good', userId: other.id });
      expect(comment.ok).toBe(true);
      expect(changed.length).toBeGreaterThan(0);
      expect(fresh).toEqual([expect.objectContaining({ userId: me, type: 'task_commented', taskId: task.id })]);
      expect(win().sent.some((s) => s.channel === 'coordinator:event:notifications.new')).toBe(true);
      const shown = fake.notifications.at(-1)!;
      expect(shown.shown).toBe(true);
      expect(shown.options.body).toBe('Looks good');
      const focusBefore = win().focusCount;
      shown.emit('click');
      expect(win().focusCount).toBe(focusBefore + 1);

      // Focused window: no OS notification; unsubscribed listener: no more deliveries.
      offChanged();
      const changedCount = changed.length;
      win().focused = true;
      const count = fake.notifications.length;
      await bridge.invoke('comments.add', { taskId: task.id, content: 'Again', userId: other.id });
      expect(fake.notifications).toHaveLength(count);
      expect(changed).toHaveLength(changedCount);
    });
  });

  it('quits cleanly: the IPC handler is removed', () => {
    fake.app.emit('will-quit');
    expect(fake.handlers.size).toBe(0);
  });
});
