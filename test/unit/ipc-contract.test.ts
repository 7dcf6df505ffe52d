import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelNames, events, eventNames } from '../../shared/contracts';
import { dispatch } from '../../core/ipc/dispatch';
import { subscribeRendererEvents } from '../../core/ipc/events';
import { createHandlers, type Handlers } from '../../core/ipc/handlers';
import {
  createBridge,
  IPC_INVOKE_CHANNEL,
  ipcEventChannel,
  isAllowedChannel,
  type BridgeTransport,
} from '../../electron/preload/allow-list';
import { tempCore } from '../support/core';

type TestCore = ReturnType<typeof tempCore>;

const sorted = (values: Iterable<string>) => [...values].sort();

/** Rows in every table of the replica, so "writes nothing" covers audit, outbox, notifications… */
function rowCounts(core: TestCore): Record<string, number> {
  const tables = core.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map(({ name }) => [name, (core.db.prepare(`SELECT COUNT(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n]),
  );
}

function fakeTransport() {
  const invoke = vi.fn<BridgeTransport['invoke']>(async () => ({ ok: true, value: 'from-main' }));
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const subscribe = vi.fn<BridgeTransport['subscribe']>((ipcChannel, deliver) => {
    const set = listeners.get(ipcChannel) ?? new Set();
    set.add(deliver);
    listeners.set(ipcChannel, set);
    return () => set.delete(deliver);
  });
  const emit = (ipcChannel: string, payload: unknown) => {
    for (const deliver of listeners.get(ipcChannel) ?? []) deliver(payload);
  };
  return { transport: { invoke, subscribe } satisfies BridgeTransport, invoke, subscribe, listeners, emit };
}

const unknownChannels: unknown[] = ['tasks.drop', 'TASKS.LIST', ' tasks.list', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 42, null, undefined, {}, ['tasks.list']];

describe('IPC contract: contracts ↔ preload allow-list ↔ main handlers', () => {
  let core: TestCore;
  let handlers: Handlers;

  beforeEach(() => {
    core = tempCore();
    handlers = createHandlers(core);
  });
  afterEach(() => core.dispose());

  it('the preload forwards every contract channel and subscribes to every contract event', async () => {
    const fake = fakeTransport();
    const bridge = createBridge(fake.transport);
    const invoke = bridge.invoke as (c: unknown, i: unknown) => Promise<unknown>;
    for (const name of channelNames) await expect(invoke(name, undefined)).resolves.toEqual({ ok: true, value: 'from-main' });
    expect(fake.invoke.mock.calls.map(([ipcChannel, channel]) => [ipcChannel, channel])).toEqual(channelNames.map((name) => [IPC_INVOKE_CHANNEL, name]));
    const on = bridge.on as (e: unknown, l: (p: unknown) => void) => () => void;
    for (const name of eventNames) on(name, () => undefined);
    expect(fake.subscribe.mock.calls.map(([ipcChannel]) => ipcChannel)).toEqual(eventNames.map((name) => ipcEventChannel(name)));
  });

  it('has exactly one handler per contract channel, no more', () => {
    expect(sorted(Object.keys(handlers))).toEqual(sorted(channelNames));
    for (const name of channelNames) expect(typeof handlers[name]).toBe('function');
  });

  it('the preload refuses unknown channels without touching IPC', async () => {
    const fake = fakeTransport();
    const bridge = createBridge(fake.transport);
    for (const name of unknownChannels) {
      expect(isAllowedChannel(name)).toBe(false);
      const result = await (bridge.invoke as (c: unknown, i: unknown) => Promise<unknown>)(name, undefined);
      expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(fake.invoke).not.toHaveBeenCalled();
  });

  it('the preload forwards an allowed channel on the one invoke channel', async () => {
    const fake = fakeTransport();
    const bridge = createBridge(fake.transport);
    const input = { projectId: undefined, limit: 5 };
    await expect(bridge.invoke('tasks.list', input)).resolves.toEqual({ ok: true, value: 'from-main' });
    expect(fake.invoke).toHaveBeenCalledExactlyOnceWith(IPC_INVOKE_CHANNEL, 'tasks.list', input);
  });

  it('the preload turns a failed IPC call into an UNAVAILABLE envelope instead of a rejection', async () => {
    const fake = fakeTransport();
    fake.invoke.mockRejectedValueOnce(new Error("No handler registered for 'coordinator:invoke'"));
    const bridge = createBridge(fake.transport);
    await expect(bridge.invoke('app.info', undefined)).resolves.toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });

  it('the preload subscribes only to contract events, delivers the payload only, and unsubscribes', () => {
    const fake = fakeTransport();
    const bridge = createBridge(fake.transport);
    const listener = vi.fn();
    const off = bridge.on('data.changed', listener);
    expect(fake.subscribe).toHaveBeenCalledWith('coordinator:event:data.changed', expect.any(Function));
    fake.emit(ipcEventChannel('data.changed'), { tables: ['tasks'] });
    expect(listener).toHaveBeenCalledExactlyOnceWith({ tables: ['tasks'] });
    off();
    off();
    fake.emit(ipcEventChannel('data.changed'), { tables: ['projects'] });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(fake.listeners.get('coordinator:event:data.changed')?.size).toBe(0);

    const on = bridge.on as (event: unknown, listener: unknown) => () => void;
    expect(() => on('coordinator:invoke', listener)).toThrow(TypeError);
    expect(() => on('__proto__', listener)).toThrow(TypeError);
    expect(() => on('data.changed', 'not a function')).toThrow(TypeError);
    expect(fake.subscribe).toHaveBeenCalledTimes(1);
  });

  it('dispatch: invalid input is a VALIDATION error and writes nothing', async () => {
    const invalid: [string, unknown][] = [
      ['projects.create', { name: '' }],
      ['projects.create', { name: '   ' }],
      ['projects.create', { name: 'Launch', extra: true }],
      ['projects.create', { name: 'x'.repeat(201) }],
      ['projects.create', null],
      ['projects.create', 'Launch'],
      ['tasks.create', { title: 'Write spec', estimatedHours: -1 }],
      ['tasks.create', { title: 'Write spec', projectId: 'not-a-uuid' }],
      ['tasks.delete', { id: "1' OR '1'='1" }],
      ['employees.create', { name: 'Ada', email: 'not-an-email' }],
      ['app.seedDemo', { force: true }],
      ['notifications.markAllRead', {}],
    ];
    const before = rowCounts(core);
    for (const [channel, input] of invalid) {
      const result = await dispatch(handlers, channel, input);
      expect(result, `${channel} ${JSON.stringify(input)}`).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(rowCounts(core)).toEqual(before);
  });

  it('dispatch: valid input returns ok with a contract-shaped value', async () => {
    const before = rowCounts(core);
    const created = await dispatch(handlers, 'projects.create', { name: 'Launch' });
    expect(created).toMatchObject({ ok: true, value: { name: 'Launch', status: 'todo' } });
    expect(rowCounts(core).projects).toBe((before.projects ?? 0) + 1);

    const info = await dispatch(handlers, 'app.info', undefined);
    expect(info).toMatchObject({ ok: true, value: { databasePath: core.dbFile, isEmpty: false } });
  });

  it('dispatch: an unknown channel is NOT_FOUND', async () => {
    for (const name of unknownChannels) {
      await expect(dispatch(handlers, name, undefined)).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });

  it('events emitted for the renderer match their contracts', async () => {
    const emitted: { name: string; payload: unknown }[] = [];
    const off = subscribeRendererEvents(core, (name, payload) => emitted.push({ name, payload }));
    await dispatch(handlers, 'projects.create', { name: 'Launch' });
    off();
    expect(emitted.length).toBeGreaterThan(0);
    for (const { name, payload } of emitted) {
      expect(eventNames).toContain(name);
      expect(events[name as keyof typeof events].payload.safeParse(payload).success).toBe(true);
    }
    expect(emitted[0]).toMatchObject({ name: 'data.changed', payload: { tables: expect.arrayContaining(['projects']) } });
  });
});
