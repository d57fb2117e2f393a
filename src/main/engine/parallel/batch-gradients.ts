import * as tf from '@tensorflow/tfjs'

/** Loss, accuracy and gradients of one (part of a) batch, before any weight update. */
export interface BatchGradients {
  /** Mean categorical cross-entropy over the samples. */
  loss: number
  /** Fraction of samples whose arg-max matches the label. */
  accuracy: number
  /** One gradient per trainable weight, in `model.trainableWeights` order; the caller disposes. */
  grads: tf.Tensor[]
}

/**
 * Forward in training mode, mean categorical cross-entropy and its gradients with respect to the
 * model's trainable weights: the same computation as train-step.ts, minus the optimizer update, so
 * gradients from several parts of a batch can be averaged and applied once.
 */
export function batchGradients(
  model: tf.LayersModel,
  xs: tf.Tensor4D,
  ys: tf.Tensor2D
): BatchGradients {
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable)
  let accuracy!: tf.Scalar
  const { value, grads } = tf.variableGrads(() => {
    const probs = model.apply(xs, { training: true }) as tf.Tensor2D
    accuracy = tf.keep(
      tf.mean(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(ys, -1)), 'float32'))
    )
    return tf.mean(tf.metrics.categoricalCrossentropy(ys, probs)) as tf.Scalar
  }, varList)
  const loss = value.dataSync()[0]
  const acc = accuracy.dataSync()[0]
  tf.dispose([value, accuracy])
  return { loss, accuracy: acc, grads: varList.map((v) => grads[v.name]) }
}
