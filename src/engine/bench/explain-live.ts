/**
 * The draw pad's live update, timed in the engine: the prediction with every layer's activations
 * plus a SmoothGrad map of the predicted class, for one MNIST test digit on a seed model (untrained:
 * the time does not depend on the weights, so the bench needs no training run first).
 */
import { IMAGE_PIXELS } from '#shared/mnist'
import type { ExplainLiveBenchResult } from '#shared/protocol/bench'
import { loadDataset } from '../data/datasets'
import { explainDigit, unitPixels } from '../explain/explain-digit'
import { LIVE_SMOOTHGRAD_SAMPLES } from '../explain/gradient-saliency'
import { createModel } from '../training/models'

/** Untimed updates first: the first calls compile kernels and grow the wasm heap. */
const WARMUP = 3

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
}

/** Median and p95 of `repeats` live updates (after a warm-up). */
export async function benchExplainLive(
  repeats: number,
  samples = LIVE_SMOOTHGRAD_SAMPLES
): Promise<ExplainLiveBenchResult> {
  const { test } = await loadDataset({ kind: 'embedded' })
  const input = unitPixels(test.images.subarray(0, IMAGE_PIXELS))
  const model = createModel('seed', { seed: 1 })
  try {
    const times: number[] = []
    for (let i = 0; i < WARMUP + repeats; i++) {
      const started = performance.now()
      explainDigit(model, input, { method: 'smoothgrad', samples, contrast: false, views: true })
      if (i >= WARMUP) times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    return {
      samples,
      repeats,
      medianMs: percentile(times, 0.5),
      p95Ms: percentile(times, 0.95)
    }
  } finally {
    model.dispose()
  }
}
