/**
 * The engine process entry. Electron starts it with `utilityProcess.fork`, the CLI and the tests
 * with `child_process.fork`; both deliver the same messages (engine-protocol.ts), only the port
 * differs. Nothing here imports electron.
 */
import { existsSync } from 'node:fs'
import { serializeError } from '#shared/errors'
import type { EngineToHostMessage, RequestMessage } from '#shared/engine-protocol'
import { selectBackend } from './backend/selection'
import { startMemoryTrace } from './memory-trace'
import { dispatch } from './dispatch'
import { ensureDataHome } from './store/data-home'
import { dataHome } from './store/paths'
import type { EngineContext } from './handlers/types'

interface Port {
  send(msg: EngineToHostMessage): void
  onMessage(cb: (msg: RequestMessage) => void): void
}

/** Electron's utilityProcess exposes `process.parentPort`; child_process.fork gives `process.send`. */
function connectToHost(): Port {
  // Typed locally so the engine has no dependency on electron, not even for types.
  type ParentPort = {
    postMessage(m: unknown): void
    on(e: 'message', cb: (e: { data: unknown }) => void): void
  }
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort
  if (parentPort) {
    return {
      send: (msg) => parentPort.postMessage(msg),
      onMessage: (cb) => parentPort.on('message', (e) => cb(e.data as RequestMessage))
    }
  }
  if (!process.send)
    throw new Error('engine worker must be started as a child process with an IPC channel')
  return {
    send: (msg) => process.send!(msg),
    onMessage: (cb) => process.on('message', (m) => cb(m as RequestMessage))
  }
}

async function main(): Promise<void> {
  const port = connectToHost()
  // Queue requests that arrive while the backend loads, so no message is lost at start-up.
  const early: RequestMessage[] = []
  let ctx: EngineContext | null = null
  const handle = (msg: RequestMessage): void => {
    if (!ctx) return void early.push(msg)
    void dispatch(msg, ctx).then((reply) => port.send(reply))
  }
  port.onMessage(handle)
  // The host owns this process's lifetime: Ctrl-C in a terminal reaches the whole process group,
  // and the CLI turns it into a clean `training:stop` instead of letting the engine die mid-save.
  process.on('SIGINT', () => undefined)
  // When the host is gone (killed, crashed), nobody can read our results: exit rather than train on.
  process.on('disconnect', () => process.exit(0))
  const backend = await selectBackend()
  startMemoryTrace('engine')
  ctx = { backend, emit: (event) => port.send({ kind: 'event', event }) }
  port.send({ kind: 'ready', pid: process.pid })
  // Restore what a crash mid-save left (RELIABILITY R2) before the user looks at runs; a refused
  // data home (R6) is reported by the first method that needs it, not here.
  if (existsSync(dataHome())) void ensureDataHome().catch(() => undefined)
  for (const msg of early.splice(0)) handle(msg)
}

main().catch((err) => {
  // A backend that can't start is fatal for this process: say why on stderr and exit non-zero,
  // so the host reports it (ENGINE_CRASHED / BACKEND_FAILED) instead of waiting forever.
  const e = serializeError(err)
  process.stderr.write(`digit-studio engine: ${e.code}: ${e.message}\n`)
  process.exit(3)
})
