import type { BenchMethods } from '#shared/protocol/bench'
import { runBench } from '../bench/bench'
import { prepareClassifyScan } from '../bench/classify-scan'
import { benchExplainLive } from '../bench/explain-live'
import { acquireEngine } from '../busy-lock'
import type { HandlerTable } from './types'

export const benchHandlers: HandlerTable<BenchMethods> = {
  'bench:run': async (params, ctx) => {
    const release = acquireEngine('a benchmark')
    try {
      return await runBench(
        {
          preset: params.preset ?? 'seed',
          batches: params.batches,
          warmupBatches: params.warmupBatches ?? 3,
          batchSize: params.batchSize ?? 128,
          inferBatches: params.inferBatches ?? 10
        },
        ctx.backend
      )
    } finally {
      release()
    }
  },
  'bench:classifyScan': () => prepareClassifyScan(),
  'bench:explainLive': (params) => benchExplainLive(params.repeats ?? 30, params.samples)
}
