/**
 * Builds the renderer's `window.api` from three primitives. It imports nothing from electron, so
 * the Electron preload (ipcRenderer, contextBridge) and the Chromium e2e bridge (page bindings)
 * build the very same object and cannot drift apart.
 */
import {
  INVOKE_CHANNELS,
  type IpcChannel,
  type IpcEvent,
  type IpcEventType,
  type IpcReply,
  type RendererApi
} from '#shared/ipc-contract'

/** Sends one invoke to main (or the e2e bridge) and resolves with its data reply. */
type InvokeFn = (channel: IpcChannel, params: unknown) => Promise<IpcReply<unknown>>
/** Starts delivering every pushed event to `listener`; returns the function that stops it. */
type SubscribeFn = (listener: (event: IpcEvent) => void) => () => void
/**
 * Absolute path of a dropped file, granted in main ('' where there is none, e.g. a File made in
 * the page, or a browser).
 */
type PathForFileFn = (file: File) => Promise<string>

/** An invoke error as it reaches the renderer: a real Error that keeps the engine's name and code. */
interface ApiError extends Error {
  code: string
}

/**
 * Turns an error reply back into a thrown Error. The code is also put at the front of the message
 * ("BUSY: a run is already going") because Electron's contextBridge copies only an Error's
 * message into the page; the renderer's `errorInfo()` reads it back from there.
 */
function toError(error: { name: string; code: string; message: string }): ApiError {
  const err = new Error(`${error.code}: ${error.message}`) as ApiError
  err.name = error.name
  err.code = error.code
  return err
}

/**
 * Creates the api object: `api.<area>.<verb>(params)` for every invoke channel, `api.on(type, cb)`
 * (returns its unsubscribe) and `api.pathForFile(file)`. Only plain functions and data cross to the
 * page: never the transport, never an IPC event object.
 */
export function createApi(
  invoke: InvokeFn,
  subscribe: SubscribeFn,
  pathForFile: PathForFileFn
): RendererApi {
  const areas: Record<string, Record<string, (params?: unknown) => Promise<unknown>>> = {}
  for (const channel of INVOKE_CHANNELS) {
    const [area, verb] = channel.split(':') as [string, string]
    areas[area] ??= {}
    areas[area][verb] = async (params?: unknown) => {
      const reply = await invoke(channel, params ?? {})
      if (reply.ok) return reply.result
      throw toError(reply.error)
    }
  }

  // One underlying subscription fans out to every `on()` listener, so a page with many
  // components does not stack up one IPC listener each.
  const listeners = new Map<IpcEventType, Set<(event: IpcEvent) => void>>()
  let stop: (() => void) | null = null
  const dispatch = (event: IpcEvent): void => {
    for (const cb of listeners.get(event.type) ?? []) cb(event)
  }
  const on = (type: IpcEventType, cb: (event: IpcEvent) => void): (() => void) => {
    let set = listeners.get(type)
    if (!set) listeners.set(type, (set = new Set()))
    set.add(cb)
    stop ??= subscribe(dispatch)
    return () => {
      set.delete(cb)
      if (set.size === 0) listeners.delete(type)
      if (listeners.size === 0 && stop) {
        stop()
        stop = null
      }
    }
  }

  return {
    ...areas,
    on,
    pathForFile: (file: File) => pathForFile(file)
  } as unknown as RendererApi
}
