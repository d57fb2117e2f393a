/**
 * Dropout masks drawn from the run's seed, so a run with dropout (the `accurate` preset, most
 * user designs) is as repeatable as one without: the same seed gives the same model, and a
 * configuration can be compared with another on equal terms instead of across the luck of the
 * masks (issue 11). tfjs's Dropout layer draws its mask from `tf.randomUniform` with the layer's
 * `seed`, a fixed number that would repeat one mask at every step; so before each step (and each
 * chunk of a step on the two-thread trainer) the loop gives every Dropout layer a fresh seed
 * derived from the step's. `tf.randomUniform` fills its values in JavaScript on every backend, so
 * the masks are the same on native and wasm.
 */
import type * as tf from '@tensorflow/tfjs'
import { deriveSeed } from '../random'

/** The field tfjs-layers' Dropout reads in `call` (`K.dropout(input, rate, noiseShape, this.seed)`). */
type SeedableLayer = tf.layers.Layer & { seed?: number }

/** Gives each Dropout layer of `model` its own seed for the next forward pass, derived from `seed`. */
export function seedDropoutMasks(model: tf.LayersModel, seed: number): void {
  model.layers.forEach((layer, index) => {
    if (layer.getClassName() === 'Dropout') (layer as SeedableLayer).seed = deriveSeed(seed, index)
  })
}

/** The step seed of batch `batch` in `epoch`: a stream of its own, apart from augmentation's. */
export function dropoutSeed(runSeed: number, epoch: number, batch: number): number {
  const DROPOUT_STREAM = 0xd0
  return deriveSeed(runSeed, epoch, batch, DROPOUT_STREAM)
}
