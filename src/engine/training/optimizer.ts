/**
 * The training session's optimizer, and the only code that makes or changes one (tfjs-examples
 * mnist-node: the model factory builds, training owns the optimizer). Adam adapts the step per
 * weight, so one learning rate (1e-3, Keras' default) works for every preset; on the wasm fallback
 * it is the fused Adam (backend/kernels/fused-adam.ts), which checkpoints reload into as well.
 */
import * as tf from '@tensorflow/tfjs'
import { createAdam, FusedAdamOptimizer } from '../backend/kernels/fused-adam'

/** The loss for one-hot labels and a softmax output (Keras' name, so the model.json round-trips). */
export const LOSS = 'categoricalCrossentropy'

/**
 * Gives `model` the optimizer training uses: a fresh Adam at `learningRate` for a new model (or a
 * saved one without optimizer state); a checkpoint keeps the Adam it was saved with, moments and all.
 */
export function prepareForTraining(model: tf.LayersModel, learningRate: number): void {
  if (!model.optimizer) {
    model.compile({ optimizer: createAdam(learningRate), loss: LOSS, metrics: ['accuracy'] })
    return
  }
  restoreAdamBiasCorrection(model.optimizer)
}

/**
 * Gives a model that starts a fine-tune a fresh Adam at `learningRate`, whatever optimizer state
 * its folder carried: a fine-tune is a new run, and stale moments from another run would push the
 * first steps in that run's direction.
 */
export function prepareForFineTune(model: tf.LayersModel, learningRate: number): void {
  model.compile({ optimizer: createAdam(learningRate), loss: LOSS, metrics: ['accuracy'] })
}

/** Sets the rate the next updates use (once per epoch, for the per-epoch decay). */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // Not `instanceof`: tfjs's Optimizer answers it for any object with an optimizer's methods.
  const settable = optimizer as Partial<Pick<FusedAdamOptimizer, 'setLearningRate'>>
  if (typeof settable.setLearningRate === 'function') {
    settable.setLearningRate(learningRate)
    return
  }
  // A checkpoint saved by another tool with another optimizer (RMSprop, Adagrad…): tfjs's
  // optimizers read `learningRate` on every update, so setting the field is what they support.
  const other = optimizer as unknown as { learningRate?: number }
  if (typeof other.learningRate === 'number') other.learningRate = learningRate
}

/**
 * tfjs restores Adam's bias-correction terms as `pow(beta, t + 1)`, while training builds them by
 * multiplying by beta once per step; the two differ in the last float32 bit, enough for a resumed
 * run to drift from an uninterrupted one. Recompute them the way training does (float32 products),
 * so "train 2 + resume 1" equals "train 3" weight for weight (RELIABILITY D5).
 */
function restoreAdamBiasCorrection(optimizer: tf.Optimizer): void {
  if (optimizer.getClassName() !== 'Adam') return
  const adam = optimizer as unknown as {
    beta1: number
    beta2: number
    iterations: number
    accBeta1: tf.Variable
    accBeta2: tf.Variable
  }
  const product = (beta: number): number => {
    const b = Math.fround(beta)
    let acc = b
    for (let i = 0; i < adam.iterations; i++) acc = Math.fround(acc * b)
    return acc
  }
  tf.tidy(() => {
    adam.accBeta1.assign(tf.scalar(product(adam.beta1)))
    adam.accBeta2.assign(tf.scalar(product(adam.beta2)))
  })
}
