import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { EventName, EventPayload } from '../../shared/contracts';
import type { Envelope } from '../../shared/errors';
import type { Core } from '../../core/app/core';
import { createLogger } from '../../core/common/logger';
import { dispatch } from '../../core/ipc/dispatch';
import { subscribeRendererEvents } from '../../core/ipc/events';
import type { Handlers } from '../../core/ipc/handlers';
import type { Desktop } from '../../core/desktop/desktop';
import { IPC_INVOKE_CHANNEL, ipcEventChannel } from '../preload/allow-list';
import { isAppUrl, isTrustedSender, type SenderDescription } from './policy';

const log = createLogger('ipc');

export interface IpcOptions {
  core: Core;
  handlers: Handlers;
  getWindow: () => BrowserWindow | null;
  appUrl: string;
  /** The window's services: sync status changes and streamed answers are forwarded as events. */
  desktop?: Desktop;
  /** Called for every event after it is sent to the renderer (OS notifications). */
  onEvent?: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
}

function describeSender(event: IpcMainInvokeEvent, win: BrowserWindow | null): SenderDescription {
  const frame = event.senderFrame;
  const main = win && !win.isDestroyed() ? win.webContents.mainFrame : null;
  const isMainFrame =
    !!frame && !!main && frame.parent === null && frame.processId === main.processId && frame.routingId === main.routingId;
  return { frameUrl: frame ? frame.url : null, isMainFrame, webContentsId: event.sender.id };
}

const forbidden: Envelope<never> = { ok: false, error: { code: 'FORBIDDEN', message: 'This request did not come from the Coordinator window.' } };

/**
 * THE one IPC wrapper: checks the sender, then lets `dispatch` validate the channel and input and
 * build the envelope. Core events are forwarded to the window. Returns the unregister function.
 */
export function registerIpc(options: IpcOptions): () => void {
  const { handlers, getWindow, appUrl } = options;

  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, channel: unknown, input: unknown) => {
    const win = getWindow();
    const target = { webContentsId: win && !win.isDestroyed() ? win.webContents.id : null, appUrl };
    const sender = describeSender(event, win);
    if (!isTrustedSender(sender, target)) {
      log.warn('request from an untrusted sender refused', { url: sender.frameUrl?.slice(0, 200) ?? null, mainFrame: sender.isMainFrame });
      return forbidden;
    }
    return dispatch(handlers, channel, input);
  });

  const unsubscribe = subscribeRendererEvents(
    options.core,
    (name, payload) => {
      sendToWindow(getWindow(), appUrl, name, payload);
      options.onEvent?.(name, payload);
    },
    options.desktop,
  );

  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
  };
}

/** Sends a contract event to the window, only while it shows the app's own page. */
export function sendToWindow<E extends EventName>(win: BrowserWindow | null, appUrl: string, name: E, payload: EventPayload<E>): void {
  if (win && !win.isDestroyed() && isAppUrl(win.webContents.getURL(), appUrl)) {
    win.webContents.send(ipcEventChannel(name), payload);
  }
}
