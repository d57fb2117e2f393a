import * as v from 'valibot'
import type { BackendKind } from './info'

// Bench area: `digit-studio bench` forks one engine per backend and asks each to measure itself,
// so every figure comes from a process that runs on exactly the backend it names.

/** The presets bench measures: the default and the best (batch norm, dropout). */
export const BENCH_PRESETS = ['seed', 'accurate'] as const
export type BenchPreset = (typeof BENCH_PRESETS)[number]

const BenchParamsSchema = v.object({
  /** Which preset's model to train and run. */
  preset: v.optional(v.picklist(BENCH_PRESETS), 'seed'),
  /** Timed training batches, after the warm-up. */
  batches: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)),
  /** Untimed batches first: the first steps compile kernels and grow the wasm heap. */
  warmupBatches: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)), 3),
  batchSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4096)), 128),
  /** Timed inference batches of 500 test images. */
  inferBatches: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), 10)
})
type BenchParams = v.InferInput<typeof BenchParamsSchema>

export interface BenchResult {
  backend: BackendKind
  backendReason: string
  preset: BenchPreset
  batchSize: number
  trainBatches: number
  /** Training throughput as training runs: on `trainThreads` threads. */
  trainSamplesPerSecond: number
  /** 2 when training uses the data-parallel trainer (wasm on 2+ cores), else 1. */
  trainThreads: number
  /** Training throughput on one thread (equal to `trainSamplesPerSecond` when that is one thread). */
  trainSamplesPerSecondOneThread: number
  inferBatchSize: number
  inferSamplesPerSecond: number
  /** Peak resident memory of the engine process so far (`process.resourceUsage().maxRSS`). */
  peakRssBytes: number
}

/** What a host needs to time "drop -> answer" itself: a scan and a model to read it with. */
export interface ClassifyScanFixture {
  /** PNG bytes of one MNIST test digit as a dark-on-light scan. */
  scan: Uint8Array
  /** An untrained seed model (latency does not depend on the weights), saved for classify. */
  modelDir: string
  /** Temporary folder holding `modelDir`: the host removes it when done. */
  tempDir: string
}

const ExplainLiveBenchParamsSchema = v.object({
  /** Timed updates, after 3 untimed ones. */
  repeats: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), 30),
  /** SmoothGrad's noisy copies per map; default: what the draw pad uses. */
  samples: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(256)))
})

/** One draw-pad update (prediction + SmoothGrad map), timed in the engine. */
export interface ExplainLiveBenchResult {
  samples: number
  repeats: number
  medianMs: number
  p95Ms: number
}

export interface BenchMethods {
  /** Measures a preset's training and inference throughput on this engine's backend. */
  'bench:run': { params: BenchParams; result: BenchResult }
  /** Prepares the fixture of the host-side classify latency measurement. */
  'bench:classifyScan': { params: Record<string, never>; result: ClassifyScanFixture }
  /** Times the draw pad's live update (prediction + SmoothGrad map) on a seed model. */
  'bench:explainLive': {
    params: v.InferInput<typeof ExplainLiveBenchParamsSchema>
    result: ExplainLiveBenchResult
  }
}

export const benchParamSchemas = {
  'bench:run': BenchParamsSchema,
  'bench:classifyScan': v.strictObject({}),
  'bench:explainLive': ExplainLiveBenchParamsSchema
} as const
