/**
 * Throughput of this engine's backend on a preset (seed or accurate): training samples/s over a fixed number
 * of batches after a warm-up, with the stepper training uses (two threads where the data-parallel
 * trainer applies) and on one thread for comparison, then inference samples/s over test images.
 * Real MNIST images, so the figures match what a run sees.
 */
import * as tf from '@tensorflow/tfjs'
import { IMAGE_PIXELS } from '#shared/mnist'
import type { BenchPreset, BenchResult } from '#shared/protocol/bench'
import type { BackendChoice } from '../backend/selection'
import { loadDatasetCached } from '../data/dataset-cache'
import { createModel } from '../training/models'
import { prepareForTraining } from '../training/optimizer'
import { predictSplit, PREDICT_BATCH_SIZE } from '../training/predict'
import { peakRssBytes } from '../process-stats'
import { BatchBuffers, batchTensors, type PreparedSplit } from '../data/preprocess-data'
import { createStepper } from '../training/parallel/stepper'
import { localStepper, type Stepper } from '../training/train-step'

export interface BenchOptions {
  preset: BenchPreset
  batches: number
  warmupBatches: number
  batchSize: number
  inferBatches: number
}

/** Runs the training and inference measurements; the model is disposed afterwards. */
export async function runBench(
  options: BenchOptions,
  backend: BackendChoice
): Promise<BenchResult> {
  const { train, test } = await loadDatasetCached({ kind: 'embedded' })
  const trainCount = Math.min(
    train.count,
    options.batchSize * Math.min(options.batches + options.warmupBatches, 50)
  )
  const trainSplit: PreparedSplit = {
    pixels: train.images.subarray(0, trainCount * IMAGE_PIXELS),
    labels: train.labels.subarray(0, trainCount),
    count: trainCount
  }
  const order = Uint32Array.from({ length: trainCount }, (_, i) => i)
  const buffers = new BatchBuffers(options.batchSize)
  // The preset's architecture with Adam at Keras' default rate; augmentation is not part of the
  // step (it is measured by training with and without --no-augment).
  const model = createModel(options.preset, { seed: 1 })
  prepareForTraining(model, 1e-3)
  try {
    /** Samples/s of `stepper` over the timed batches, after the warm-up. */
    const measure = async (stepper: Stepper): Promise<number> => {
      const step = async (b: number): Promise<void> => {
        const start = (b * options.batchSize) % (trainCount - options.batchSize + 1)
        const { xs, ys } = batchTensors(trainSplit, order, start, options.batchSize, buffers)
        try {
          await stepper.step(xs, ys)
        } finally {
          tf.dispose([xs, ys])
        }
      }
      for (let b = 0; b < options.warmupBatches; b++) await step(b)
      const t0 = performance.now()
      for (let b = 0; b < options.batches; b++) await step(b)
      return (options.batches * options.batchSize) / ((performance.now() - t0) / 1000)
    }
    const oneThread = await measure(localStepper(model))
    // What training uses (the same choice, DIGIT_STUDIO_THREADS included); one thread is measured
    // once only.
    const { stepper, threads } = await createStepper(model)
    let trained = oneThread
    if (threads > 1) {
      try {
        trained = await measure(stepper)
      } finally {
        await stepper.dispose()
      }
    }

    const inferCount = Math.min(test.count, PREDICT_BATCH_SIZE * options.inferBatches)
    const testSplit: PreparedSplit = {
      pixels: test.images.subarray(0, inferCount * IMAGE_PIXELS),
      labels: test.labels.subarray(0, inferCount),
      count: inferCount
    }
    await predictSplit(model, { ...testSplit, count: Math.min(inferCount, PREDICT_BATCH_SIZE) }) // warm-up
    const t1 = performance.now()
    await predictSplit(model, testSplit)
    const inferSeconds = (performance.now() - t1) / 1000
    return {
      backend: backend.kind,
      backendReason: backend.reason,
      preset: options.preset,
      batchSize: options.batchSize,
      trainBatches: options.batches,
      trainSamplesPerSecond: trained,
      trainThreads: threads,
      trainSamplesPerSecondOneThread: oneThread,
      inferBatchSize: PREDICT_BATCH_SIZE,
      inferSamplesPerSecond: inferCount / inferSeconds,
      peakRssBytes: peakRssBytes()
    }
  } finally {
    model.dispose()
  }
}
