import * as v from 'valibot'

/**
 * Methods Electron main answers itself (dialogs, taskbar, notifications, engine restarts):
 * they need Electron APIs, so they never reach the engine. Same shape as engine methods.
 */
export type EngineState = 'starting' | 'ready' | 'crashed' | 'stopped'

export interface EngineStateEvent {
  type: 'engine:state'
  state: EngineState
  /** Why it crashed or stopped, e.g. "engine killed by SIGKILL". */
  reason?: string
}

const FileFilter = v.object({ name: v.string(), extensions: v.array(v.string()) })

export const appParamSchemas = {
  'app:versions': v.optional(v.object({}), {}),
  'app:progress': v.object({ fraction: v.pipe(v.number(), v.minValue(-1), v.maxValue(1)) }),
  'app:notify': v.object({
    title: v.pipe(v.string(), v.maxLength(200)),
    body: v.pipe(v.string(), v.maxLength(1000))
  }),
  'engine:restart': v.optional(v.object({}), {}),
  'dialog:openFolder': v.object({ title: v.optional(v.string()) }),
  'dialog:openFiles': v.object({
    title: v.optional(v.string()),
    filters: v.optional(v.array(FileFilter))
  }),
  'dialog:saveFile': v.object({
    title: v.optional(v.string()),
    defaultName: v.string(),
    filters: v.optional(v.array(FileFilter))
  })
} as const

export interface AppMethods {
  'app:versions': {
    params: Record<string, never>
    result: { app: string; electron: string; chrome: string; node: string }
  }
  /** Taskbar progress: 0-1, or -1 to clear. */
  'app:progress': { params: { fraction: number }; result: void }
  'app:notify': { params: { title: string; body: string }; result: void }
  'engine:restart': { params: Record<string, never>; result: void }
  'dialog:openFolder': { params: { title?: string }; result: { path: string | null } }
  'dialog:openFiles': {
    params: { title?: string; filters?: { name: string; extensions: string[] }[] }
    result: { paths: string[] }
  }
  'dialog:saveFile': {
    params: {
      title?: string
      defaultName: string
      filters?: { name: string; extensions: string[] }[]
    }
    result: { path: string | null }
  }
}
