import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createBridge } from './allow-list';

/**
 * Sandboxed preload: the renderer gets `window.coordinator` and nothing else — never
 * ipcRenderer, never the IPC event object (it would expose the sender).
 */
const bridge = createBridge({
  invoke: (ipcChannel, channel, input) => ipcRenderer.invoke(ipcChannel, channel, input),
  subscribe: (ipcChannel, deliver) => {
    const listener = (_event: IpcRendererEvent, payload: unknown) => deliver(payload);
    ipcRenderer.on(ipcChannel, listener);
    return () => {
      ipcRenderer.removeListener(ipcChannel, listener);
    };
  },
});

contextBridge.exposeInMainWorld('coordinator', bridge);
