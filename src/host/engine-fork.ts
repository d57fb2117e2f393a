/**
 * Starts the engine with `child_process.fork`: the transport the CLI and the tests use.
 * (Electron uses utilityProcess instead, see engine-utility.ts, because with the RunAsNode fuse
 * off `child_process.fork` from Electron's main process no longer works.)
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { EngineClient, type EngineTransport } from './engine-client'
import type { EngineToHostMessage } from '#shared/engine-protocol'
import { createStderrRouter, type LogLevel } from './engine-stderr'

/** Source entry of the engine; run through tsx so no build step is needed for CLI and tests. */
export const ENGINE_ENTRY = fileURLToPath(new URL('../engine/worker.ts', import.meta.url))

/** tsx's ESM loader as a file URL: `--import tsx` alone would resolve it from the cwd. */
const TSX_LOADER = import.meta.resolve('tsx')

/** Loads tfjs before anything else with source maps off (~45 MB less heap per thread, see the file). */
const TFJS_PRELOAD = new URL('../engine/preload-tfjs.mjs', import.meta.url).href

/** Keeps the last few KB of stderr so a crash report can say what the process said last. */
const STDERR_TAIL_BYTES = 4096

interface ForkOptions {
  env?: NodeJS.ProcessEnv
  /** Forward the engine's stderr to ours (CLI) or only keep its tail (tests). */
  inheritStderr?: boolean
}

/** Forks a fresh engine process and wraps it in an EngineClient. */
export function forkEngine(options: ForkOptions = {}): EngineClient {
  const child = fork(ENGINE_ENTRY, [], {
    // Resolved from this file, not the current folder, so the CLI works from any directory.
    execArgv: ['--import', TSX_LOADER, '--import', TFJS_PRELOAD],
    env: { ...process.env, ...options.env },
    // 'advanced' uses structured clone, so typed arrays (images, probabilities) cross intact.
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc']
  })
  let tail = ''
  const logListeners: ((level: LogLevel, message: string) => void)[] = []
  // TensorFlow's start-up chatter goes to the engine log; the tail (a crash's reason) and the
  // terminal get everything else.
  const router = createStderrRouter({
    toTerminal: (text) => {
      if (options.inheritStderr) process.stderr.write(text)
      tail = (tail + text).slice(-STDERR_TAIL_BYTES)
    },
    toLog: (level, message) => logListeners.forEach((l) => l(level, message))
  })
  child.stderr?.on('data', (chunk: Buffer) => router.write(chunk))
  child.stderr?.on('end', () => router.flush())
  const transport: EngineTransport = {
    pid: child.pid,
    postMessage: (msg) => {
      if (child.connected) child.send(msg)
    },
    onMessage: (cb) => child.on('message', (m) => cb(m as EngineToHostMessage)),
    onExit: (cb) =>
      child.once('exit', (code, signal) => {
        router.flush()
        cb(code, signal, tail)
      }),
    onLog: (cb) => void logListeners.push(cb),
    kill: (signal) => {
      child.kill(signal)
    }
  }
  return new EngineClient(transport)
}
