import type { ModelMethods } from '#shared/protocol/models'
import { acquireEngine } from '../busy-lock'
import { exportModel } from '../export'
import { dropDeletedRunModel } from '../store/deleted-run-model'
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
  'runs:delete': async (params, ctx) => {
    const result = await deleteRun(params.id)
    // The deleted run may have been the current model's: hosts hear which model took its place
    // (the newest remaining run's, else the starter model).
    if (result.deleted && (await dropDeletedRunModel(params.id))) {
      ctx.emit({ type: 'model:changed', model: await currentModelInfo() })
    }
    return result
  }
}
