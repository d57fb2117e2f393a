/**
 * The preload: exposes one `api` object to the page and nothing else (RELIABILITY S6). It runs
 * sandboxed, so it is bundled as CommonJS with its few dependencies inlined.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import {
  EVENT_CHANNEL,
  GRANT_DROPPED_CHANNEL,
  type IpcEvent,
  type IpcReply
} from '#shared/ipc-contract'
import { createApi } from './api'

const api = createApi(
  (channel, params) => ipcRenderer.invoke(channel, params) as Promise<IpcReply<unknown>>,
  (listener) => {
    // The IPC event object (with its sender and ports) stays here; the page gets the data only.
    const handler = (_event: Electron.IpcRendererEvent, data: IpcEvent): void => listener(data)
    ipcRenderer.on(EVENT_CHANNEL, handler)
    return () => ipcRenderer.off(EVENT_CHANNEL, handler)
  },
  // The path comes from Electron for a real dropped File, never from the page (RELIABILITY R3);
  // main grants it, so the engine channels accept it afterwards.
  async (file) => {
    const path = webUtils.getPathForFile(file)
    if (!path) return ''
    const reply = (await ipcRenderer.invoke(GRANT_DROPPED_CHANNEL, { path })) as IpcReply<{
      path: string
    }>
    return reply.ok ? reply.result.path : ''
  }
)

contextBridge.exposeInMainWorld('api', api)
