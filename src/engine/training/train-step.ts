/**
 * One optimisation step of the custom training loop: forward in training mode (so dropout and
 * batch norm behave as in `model.fit`), cross-entropy, gradients, Adam update. Kept apart from the
 * loop so bench measures exactly the step training uses, and so another way of computing the same
 * step (e.g. data-parallel on two cores) can be plugged into the loop as a `Stepper`.
 */
import * as tf from '@tensorflow/tfjs'
import { seedDropoutMasks } from './seeded-dropout'

type StepResult = {
  loss: tf.Scalar
  accuracy: tf.Scalar
}

/**
 * The training loss and accuracy of one batch; call inside a gradient scope (`minimize`,
 * `variableGrads`). Anyone computing gradients for the training loop must use this, so every
 * path optimises the same loss.
 */
export function lossAndAccuracy(
  model: tf.LayersModel,
  xs: tf.Tensor4D,
  ys: tf.Tensor2D
): { loss: tf.Scalar; accuracy: tf.Scalar } {
  const probs = model.apply(xs, { training: true }) as tf.Tensor2D
  const accuracy = tf.mean(
    tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(ys, -1)), 'float32')
  ) as tf.Scalar
  // Cross-entropy on the true class's probability, not clipped at 1e-7 as Keras does: the clip
  // caps a diverged run's loss at ~16 and hides it, while here a probability that underflows to 0
  // makes the loss infinite and the run stops with NAN_LOSS (RELIABILITY D1). For any
  // probability above 1e-7 the value and the gradient equal Keras'.
  const loss = tf.neg(tf.mean(tf.log(tf.sum(tf.mul(ys, probs), -1)))) as tf.Scalar
  return { loss, accuracy }
}

/**
 * Trains `model` on one batch and returns its loss and accuracy as scalars (the caller reads and
 * disposes them). Every other tensor of the step is freed inside `tf.tidy`.
 */
export function trainStep(model: tf.LayersModel, xs: tf.Tensor4D, ys: tf.Tensor2D): StepResult {
  const optimizer = model.optimizer
  // Only this model's weights: `minimize` without a list would take every trainable variable in
  // the engine, including a previous model's kept for classify.
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable)
  return tf.tidy(() => {
    let accuracy!: tf.Scalar
    const loss = optimizer.minimize(
      () => {
        const out = lossAndAccuracy(model, xs, ys)
        // Kept, or the gradient scope would free it with the other intermediates.
        accuracy = tf.keep(out.accuracy)
        return out.loss
      },
      true,
      varList
    )
    return { loss: loss as tf.Scalar, accuracy }
  })
}

/** What the training loop calls for each batch: update the model, report loss and accuracy. */
export interface Stepper {
  /**
   * `dropoutSeed` seeds the step's dropout masks (seeded-dropout.ts): training passes one per
   * batch so runs repeat; without it (bench, kernel checks) the masks are unseeded.
   */
  step(
    xs: tf.Tensor4D,
    ys: tf.Tensor2D,
    dropoutSeed?: number
  ): Promise<{ loss: number; accuracy: number }>
  /** Frees what the stepper holds (worker threads, buffers); the model is not disposed. */
  dispose(): Promise<void>
}

/** The default stepper: `trainStep` on this thread. */
export function localStepper(model: tf.LayersModel): Stepper {
  return {
    step: async (xs, ys, dropoutSeed) => {
      if (dropoutSeed !== undefined) seedDropoutMasks(model, dropoutSeed)
      const r = trainStep(model, xs, ys)
      const [loss] = await r.loss.data()
      const [accuracy] = await r.accuracy.data()
      tf.dispose([r.loss, r.accuracy])
      return { loss, accuracy }
    },
    dispose: async () => undefined
  }
}
