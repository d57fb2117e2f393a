/**
 * Keras' BatchNormalization, as tfjs-layers has it, with its training-mode normalization done by
 * TensorFlow's fused op on native (backend/native/fused-batch-norm.ts: a whole `accurate` step's
 * batch norms were most of its time as separate tfjs ops). Everything else is tfjs-layers' own:
 * inference, the fallback backends, the weights, the config. Registered under tfjs-layers' class
 * name, so model.json files (checkpoints, exports) stay plain Keras `BatchNormalization` and
 * loading one here (resume) gives this class.
 */
import * as tf from '@tensorflow/tfjs'
import { fusedBatchNormAvailable, fusedBatchNormTraining } from '../backend/native/fused-batch-norm'

type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>
type Kwargs = Parameters<tf.layers.Layer['call']>[1]

/**
 * tfjs-layers' BatchNormalization class, which it doesn't export by name. The instance is named,
 * so making it takes no number from the automatic layer names (batch_normalization_1, ...).
 */
const StockBatchNormalization = tf.layers.batchNormalization({
  name: 'digit_studio_class_probe'
}).constructor as new (args?: BatchNormArgs) => tf.layers.Layer

/** The stock layer's private fields this subclass reads (tfjs-layers 4.22, normalization.ts). */
interface Internals {
  axis: number
  momentum: number
  epsilon: number
  center: boolean
  scale: boolean
  gamma: tf.LayerVariable
  beta: tf.LayerVariable
  movingMean: tf.LayerVariable
  movingVariance: tf.LayerVariable
}

/** tfjs-layers' moving-average update, op for op (normalization.ts, doMovingAverage). */
function movingAverage(variable: tf.LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const decay = 1 - momentum
    const orig = variable.read()
    variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)))
  })
}

export class BatchNormalization extends StockBatchNormalization {
  static className = 'BatchNormalization'

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0] : inputs
    const self = this as unknown as Internals
    if (kwargs.training !== true || !this.fusable(input, self)) return super.call(inputs, kwargs)
    return tf.tidy(() => {
      const shape = input.shape
      // The fused op takes NHWC; a dense layer's [N,C] is [N,1,1,C].
      const x = (
        shape.length === 2 ? tf.reshape(input, [shape[0], 1, 1, shape[1]]) : input
      ) as tf.Tensor4D
      const gamma = self.gamma.read() as tf.Tensor1D
      const beta = self.beta.read() as tf.Tensor1D
      const { y, mean, variance } = fusedBatchNormTraining(x, gamma, beta, self.epsilon)
      movingAverage(self.movingMean, mean, self.momentum)
      movingAverage(self.movingVariance, variance, self.momentum)
      return shape.length === 2 ? tf.reshape(y, shape) : y
    })
  }

  /** The cases the fused op covers: float NHWC or [N,C], last axis, gamma and beta, 2+ values per channel. */
  private fusable(input: tf.Tensor, self: Internals): boolean {
    const rank = input.rank
    if (!fusedBatchNormAvailable() || input.dtype !== 'float32') return false
    if (rank !== 2 && rank !== 4) return false
    if (self.axis !== -1 && self.axis !== rank - 1) return false
    if (!self.center || !self.scale) return false
    return input.size / input.shape[rank - 1] >= 2
  }
}
// The stock class's static fromConfig is inherited at run time; its type is not (see above).
tf.serialization.registerClass(
  BatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>
)

/** `tf.layers.batchNormalization`, fused on native while training. */
export function batchNormalization(args: BatchNormArgs): BatchNormalization {
  return new BatchNormalization(args)
}
