/**
 * The three presets as architectures (issue 14: every preset is expressible). The engine builds
 * them through the same path as a user's spec (engine/training/model-spec-build.ts), with the
 * same layers, order and seeded initializers as before, so old checkpoints and seeds still match.
 * Why each preset looks as it does is told in engine/training/models.ts.
 */
import type { PresetName } from '../protocol/training'
import type { LayerSpec, ModelSpec } from './schema'

const conv = (filters: number, extra: Partial<LayerSpec> = {}): LayerSpec =>
  ({
    type: 'Conv2D',
    filters,
    kernelSize: 3,
    strides: 1,
    padding: 'valid',
    activation: 'relu',
    useBias: true,
    ...extra
  }) as LayerSpec
const maxPool: LayerSpec = { type: 'MaxPooling2D', poolSize: 2, padding: 'valid' }
const flatten: LayerSpec = { type: 'Flatten' }
const softmax10: LayerSpec = { type: 'Dense', units: 10, activation: 'softmax', useBias: true }
/** Batch-norm momentum 0.9 (Keras: 0.99) so a short run's inference statistics settle. */
const bn: LayerSpec = { type: 'BatchNormalization', momentum: 0.9, epsilon: 0.001 }
const relu: LayerSpec = { type: 'Activation', activation: 'relu' }

/** A conv without bias (the batch norm after it has its own offset), batch norm, then relu. */
const convBnRelu = (filters: number): LayerSpec[] => [
  conv(filters, { padding: 'same', activation: 'linear', useBias: false }),
  bn,
  relu
]
const accurateBlock = (filters: number): LayerSpec[] => [
  ...convBnRelu(filters),
  ...convBnRelu(filters),
  maxPool,
  { type: 'Dropout', rate: 0.25 }
]

export const PRESET_SPECS: Record<PresetName, ModelSpec> = {
  seed: {
    name: 'seed',
    layers: [
      conv(32),
      maxPool,
      conv(64),
      maxPool,
      flatten,
      { type: 'Dense', units: 128, activation: 'relu', useBias: true },
      softmax10
    ]
  },
  fast: { name: 'fast', layers: [conv(8), maxPool, conv(16), maxPool, flatten, softmax10] },
  accurate: {
    name: 'accurate',
    layers: [
      ...accurateBlock(32),
      ...accurateBlock(64),
      flatten,
      { type: 'Dense', units: 256, activation: 'linear', useBias: false },
      bn,
      relu,
      { type: 'Dropout', rate: 0.5 },
      softmax10
    ]
  }
}
