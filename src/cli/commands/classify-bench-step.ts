import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EngineClient } from '../../main/engine-client'
import { measureClassifyLatency } from '../../main/engine/classify-bench'
import type { BackendFigures, BenchOptions } from './bench'

/**
 * Bench step "drop -> answer": a single-digit scan sent as bytes to a warm engine and read back.
 * Latency does not depend on the weights, so an untrained seed model saved to a temp folder stands
 * in when no model was trained yet; the bench then never needs a training run first.
 */
export const classifyBenchStep = {
  name: 'classify a single-digit scan (drop -> answer)',
  async run(engine: EngineClient, _options: BenchOptions): Promise<BackendFigures> {
    const dir = await mkdtemp(join(tmpdir(), 'digit-studio-bench-model-'))
    try {
      // Loaded lazily: tfjs in the CLI process is only needed for this step.
      const tf = await import('@tensorflow/tfjs')
      // The pure-JS backend in this process only builds the weights; its "install tfjs-node"
      // banner would be noise in the bench output.
      tf.env().set('PROD', true)
      const { createModel } = await import('../../main/engine/models')
      const { saveModelToDir } = await import('../../main/engine/model-store')
      const model = createModel('seed', { learningRate: 1e-3, seed: 1 })
      await saveModelToDir(model, join(dir, 'model'), { preset: 'seed' } as never)
      model.dispose()
      const r = await measureClassifyLatency((p) => engine.request('classify:images', p), {
        modelDir: join(dir, 'model')
      })
      return {
        classifyMedianMs: Math.round(r.medianMs * 10) / 10,
        classifyP95Ms: Math.round(r.p95Ms * 10) / 10,
        classifyEngineMs: Math.round(r.engineMedianMs * 10) / 10
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}
