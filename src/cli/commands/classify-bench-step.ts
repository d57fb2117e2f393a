import { rm } from 'node:fs/promises'
import { measureClassifyLatency } from '#host/classify-bench'
import type { BenchStep } from './bench-step'

/**
 * Bench step "drop -> answer": a single-digit scan sent as bytes to a warm engine and read back.
 * The engine prepares the scan and an untrained seed model in a temp folder (latency does not
 * depend on the weights, so the bench never needs a training run first); this step removes it.
 */
export const classifyBenchStep: BenchStep = {
  name: 'classify a single-digit scan (drop -> answer)',
  async run(engine) {
    const fixture = await engine.request('bench:classifyScan', {})
    try {
      const r = await measureClassifyLatency((p) => engine.request('classify:images', p), fixture)
      return {
        classifyMedianMs: Math.round(r.medianMs * 10) / 10,
        classifyP95Ms: Math.round(r.p95Ms * 10) / 10,
        classifyEngineMs: Math.round(r.engineMedianMs * 10) / 10
      }
    } finally {
      await rm(fixture.tempDir, { recursive: true, force: true })
    }
  }
}
