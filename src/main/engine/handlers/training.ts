import type { TrainingMethods } from '../../../shared/protocol/training'
import { EngineError } from '../../../shared/errors'
import type { HandlerTable } from './types'

// Filled in by the training-engine work (train.ts, predict.ts, models.ts).
const notYet = (): never => {
  throw new EngineError('NOT_IMPLEMENTED', 'training is not implemented yet')
}

export const trainingHandlers: HandlerTable<TrainingMethods> = {
  'training:start': notYet,
  'training:stop': notYet,
  'training:pause': notYet,
  'training:resume': notYet,
  'dataset:describe': notYet,
  'model:summary': notYet,
  'predictions:page': notYet
}
