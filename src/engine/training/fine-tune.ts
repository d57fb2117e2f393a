/**
 * A run with added images (a fine-tune from a model, or a fresh run on MNIST plus a labelled
 * folder): reads the folder, mixes its trained part into every batch, and measures the starting
 * model on the held-out part and on the test set, so the run can report before and after side
 * by side.
 */
import type * as tf from '@tensorflow/tfjs'
import type { SkippedImage } from '#shared/protocol/training'
import type { DoneEvent } from '#shared/protocol/training-events'
import {
  mixedEpochOrder,
  readAddedImages,
  withAddedImages,
  type AddedImages
} from '../data/added-images'
import type { PreparedData, PreparedSplit } from '../data/preprocess-data'
import { evaluateProbabilities, predictSplit } from './predict'

export interface AddedRun {
  data: PreparedData
  epochOrder: (epoch: number) => Uint32Array
  added: AddedImages
  skipped: SkippedImage[]
  heldOutAccuracyBefore: number
  /** Null for a fresh model (its "before" is chance and says nothing). */
  testAccuracyBefore: number | null
}

/** Accuracy of `model` on every image of `split`. */
export async function accuracyOn(model: tf.LayersModel, split: PreparedSplit): Promise<number> {
  const probs = await predictSplit(model, split)
  return probs ? evaluateProbabilities(probs, split.labels).accuracy : Number.NaN
}

/** Sets up the added images of a run: the mixed data, its epoch order, the "before" figures. */
export async function prepareAddedRun(
  dir: string,
  opts: { seed: number; batchSize: number; fromModel: boolean },
  model: tf.LayersModel,
  base: PreparedData
): Promise<AddedRun> {
  const added = await readAddedImages(dir, opts.seed)
  const data = withAddedImages(base, added)
  return {
    data,
    epochOrder: (epoch) =>
      mixedEpochOrder(base.train.count, added.train.count, opts.batchSize, opts.seed, epoch),
    added,
    skipped: added.skipped,
    heldOutAccuracyBefore: await accuracyOn(model, added.heldOut),
    testAccuracyBefore: opts.fromModel ? await accuracyOn(model, base.test) : null
  }
}

/** The `training:done` fields of a run with added images, once the trained model is known. */
export async function addedRunReport(
  run: AddedRun,
  model: tf.LayersModel,
  fromModel: string | undefined
): Promise<Partial<DoneEvent>> {
  return {
    addedImages: run.added.train.count + run.added.heldOut.count,
    skippedImages: run.skipped.length,
    heldOutCount: run.added.heldOut.count,
    heldOutAccuracyBefore: run.heldOutAccuracyBefore,
    heldOutAccuracyAfter: await accuracyOn(model, run.added.heldOut),
    ...(run.testAccuracyBefore !== null ? { testAccuracyBefore: run.testAccuracyBefore } : {}),
    ...(fromModel ? { fromModel } : {})
  }
}
