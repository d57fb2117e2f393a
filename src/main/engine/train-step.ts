/**
 * One optimisation step of the custom training loop: forward in training mode (so dropout and
 * batch norm behave as in `model.fit`), categorical cross-entropy, gradients, Adam update. Kept
 * apart from the loop so bench measures exactly the step training uses.
 */
import * as tf from '@tensorflow/tfjs'

export type StepResult = {
  loss: tf.Scalar
  accuracy: tf.Scalar
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
        const probs = model.apply(xs, { training: true }) as tf.Tensor2D
        // Accuracy from the same forward pass; kept, or the gradient scope would free it.
        accuracy = tf.keep(
          tf.mean(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(ys, -1)), 'float32'))
        )
        // Cross-entropy on the true class's probability, not clipped at 1e-7 as Keras does: the
        // clip caps a diverged run's loss at ~16 and hides it, while here a probability that
        // underflows to 0 makes the loss infinite and the run stops with NAN_LOSS (RELIABILITY D1).
        // For any probability above 1e-7 the value and gradient equal Keras'.
        return tf.neg(tf.mean(tf.log(tf.sum(tf.mul(ys, probs), -1)))) as tf.Scalar
      },
      true,
      varList
    )
    return { loss: loss as tf.Scalar, accuracy }
  })
}
