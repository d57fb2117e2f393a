/**
 * Builds a tf.Sequential from a typed architecture (shared/model-spec): the presets and every
 * user's model go through here, with seeded initializers so a run is reproducible from its seed.
 * Each Conv2D and Dense gets its own Glorot stream, numbered in layer order, exactly as the
 * preset factories always did, so a preset built from its spec starts from the same weights.
 */
import * as tf from '@tensorflow/tfjs'
import { EngineError } from '#shared/errors'
import { analyseLayers, firstProblem, INPUT_SHAPE } from '#shared/model-spec/analyse'
import type { LayerSpec, ModelSpec } from '#shared/model-spec/schema'
import { batchNormalization } from './batch-norm'

interface BuildOptions {
  /** Seeds the weight initializers, so the same seed gives the same starting weights. */
  seed: number
}

type Activation = 'relu' | 'elu' | 'gelu' | 'tanh' | 'sigmoid' | 'linear' | 'softmax'

/** `first` carries the input shape: the first layer declares it, as the preset factories did. */
function toLayer(
  spec: LayerSpec,
  init: () => ReturnType<typeof tf.initializers.glorotUniform>,
  first: { inputShape?: number[] }
): tf.layers.Layer {
  switch (spec.type) {
    case 'Conv2D':
      return tf.layers.conv2d({
        ...first,
        filters: spec.filters,
        kernelSize: spec.kernelSize,
        strides: spec.strides,
        padding: spec.padding,
        activation: spec.activation as Activation,
        useBias: spec.useBias,
        kernelInitializer: init()
      })
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const pooling = {
        ...first,
        poolSize: spec.poolSize,
        strides: spec.strides ?? spec.poolSize,
        padding: spec.padding
      }
      return spec.type === 'MaxPooling2D'
        ? tf.layers.maxPooling2d(pooling)
        : tf.layers.averagePooling2d(pooling)
    }
    case 'BatchNormalization':
      // The engine's batch norm (fused on native, batch-norm.ts), as the presets always used.
      return batchNormalization({
        ...first,
        momentum: spec.momentum,
        epsilon: spec.epsilon
      })
    case 'Dropout':
      return tf.layers.dropout({ ...first, rate: spec.rate })
    case 'Activation':
      return tf.layers.activation({ ...first, activation: spec.activation as Activation })
    case 'Flatten':
      return tf.layers.flatten(first)
    case 'GlobalAveragePooling2D':
      return tf.layers.globalAveragePooling2d(first)
    case 'Dense':
      return tf.layers.dense({
        ...first,
        units: spec.units,
        activation: spec.activation as Activation,
        useBias: spec.useBias,
        kernelInitializer: init()
      })
  }
}

/**
 * Builds the layers of `spec` (uncompiled: training adds its optimizer, optimizer.ts). Throws
 * MODEL_INVALID with the breaking layer's words when the stack is impossible or too large.
 */
export function buildModel(spec: ModelSpec, { seed }: BuildOptions): tf.Sequential {
  const problem = firstProblem(analyseLayers(spec.layers))
  if (problem) throw new EngineError('MODEL_INVALID', `architecture "${spec.name}": ${problem}`)
  let layerIndex = 0
  const init = (): ReturnType<typeof tf.initializers.glorotUniform> =>
    tf.initializers.glorotUniform({ seed: seed * 101 + layerIndex++ })
  const model = tf.sequential({ name: spec.name })
  spec.layers.forEach((layer, i) =>
    model.add(toLayer(layer, init, i === 0 ? { inputShape: INPUT_SHAPE } : {}))
  )
  return model
}
