import type { ExplainMethods } from '#shared/protocol/explain'
import { resolveModel } from '../classify/classify'
import { explainDigit, unitPixels } from '../explain/explain-digit'
import { explainImage } from '../explain/explain-image'
import { listInsideSnapshots, readInsideSnapshot } from '../explain/inside-snapshots'
import type { HandlerTable } from './types'

/** Inside view and `explain` (issue "See inside the network"). */
export const explainHandlers: HandlerTable<ExplainMethods> = {
  'explain:digit': async ({ pixels, modelDir, ...options }) => {
    const { model } = await resolveModel(modelDir)
    return explainDigit(model, unitPixels(pixels), options)
  },
  'explain:image': (params) => explainImage(params),
  'inside:list': ({ runId }) => listInsideSnapshots(runId),
  'inside:read': ({ runId, epoch }) => readInsideSnapshot(runId, epoch)
}
