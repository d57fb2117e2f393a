import { constants } from 'node:os'
import type { EngineClient } from '#host/engine-client'
import { forkEngine } from '#host/engine-fork'

/** Signals that end a CLI command; the engine is stopped before the CLI exits (RELIABILITY T4). */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

interface EngineSessionOptions {
  /** The command handles Ctrl-C itself (train: first a clean stop, then `endEngineAndExit`). */
  ownSigint?: boolean
}

/** Stops `engine` (polite, then forced) and exits the CLI with `code`: for signals and give-ups. */
export async function endEngineAndExit(engine: EngineClient, code: number): Promise<never> {
  await engine.dispose().catch(() => undefined)
  process.exit(code)
}

/**
 * Until the returned release function is called, ends `engine` on every way out of the CLI: a
 * signal (SIGINT unless the command owns it, SIGTERM, SIGHUP: the engine is stopped, then the CLI
 * exits with 128 + n) or a `process.exit` anywhere (the exit hook sends the engine SIGTERM, which
 * it doesn't catch). RELIABILITY T4.
 */
export function guardEngine(engine: EngineClient, options: EngineSessionOptions = {}): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    void endEngineAndExit(engine, 128 + constants.signals[signal])
  }
  const signals = ENDING_SIGNALS.filter((s) => !(s === 'SIGINT' && options.ownSigint))
  for (const s of signals) process.on(s, onSignal)
  const onExit = (): void => void engine.dispose()
  process.on('exit', onExit)
  return () => {
    for (const s of signals) process.off(s, onSignal)
    process.off('exit', onExit)
  }
}

/**
 * Runs `fn` against a freshly forked engine and always stops the process afterwards, so a CLI
 * command never leaves an engine behind, whatever happens: a normal end, an error, a signal or a
 * `process.exit` (see guardEngine).
 */
export async function withEngine<T>(
  env: NodeJS.ProcessEnv,
  fn: (engine: EngineClient) => Promise<T>,
  options: EngineSessionOptions = {}
): Promise<T> {
  const engine = forkEngine({ env, inheritStderr: true })
  const release = guardEngine(engine, options)
  try {
    await engine.ready()
    return await fn(engine)
  } finally {
    await engine.dispose()
    release()
  }
}

/** Maps `--backend native|wasm|cpu` onto the env var the engine reads. */
export function backendEnv(backend: string | undefined): NodeJS.ProcessEnv {
  return backend ? { DIGIT_STUDIO_BACKEND: backend } : {}
}
