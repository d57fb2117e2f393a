import type { BackendChoice } from '../backend/selection'
import type { EngineEvent, EngineMethod, EngineMethods } from '#shared/engine-protocol'

/** What every handler gets from the engine process: its backend and a way to stream events. */
export interface EngineContext {
  backend: BackendChoice
  emit(event: EngineEvent): void
}

export type Handler<M extends EngineMethod> = (
  params: EngineMethods[M]['params'],
  ctx: EngineContext
) => Promise<EngineMethods[M]['result']> | EngineMethods[M]['result']

/** A table of handlers for some of the engine's methods (one table per area). */
export type HandlerTable<Methods extends Partial<EngineMethods>> = {
  [M in keyof Methods & EngineMethod]: Handler<M>
}
