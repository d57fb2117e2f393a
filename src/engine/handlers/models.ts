import type { ModelMethods } from '#shared/protocol/models'
import { acquireEngine } from '../busy-lock'
import { exportModel } from '../export'
import { currentModelInfo, importModel } from '../store/import-model'
import { deleteRun, getRun, listRuns } from '../store/runs'
import type { HandlerTable } from './types'

/** Export, import and run history (issue "Export, import and ship"). */
export const modelHandlers: HandlerTable<ModelMethods> = {
  'model:export': (params) => exportModel(params),
  'model:import': async (params, ctx) => {
    // Swapping the model under a run would dispose the weights it trains, and the import's pass
    // over the test set is heavy work of its own: one job at a time.
    const release = acquireEngine('a model import')
    try {
      const model = await importModel(params.path)
      ctx.emit({ type: 'model:changed', model })
      return model
    } finally {
      release()
    }
  },
  'model:current': () => currentModelInfo(),
  'runs:list': () => listRuns(),
  'runs:get': (params) => getRun(params.id),
  'runs:delete': (params) => deleteRun(params.id)
}
