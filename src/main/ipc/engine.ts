/**
 * IPC for the engine channels: each is forwarded to the engine process as is (the engine
 * validates again, whoever the host), plus `engine:restart`, which main answers itself.
 */
import { ENGINE_CHANNELS } from '#shared/ipc-contract'
import type { EngineMethod } from '#shared/engine-protocol'
import type { CheckedHandler } from './guard'

/** What the engine handlers need from the engine host. */
interface EngineAccess {
  /** Sends one request to the current engine (waiting for it to be ready). */
  request(method: EngineMethod, params: unknown): Promise<unknown>
  /** Replaces the engine process with a fresh one. */
  restart(): Promise<void>
}

/** Handlers for every engine channel and `engine:restart`. */
export function engineHandlers(engine: EngineAccess): Record<string, CheckedHandler> {
  const table: Record<string, CheckedHandler> = {}
  for (const method of ENGINE_CHANNELS) table[method] = (params) => engine.request(method, params)
  table['engine:restart'] = () => engine.restart()
  return table
}
