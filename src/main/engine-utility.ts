/**
 * Starts the engine with Electron's `utilityProcess` (a Node process Chromium manages): the
 * Electron counterpart of engine-fork.ts. `child_process.fork` from main stops working once the
 * RunAsNode fuse is off, and tfjs must never run on main's thread.
 */
import { app, utilityProcess, type Details } from 'electron'
import type { EngineToHostMessage } from '#shared/engine-protocol'
import { EngineClient, type EngineTransport } from '#host/engine-client'
import { createStderrRouter, type LogLevel } from '#host/engine-stderr'

/** Name Chromium gives the process (task manager, `child-process-gone` details). */
const ENGINE_SERVICE_NAME = 'Digit Studio engine'
const STDERR_TAIL_BYTES = 4096

/**
 * Forks `entry` (the built out/main/engine/worker.js) as a utility process and wraps it in an
 * EngineClient. `env` comes from engine-env.ts (data home, starter model).
 */
export function utilityEngine(entry: string, env: Record<string, string>): EngineClient {
  const child = utilityProcess.fork(entry, [], {
    serviceName: ENGINE_SERVICE_NAME,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'pipe']
  })
  let tail = ''
  const logListeners: ((level: LogLevel, message: string) => void)[] = []
  // TensorFlow's start-up chatter becomes engine:log events (the renderer gets them like any
  // engine event); real errors still reach main's stderr and a crash's reason.
  const router = createStderrRouter({
    toTerminal: (text) => {
      process.stderr.write(text)
      tail = (tail + text).slice(-STDERR_TAIL_BYTES)
    },
    toLog: (level, message) => logListeners.forEach((l) => l(level, message))
  })
  child.stderr?.on('data', (chunk: Buffer) => router.write(chunk))
  child.stderr?.on('end', () => router.flush())
  // Chromium reports *why* a utility process died (crashed, oom, killed) only on the app.
  let gone: string | null = null
  const onGone = (_event: unknown, details: Details): void => {
    if (details.type === 'Utility' && details.serviceName === ENGINE_SERVICE_NAME) {
      gone = `process ${details.reason} (exit code ${details.exitCode})`
    }
  }
  app.on('child-process-gone', onGone)

  const transport: EngineTransport = {
    get pid() {
      return child.pid
    },
    postMessage: (msg) => child.postMessage(msg),
    onMessage: (cb) => child.on('message', (msg: EngineToHostMessage) => cb(msg)),
    onExit: (cb) =>
      child.once('exit', (code) => {
        // child-process-gone may land just after exit; give it one turn of the event loop.
        setImmediate(() => {
          router.flush()
          app.off('child-process-gone', onGone)
          cb(code, null, gone ? `${tail}\n${gone}` : tail)
        })
      }),
    onLog: (cb) => void logListeners.push(cb),
    kill: (signal) => {
      // utilityProcess.kill() takes no signal; a forced stop goes through the pid.
      if (signal === 'SIGKILL' && child.pid) process.kill(child.pid, 'SIGKILL')
      else child.kill()
    }
  }
  return new EngineClient(transport)
}
