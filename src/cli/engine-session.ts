import type { EngineClient } from '#host/engine-client'
import { forkEngine } from '#host/engine-fork'

/**
 * Runs `fn` against a freshly forked engine and always stops the process afterwards, so a CLI
 * command never leaves an engine behind, whatever happens.
 */
export async function withEngine<T>(
  env: NodeJS.ProcessEnv,
  fn: (engine: EngineClient) => Promise<T>
): Promise<T> {
  const engine = forkEngine({ env, inheritStderr: true })
  try {
    await engine.ready()
    return await fn(engine)
  } finally {
    await engine.dispose()
  }
}

/** Maps `--backend native|wasm|cpu` onto the env var the engine reads. */
export function backendEnv(backend: string | undefined): NodeJS.ProcessEnv {
  return backend ? { DIGIT_STUDIO_BACKEND: backend } : {}
}
