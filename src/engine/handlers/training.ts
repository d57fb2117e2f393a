import type { TrainingMethods } from '#shared/protocol/training'
import { NUM_CLASSES, IMAGE_PIXELS } from '#shared/mnist'
import { describeDataset } from '../data/datasets'
import { loadDatasetCached } from '../data/dataset-cache'
import { createModel, summarizeModel } from '../training/models'
import { galleryPage } from '../store/source-predictions'
import { activeRun, startTraining } from '../training/training-session'
import type { HandlerTable } from './types'

/** Thin: each method hands over to the training session, the dataset cache or the prediction store. */
export const trainingHandlers: HandlerTable<TrainingMethods> = {
  'training:start': (config, ctx) => startTraining(config, ctx.backend, ctx.emit),
  'training:stop': () => ({ stopped: activeRun()?.stop() ?? false }),
  'training:pause': () => ({ paused: activeRun()?.pause() ?? false }),
  'training:resume': () => ({ resumed: activeRun()?.resume() ?? false }),
  'dataset:describe': async ({ source, samplesPerClass }) => {
    const info = await describeDataset(source)
    if (!samplesPerClass) return info
    // The first images of each class in the training set, as raw bytes for the dataset strip.
    const { train } = await loadDatasetCached(source)
    const samples: Uint8Array[][] = Array.from({ length: NUM_CLASSES }, () => [])
    for (let i = 0, filled = 0; i < train.count && filled < NUM_CLASSES; i++) {
      const bucket = samples[train.labels[i]]
      if (bucket.length >= samplesPerClass) continue
      bucket.push(train.images.slice(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS))
      if (bucket.length === samplesPerClass) filled++
    }
    return { ...info, samples }
  },
  'model:summary': ({ preset }) => {
    const model = createModel(preset, { seed: 0 })
    try {
      return summarizeModel(model, preset)
    } finally {
      model.dispose()
    }
  },
  'predictions:page': (params) => galleryPage(params)
}
