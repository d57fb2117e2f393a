/**
 * The checks every IPC handler runs before acting (RELIABILITY S5): the message must come from
 * the app's own main frame, and its payload must match the channel's schema. Handlers return data
 * (`IpcReply`), so errors keep their name and code on the way to the renderer.
 */
import * as v from 'valibot'
import { EngineError, serializeError } from '#shared/errors'
import { describeIssues } from '#shared/schema-issues'
import { originOf } from '../origin'
import { ipcParamSchemas, type IpcChannel, type IpcReply } from '#shared/ipc-contract'
import type { PathCheck } from './path-guard'

/** The parts of an `IpcMainInvokeEvent` the guard reads; tests pass plain objects. */
export interface SenderInfo {
  senderFrame: { url: string; parent: unknown } | null
}

/** A handler after the checks: gets validated params, returns the result (or throws). */
export type CheckedHandler = (params: unknown) => unknown

/** Why a sender was refused, or null when it is the app's own main frame. */
export function senderProblem(event: SenderInfo, appOrigins: readonly string[]): string | null {
  const frame = event.senderFrame
  if (!frame) return 'sender frame is gone'
  if (frame.parent !== null) return 'sender is a sub-frame'
  const origin = originOf(frame.url)
  if (origin === null) return `sender URL ${frame.url} has no origin`
  if (!appOrigins.includes(origin)) return `sender origin ${origin} is not the app`
  return null
}

/**
 * Wraps a handler with the sender, payload and path checks (RELIABILITY S5, R3); a refused call
 * never reaches `handler`. The result is what `ipcMain.handle` registers for `channel`.
 * `schema` defaults to the contract's for the channel.
 */
export function guarded(
  channel: IpcChannel,
  appOrigins: readonly string[],
  handler: CheckedHandler,
  checkPaths: PathCheck | null = null,
  schema: v.GenericSchema = ipcParamSchemas[channel]
): (event: SenderInfo, params: unknown) => Promise<IpcReply<unknown>> {
  return async (event, params) => {
    try {
      const problem = senderProblem(event, appOrigins)
      if (problem) throw new EngineError('BAD_REQUEST', `${channel} refused: ${problem}`)
      const parsed = v.safeParse(schema, params ?? {})
      if (!parsed.success)
        throw new EngineError('BAD_REQUEST', `${channel}: ${describeIssues(parsed.issues)}`)
      const pathProblem = checkPaths ? await checkPaths(channel, parsed.output) : null
      if (pathProblem)
        throw new EngineError('PATH_NOT_ALLOWED', `${channel} refused: ${pathProblem}`)
      return { ok: true, result: await handler(parsed.output) }
    } catch (err) {
      return { ok: false, error: serializeError(err) }
    }
  }
}
