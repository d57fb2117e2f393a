import type { BenchStep } from './bench-step'

/**
 * Bench step "draw-pad update": prediction + SmoothGrad map of one digit on a seed model, timed
 * in the engine (the draw pad's live Inside view; target median <= 50 ms on the fallback).
 */
export const explainBenchStep: BenchStep = {
  name: 'draw-pad update (prediction + SmoothGrad map)',
  async run(engine) {
    const r = await engine.request('bench:explainLive', {})
    return {
      drawPadUpdateMedianMs: Math.round(r.medianMs * 10) / 10,
      drawPadUpdateP95Ms: Math.round(r.p95Ms * 10) / 10,
      drawPadSmoothGradSamples: r.samples
    }
  }
}
