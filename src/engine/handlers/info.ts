import * as tf from '@tensorflow/tfjs'
import type { InfoMethods } from '#shared/protocol/info'
import { describeDataset } from '../data/datasets'
import { currentModelInUse } from '../store/model-store'
import { appVersion } from '../store/paths'
import type { HandlerTable } from './types'

export const infoHandlers: HandlerTable<InfoMethods> = {
  'engine:info': async (_params, ctx) => {
    const [dataset, model] = await Promise.all([
      describeDataset({ kind: 'embedded' }),
      // A broken model folder must not take the status line down with it: classify says what's wrong.
      currentModelInUse().catch(() => null)
    ])
    return {
      appVersion: appVersion(),
      nodeVersion: process.versions.node,
      tfjsVersion: tf.version.tfjs,
      backend: ctx.backend.kind,
      backendName: ctx.backend.name,
      backendReason: ctx.backend.reason,
      ...(ctx.backend.tensorflowVersion
        ? { tensorflowVersion: ctx.backend.tensorflowVersion }
        : {}),
      ...(ctx.backend.nativeHelp ? { nativeHelp: ctx.backend.nativeHelp } : {}),
      dataset: {
        name: dataset.name,
        source: dataset.source,
        embedded: dataset.embedded,
        train: dataset.train,
        test: dataset.test
      },
      model
    }
  }
}
