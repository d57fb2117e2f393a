import type { EngineClient } from '#host/engine-client'

/** Options every bench step receives. */
export interface BenchOptions {
  batches: number
}

/** Figures of one backend; each step adds its own keys. */
export type BackendFigures = Record<
  string,
  number | string | { min: number; median: number; max: number }
>

/**
 * One measurement made in each backend's engine. Steps run in order in the same process, and
 * each returns the figures it adds (kept apart from bench.ts so steps don't import the command).
 */
export interface BenchStep {
  name: string
  run(engine: EngineClient, options: BenchOptions): Promise<BackendFigures>
}
