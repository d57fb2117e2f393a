import * as tf from '@tensorflow/tfjs'
import { lossAndAccuracy } from '../train-step'

/** Loss, accuracy and gradients of one (part of a) batch, before any weight update. */
interface BatchGradients {
  /** Mean categorical cross-entropy over the samples (unclipped, as `lossAndAccuracy`). */
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
    // The loop's own loss (unclipped cross-entropy), so both paths optimise the same function and
    // a diverging run still produces NaN/Infinity and stops with NAN_LOSS.
    const out = lossAndAccuracy(model, xs, ys)
    accuracy = tf.keep(out.accuracy)
    return out.loss
  }, varList)
  const loss = value.dataSync()[0]
  const acc = accuracy.dataSync()[0]
  tf.dispose([value, accuracy])
  return { loss, accuracy: acc, grads: varList.map((v) => grads[v.name]) }
}
