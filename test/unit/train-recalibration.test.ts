/**
 * An augmented run's saved model carries batch-norm statistics recomputed on plain digits (issue
 * 11, engine/training/recalibrate-batch-norm.ts): its moving means and variances differ from the
 * last checkpoint's (gathered on augmented batches) while every trained weight is the same; a run
 * without augmentation saves exactly its last checkpoint's weights. Real engine, real training.
 */
import { readFile, rm, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

/** A saved model folder's weights by name (model.json's manifest over weights.bin, float32). */
async function weightsOf(dir: string): Promise<Map<string, Float32Array>> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
    weightsManifest: { weights: { name: string; shape: number[]; dtype: string }[] }[]
  }
  const bin = await readFile(join(dir, 'weights.bin'))
  const all = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4)
  const out = new Map<string, Float32Array>()
  let at = 0
  for (const w of json.weightsManifest.flatMap((g) => g.weights)) {
    const size = w.shape.reduce((a, b) => a * b, 1)
    // Only the model's weights: a checkpoint's optimizer state follows them in its own group.
    if (w.dtype === 'float32') out.set(w.name, all.slice(at, at + size))
    at += size
  }
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
