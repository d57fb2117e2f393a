/**
 * One heavy job at a time per engine: a training run or a benchmark. Two at once would share the
 * single wasm thread, so the run would crawl and the benchmark would measure nothing useful.
 */
import { EngineError } from '#shared/errors'

let holder: string | null = null

/** Takes the engine for `job` ("a training run", "a benchmark"); BUSY when something holds it. */
export function acquireEngine(job: string): () => void {
  if (holder)
    throw new EngineError('BUSY', `${holder} is in progress: wait for it or stop it first`)
  holder = job
  let released = false
  return () => {
    if (released) return
    released = true
    holder = null
  }
}
