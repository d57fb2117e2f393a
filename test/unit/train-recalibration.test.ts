/**
 * An augmented run's saved model carries batch-norm statistics recomputed on plain digits (issue
 * 11, engine/training/recalibrate-batch-norm.ts): its moving means and variances differ from the
 * last checkpoint's (gathered on augmented batches) while every trained weight is the same; a run
 * without augmentation saves exactly its last checkpoint's weights. Real engine, real training.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileLoader } from '#engine/store/model-io'
import type { EngineClient } from '#host/engine-client'
import { startEngine, trainToDone } from '../helpers/engine'

let home: string
let engine: EngineClient

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-recalibration-'))
  engine = await startEngine({ DIGIT_STUDIO_HOME: home })
})
afterAll(async () => {
  await engine?.dispose()
  await rm(home, { recursive: true, force: true })
})

/** A saved model folder's weights by name, read with the engine's own loader. */
async function weightsOf(dir: string): Promise<Map<string, Float32Array>> {
  const artifacts = await fileLoader(dir).load!()
  // A checkpoint's optimizer state (group "optimizer") comes after the model's weights.
  const tensors = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!)
  const out = new Map<string, Float32Array>()
  for (const spec of artifacts.weightSpecs!) {
    if (spec.group !== 'optimizer')
      out.set(spec.name, tensors[spec.name]!.dataSync() as Float32Array)
  }
  tf.dispose(Object.values(tensors))
  return out
}

const isMovingStatistic = (name: string) => /moving_(mean|variance)/.test(name)
const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => v === b[i])

async function finalAndCheckpoint(augment: boolean) {
  const { done } = await trainToDone(engine, {
    preset: 'accurate',
    epochs: 1,
    batchSize: 64,
    augment,
    trainLimit: 256,
    testLimit: 100,
    validationSplit: 0
  })
  const run = done.runDir!
  const final = await weightsOf(join(run, 'model'))
  const checkpoint = await weightsOf(join(run, 'checkpoint'))
  return { final, checkpoint }
}

describe('batch-norm statistics at the end of a run', () => {
  it('an augmented run recomputes them on plain digits and changes nothing else', async () => {
    const { final, checkpoint } = await finalAndCheckpoint(true)
    const names = [...final.keys()]
    expect(names.filter(isMovingStatistic)).toHaveLength(10) // 5 batch norms x mean, variance
    for (const name of names) {
      const changed = !same(final.get(name)!, checkpoint.get(name)!)
      expect({ name, changed }).toEqual({ name, changed: isMovingStatistic(name) })
    }
  }, 180_000)

  it('a run without augmentation saves its last checkpoint weights unchanged', async () => {
    const { final, checkpoint } = await finalAndCheckpoint(false)
    for (const [name, values] of final)
      expect({ name, same: same(values, checkpoint.get(name)!) }).toEqual({ name, same: true })
  }, 180_000)
})
