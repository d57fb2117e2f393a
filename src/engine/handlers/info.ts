import * as tf from '@tensorflow/tfjs'
import type { InfoMethods } from '#shared/protocol/info'
import { describeDataset } from '../data/datasets'
import { appVersion } from '../store/paths'
import type { HandlerTable } from './types'

export const infoHandlers: HandlerTable<InfoMethods> = {
  'engine:info': async (_params, ctx) => {
    const dataset = await describeDataset({ kind: 'embedded' })
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
      }
    }
  }
}
