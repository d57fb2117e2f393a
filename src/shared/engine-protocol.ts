/**
 * The one protocol between a host (Electron main, the CLI, tests) and the engine process.
 *
 * Requests carry an id and get exactly one reply with the same id; events stream independently.
 * Every method is declared once, per area, in `./protocol/*.ts` as `name -> { params, result }`
 * with a valibot schema for its params, so the engine validates what it receives no matter which
 * host sent it, and the IPC contract is derived from the same names.
 */
import type * as v from 'valibot'
import type { SerializedError } from './errors'
import { infoParamSchemas, type InfoMethods } from './protocol/info'
import { trainingParamSchemas, type TrainingMethods } from './protocol/training'
import type { TrainingEvent } from './protocol/training-events'
import { classifyParamSchemas, type ClassifyEvent, type ClassifyMethods } from './protocol/classify'
import { modelParamSchemas, type ModelEvent, type ModelMethods } from './protocol/models'
import { benchParamSchemas, type BenchMethods } from './protocol/bench'
import { explainParamSchemas, type ExplainEvent, type ExplainMethods } from './protocol/explain'
import { architectureParamSchemas, type ArchitectureMethods } from './protocol/architectures'
import { digitsParamSchemas, type DigitsChangedEvent, type DigitsMethods } from './protocol/digits'
import { studyParamSchemas, type StudyEvent, type StudyMethods } from './protocol/studies'

export type EngineMethods = InfoMethods &
  TrainingMethods &
  ClassifyMethods &
  ModelMethods &
  BenchMethods &
  ExplainMethods &
  ArchitectureMethods &
  DigitsMethods &
  StudyMethods
export type EngineMethod = keyof EngineMethods
export type ParamsOf<M extends EngineMethod> = EngineMethods[M]['params']
export type ResultOf<M extends EngineMethod> = EngineMethods[M]['result']

/** Schema of every method's params: the engine refuses a request whose params don't match. */
export const engineParamSchemas: Record<EngineMethod, v.GenericSchema> = {
  ...infoParamSchemas,
  ...trainingParamSchemas,
  ...classifyParamSchemas,
  ...modelParamSchemas,
  ...benchParamSchemas,
  ...explainParamSchemas,
  ...architectureParamSchemas,
  ...digitsParamSchemas,
  ...studyParamSchemas
}

/** Every method name, for allowlists (IPC forwarding, preload surface). */
export const ENGINE_METHODS = Object.keys(engineParamSchemas) as EngineMethod[]

/** Events the engine pushes without being asked. */
export type EngineEvent =
  | TrainingEvent
  | ClassifyEvent
  | ModelEvent
  | ExplainEvent
  | DigitsChangedEvent
  | StudyEvent
  | { type: 'engine:log'; level: 'info' | 'warn'; message: string }

/** host -> engine */
export interface RequestMessage<M extends EngineMethod = EngineMethod> {
  kind: 'request'
  id: number
  method: M
  params: ParamsOf<M>
}

/** engine -> host */
export type ReplyMessage =
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: SerializedError }
interface EventMessage {
  kind: 'event'
  event: EngineEvent
}
/** Sent once when the engine process has loaded its backend and can take requests. */
interface ReadyMessage {
  kind: 'ready'
  pid: number
}
export type EngineToHostMessage = ReplyMessage | EventMessage | ReadyMessage
