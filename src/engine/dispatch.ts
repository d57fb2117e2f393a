import * as v from 'valibot'
import { EngineError, serializeError } from '#shared/errors'
import { describeIssues } from '#shared/schema-issues'
import {
  engineParamSchemas,
  type EngineMethod,
  type ReplyMessage,
  type RequestMessage
} from '#shared/engine-protocol'
import { architectureHandlers } from './handlers/architectures'
import { benchHandlers } from './handlers/bench'
import { classifyHandlers } from './handlers/classify'
import { explainHandlers } from './handlers/explain'
import { infoHandlers } from './handlers/info'
import { modelHandlers } from './handlers/models'
import { trainingHandlers } from './handlers/training'
import { digitsHandlers } from './handlers/digits'
import { studyHandlers } from './handlers/studies'
import type { EngineContext, Handler } from './handlers/types'
import { ensureDataHome } from './store/data-home'

const handlers = {
  ...infoHandlers,
  ...trainingHandlers,
  ...classifyHandlers,
  ...modelHandlers,
  ...benchHandlers,
  ...explainHandlers,
  ...architectureHandlers,
  ...digitsHandlers,
  ...studyHandlers
} as Record<EngineMethod, Handler<EngineMethod>>

/**
 * Methods that never read or write the data home, so they work even when it is refused (an
 * `engine:info` still tells the user which backend runs). Every other method first opens the
 * data home: format check and crash sweep (RELIABILITY R2, R6).
 */
const WITHOUT_DATA_HOME = new Set<string>([
  'engine:info',
  'model:summary',
  'bench:run',
  'bench:classifyScan',
  'training:stop',
  'training:pause',
  'training:resume',
  'study:stop',
  'study:pause',
  'study:resume'
])

/**
 * Runs one request: checks the method exists and its params match the schema, calls the handler,
 * and always produces a reply (errors become data). Hosts never see an exception from here.
 */
export async function dispatch(msg: RequestMessage, ctx: EngineContext): Promise<ReplyMessage> {
  try {
    const handler = Object.hasOwn(handlers, msg.method) ? handlers[msg.method] : undefined
    const schema = Object.hasOwn(engineParamSchemas, msg.method)
      ? engineParamSchemas[msg.method]
      : undefined
    if (!handler || !schema)
      throw new EngineError('BAD_REQUEST', `unknown engine method "${String(msg.method)}"`)
    const parsed = v.safeParse(schema, msg.params ?? {})
    if (!parsed.success) {
      throw new EngineError('BAD_REQUEST', `${msg.method}: ${describeIssues(parsed.issues)}`)
    }
    if (!WITHOUT_DATA_HOME.has(msg.method)) await ensureDataHome()
    const result = await handler(parsed.output as never, ctx)
    return { kind: 'reply', id: msg.id, ok: true, result }
  } catch (err) {
    return { kind: 'reply', id: msg.id, ok: false, error: serializeError(err) }
  }
}
