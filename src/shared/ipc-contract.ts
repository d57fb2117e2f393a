/**
 * The typed IPC contract between the renderer and Electron main: every channel and its payloads.
 *
 * Channels are named `area:verb`. Engine channels are exactly the engine's methods (main forwards
 * them to the engine process after validating sender and payload); app channels are answered by
 * main itself. Events flow main -> renderer on channels named after the event's `type`.
 * The renderer's `window.api` type is derived from these maps, so the two cannot drift.
 */
import * as v from 'valibot'
import {
  ENGINE_METHODS,
  engineParamSchemas,
  type EngineEvent,
  type EngineMethods
} from './engine-protocol'
import { appParamSchemas, type AppMethods, type EngineStateEvent } from './protocol/app'

type IpcMethods = EngineMethods & AppMethods
export type IpcChannel = keyof IpcMethods & string
type IpcParams<C extends IpcChannel> = IpcMethods[C]['params']
export type IpcResult<C extends IpcChannel> = IpcMethods[C]['result']

/** Channels main forwards to the engine. */
export const ENGINE_CHANNELS = ENGINE_METHODS
/** Channels main answers itself. */
const APP_CHANNELS = Object.keys(appParamSchemas) as (keyof AppMethods)[]
/** Every invoke channel, for the preload factory and the surface test. */
export const INVOKE_CHANNELS = [...ENGINE_CHANNELS, ...APP_CHANNELS] as IpcChannel[]

/** Payload schema per invoke channel: main validates before acting (RELIABILITY S5). */
export const ipcParamSchemas: Record<IpcChannel, v.GenericSchema> = {
  ...engineParamSchemas,
  ...appParamSchemas
}

/**
 * Registers a dropped file's or folder's path with main (RELIABILITY R3). Deliberately outside
 * INVOKE_CHANNELS, so `window.api` has no function for it: only the preload's `pathForFile`, which
 * gets the path from Electron's `webUtils.getPathForFile` for a real dropped File, sends it.
 */
export const GRANT_DROPPED_CHANNEL = 'paths:grantDropped'
export const GrantDroppedSchema = v.object({
  path: v.pipe(v.string(), v.minLength(1), v.maxLength(4096))
})

/** Events main pushes to the renderer. */
export type IpcEvent = EngineEvent | EngineStateEvent
export type IpcEventType = IpcEvent['type']
export type IpcEventOf<T extends IpcEventType> = Extract<IpcEvent, { type: T }>

/** One channel carries every event; the renderer filters by `type` (see preload `on`). */
export const EVENT_CHANNEL = 'events'

/** Invoke replies are data, so an error keeps its name and code across IPC (podman-desktop's way). */
export type IpcReply<T> =
  { ok: true; result: T } | { ok: false; error: { name: string; code: string; message: string } }

type AreaOf<C> = C extends `${infer A}:${string}` ? A : never
type VerbOf<C, A extends string> = C extends `${A}:${infer V}` ? V : never

type ChannelFn<C extends IpcChannel> = (params?: IpcParams<C>) => Promise<IpcResult<C>>

/** `window.api`: `api.training.start(config)`, `api.engine.info()`, ... plus `api.on(type, cb)`. */
export type RendererApi = {
  [A in AreaOf<IpcChannel>]: {
    [V in VerbOf<IpcChannel, A>]: ChannelFn<Extract<`${A}:${V}`, IpcChannel>>
  }
} & {
  /** Subscribes to one event type; returns the unsubscribe function. */
  on<T extends IpcEventType>(type: T, cb: (event: IpcEventOf<T>) => void): () => void
  /**
   * Absolute path of a dropped File (Electron's webUtils.getPathForFile), granted in main so the
   * engine channels accept it; '' where there is none (a File made in the page, a browser).
   */
  pathForFile(file: File): Promise<string>
}
