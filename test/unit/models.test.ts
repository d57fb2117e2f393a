import * as tf from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineError } from '../../src/shared/errors'
import type { ModelMetadata } from '../../src/shared/protocol/training'
import { affineRows, augmentBatch } from '../../src/main/engine/augment'
import { sweepTempFiles, writeDirAtomic, writeFileAtomic } from '../../src/main/engine/atomic-write'
import { selectBackend } from '../../src/main/engine/backend'
import { fileSaver } from '../../src/main/engine/model-io'
import { loadModelFromDir, saveModelToDir } from '../../src/main/engine/model-store'
import {
  createAccurateModel,
  createFastModel,
  createSeedModel,
  summarizeModel
} from '../../src/main/engine/models'
import { evaluateProbabilities } from '../../src/main/engine/predict'
import { predictionsPage, type PredictionSet } from '../../src/main/engine/predictions-store'
import { trainStep } from '../../src/main/engine/train-step'

let dir: string
beforeAll(async () => {
  // The engine's own fallback (wasm + project gradient kernels), in this process.
  await selectBackend('wasm')
  dir = await mkdtemp(join(tmpdir(), 'ds-models-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const META: ModelMetadata = {
  preset: 'seed',
  runId: 'test-run',
  epochsCompleted: 2,
  hyperparameters: {
    epochs: 2,
    batchSize: 32,
    learningRate: 1e-3,
    validationSplit: 0.1,
    seed: 1,
    augment: false
  },
  dataset: { name: 'MNIST', source: 'embedded', train: 100, test: 10 },
  testAccuracy: 0.5,
  testLoss: 1.2,
  backend: 'wasm',
  appVersion: '0.0.0',
  date: '2026-01-01T00:00:00.000Z'
}

describe('model presets', () => {
  it('seed is the classic Keras MNIST CNN (225,034 parameters)', () => {
    const model = createSeedModel({ learningRate: 1e-3, seed: 1 })
    const s = summarizeModel(model, 'seed')
    expect(s.layers.map((l) => l.className)).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
      'Dense'
    ])
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [null, 26, 26, 32],
      [null, 13, 13, 32],
      [null, 11, 11, 64],
      [null, 5, 5, 64],
      [null, 1600],
      [null, 128],
      [null, 10]
    ])
    expect(s.layers.map((l) => l.params)).toEqual([320, 0, 18496, 0, 0, 204928, 1290])
    expect([s.totalParams, s.trainableParams]).toEqual([225034, 225034])
    model.dispose()
  })

  it('fast is smaller, accurate has batch norm and dropout; all map [N,28,28,1] to 10 probabilities', () => {
    const fast = createFastModel({ learningRate: 1e-3, seed: 1 })
    const accurate = createAccurateModel({ learningRate: 1e-3, seed: 1 })
    const fs = summarizeModel(fast, 'fast')
    const as = summarizeModel(accurate, 'accurate')
    expect(fs.totalParams).toBeLessThan(20_000)
    const classes = as.layers.map((l) => l.className)
    expect(classes).toContain('BatchNormalization')
    expect(classes).toContain('Dropout')
    // Batch norm's moving statistics are weights but not trainable.
    expect(as.trainableParams).toBeLessThan(as.totalParams)
    for (const m of [fast, accurate]) {
      const out = tf.tidy(
        () => (m.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor).sum(-1).arraySync() as number[]
      )
      out.forEach((p) => expect(p).toBeCloseTo(1, 4))
      m.dispose()
    }
  })

  it('the same seed gives the same starting weights', () => {
    const a = createSeedModel({ learningRate: 1e-3, seed: 5 })
    const b = createSeedModel({ learningRate: 1e-3, seed: 5 })
    const c = createSeedModel({ learningRate: 1e-3, seed: 6 })
    const w = (m: tf.LayersModel): number[] => Array.from(m.getWeights()[0].dataSync())
    expect(w(a)).toEqual(w(b))
    expect(w(a)).not.toEqual(w(c))
    ;[a, b, c].forEach((m) => m.dispose())
  })

  it('a training step frees every tensor but the model and optimizer state (RELIABILITY D3)', async () => {
    const model = createFastModel({ learningRate: 1e-3, seed: 1 })
    const xs = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D
    const ys = tf
      .oneHot(
        tf.tensor1d(
          Array.from({ length: 16 }, (_, i) => i % 10),
          'int32'
        ),
        10
      )
      .toFloat() as tf.Tensor2D
    const step = async (): Promise<number> => {
      const r = trainStep(model, xs, ys)
      const [loss] = await r.loss.data()
      tf.dispose([r.loss, r.accuracy])
      return loss
    }
    const first = await step() // creates Adam's slots
    const before = tf.memory().numTensors
    let last = first
    for (let i = 0; i < 5; i++) last = await step()
    expect(tf.memory().numTensors).toBe(before)
    expect(last).toBeLessThan(first)
    tf.dispose([xs, ys])
    model.dispose()
  })
})

describe('saving and loading models', () => {
  it('round-trips weights, metadata and optimizer state through model.json + weights.bin', async () => {
    const model = createFastModel({ learningRate: 1e-3, seed: 2 })
    const xs = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 9)
    const target = join(dir, 'roundtrip')
    await saveModelToDir(model, target, META, { includeOptimizer: true })
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin'])
    const { model: loaded, metadata } = await loadModelFromDir(target)
    expect(metadata).toEqual(META)
    expect(loaded.optimizer).toBeTruthy()
    const a = (model.predict(xs) as tf.Tensor).dataSync()
    const b = (loaded.predict(xs) as tf.Tensor).dataSync()
    expect(Array.from(b)).toEqual(Array.from(a))
    tf.dispose([xs, model, loaded] as unknown as tf.Tensor[])
  })

  it('refuses corrupted or non-MNIST model folders with MODEL_INVALID naming the file (RELIABILITY P2)', async () => {
    const model = createFastModel({ learningRate: 1e-3, seed: 2 })
    const good = join(dir, 'good')
    await saveModelToDir(model, good, META)
    const json = await readFile(join(good, 'model.json'), 'utf8')
    const weights = await readFile(join(good, 'weights.bin'))
    const variant = async (
      name: string,
      files: Record<string, string | Uint8Array>
    ): Promise<string> => {
      const d = join(dir, name)
      await mkdir(d, { recursive: true })
      for (const [f, data] of Object.entries(files)) await writeFile(join(d, f), data)
      return d
    }
    const expectInvalid = async (d: string, pattern: RegExp): Promise<void> => {
      const err = await loadModelFromDir(d).then(
        () => null,
        (e: unknown) => e
      )
      expect(err).toBeInstanceOf(EngineError)
      expect((err as EngineError).code).toBe('MODEL_INVALID')
      expect((err as Error).message).toMatch(pattern)
    }
    await expectInvalid(
      await variant('truncated', { 'model.json': json, 'weights.bin': weights.subarray(0, 100) }),
      /model\.json: weights are 100 bytes, the manifest needs \d+/
    )
    await expectInvalid(
      await variant('notjson', { 'model.json': '{"modelTopology": ', 'weights.bin': weights }),
      /model\.json: not valid JSON/
    )
    const escape = JSON.parse(json) as { weightsManifest: { paths: string[] }[] }
    escape.weightsManifest[0].paths = ['../good/weights.bin']
    await expectInvalid(
      await variant('escape', { 'model.json': JSON.stringify(escape), 'weights.bin': weights }),
      /is not a plain file name/
    )
    // A valid TF.js model that is not an MNIST classifier.
    const other = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 5 })] })
    await other.save(fileSaver(join(dir, 'other')))
    await expectInvalid(join(dir, 'other'), /input shape is \[,784\], expected \[null,28,28,1\]/)
    const noModel = await loadModelFromDir(join(dir, 'empty-nothing')).catch((e: EngineError) => e)
    expect((noModel as EngineError).code).toBe('NO_MODEL')
    tf.dispose([model, other] as unknown as tf.Tensor[])
  })
})

describe('atomic writes (RELIABILITY D4)', () => {
  it('replaces files and folders whole, and sweeps what a crash left behind', async () => {
    const base = join(dir, 'atomic')
    await writeFileAtomic(join(base, 'a.json'), '1')
    await writeFileAtomic(join(base, 'a.json'), '2')
    expect(await readFile(join(base, 'a.json'), 'utf8')).toBe('2')
    await writeDirAtomic(join(base, 'model'), { 'x.txt': 'old' })
    await writeDirAtomic(join(base, 'model'), { 'x.txt': 'new', 'y.txt': 'y' })
    expect((await readdir(join(base, 'model'))).sort()).toEqual(['x.txt', 'y.txt'])
    expect((await readdir(base)).sort()).toEqual(['a.json', 'model'])
    // A crash mid-write leaves a temp file; a crash between the two renames leaves only `.old-`.
    await writeFile(join(base, '.a.json.tmp-999-dead'), 'half')
    await rename(join(base, 'model'), join(base, '.model.old-999-beef'))
    const touched = await sweepTempFiles(base)
    expect(touched.sort()).toEqual(['.a.json.tmp-999-dead', '.model.old-999-beef'])
    expect((await readdir(base)).sort()).toEqual(['a.json', 'model'])
    expect(await readFile(join(base, 'model', 'x.txt'), 'utf8')).toBe('new')
    expect(await sweepTempFiles(join(dir, 'does-not-exist'))).toEqual([])
    expect(existsSync(join(base, '.a.json.tmp-999-dead'))).toBe(false)
  })
})

describe('augmentation', () => {
  const batch = (): tf.Tensor4D => {
    // A vertical bar: easy to see it move, rotate and thicken.
    const x = new Float32Array(2 * 784)
    for (let n = 0; n < 2; n++) for (let r = 6; r < 22; r++) x[n * 784 + r * 28 + 13] = 1
    return tf.tensor4d(x, [2, 28, 28, 1])
  }

  it('is seeded: same seed same batch, another seed another batch; shape and range kept', () => {
    const xs = batch()
    const a = augmentBatch(xs, 11)
    const b = augmentBatch(xs, 11)
    const c = augmentBatch(xs, 12)
    expect(a.shape).toEqual([2, 28, 28, 1])
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()))
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()))
    expect(a.max().dataSync()[0]).toBeLessThanOrEqual(1)
    expect(a.min().dataSync()[0]).toBeGreaterThanOrEqual(0)
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(xs.dataSync()))
    tf.dispose([xs, a, b, c])
  })

  it('with every amount at zero it is the identity (the transform maps each pixel to itself)', () => {
    const xs = batch()
    const before = tf.memory().numTensors
    const out = augmentBatch(xs, 3, { maxRotationDeg: 0, maxShiftPx: 0, maxScale: 0, maxStroke: 0 })
    expect(tf.memory().numTensors).toBe(before + 1)
    const diff = tf.tidy(() => tf.abs(tf.sub(out, xs)).max().dataSync()[0])
    expect(diff).toBeLessThan(1e-5)
    const { rows } = affineRows(1, 3, {
      maxRotationDeg: 0,
      maxShiftPx: 0,
      maxScale: 0,
      maxStroke: 0
    })
    expect(Array.from(rows).map((v) => Math.round(v * 1e6) / 1e6 + 0)).toEqual([
      1, 0, 0, 0, 1, 0, 0, 0
    ])
    tf.dispose([xs, out])
  })
})

describe('evaluation and the gallery store', () => {
  const probs = Float32Array.from([
    // image 0: true 1, predicted 1 (sure)
    0, 0.9, 0.1, 0, 0, 0, 0, 0, 0, 0,
    // image 1: true 2, predicted 1 (unsure)
    0, 0.5, 0.4, 0.1, 0, 0, 0, 0, 0, 0,
    // image 2: true 2, predicted 2
    0, 0, 0.7, 0.3, 0, 0, 0, 0, 0, 0
  ])
  const labels = Uint8Array.of(1, 2, 2)

  it('computes loss, accuracy, confusion and per-class accuracy', () => {
    const e = evaluateProbabilities(probs, labels)
    expect(e.accuracy).toBeCloseTo(2 / 3, 6)
    expect(e.loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.7)) / 3, 5)
    expect(e.confusion[2][1]).toBe(1)
    expect(e.confusion[2][2]).toBe(1)
    expect(e.confusion[1][1]).toBe(1)
    expect(e.perClassAccuracy[2]).toBe(0.5)
    expect(Array.from(e.predicted)).toEqual([1, 1, 2])
  })

  it('serves pages filtered and sorted least sure first', () => {
    const e = evaluateProbabilities(probs, labels)
    const set: PredictionSet = {
      images: new Uint8Array(3 * 784).map((_, i) => Math.floor(i / 784)),
      labels,
      probabilities: probs,
      predicted: e.predicted,
      confidence: e.confidence
    }
    const all = predictionsPage({ offset: 0, limit: 10, sort: 'confidence' }, set)
    expect(all.total).toBe(3)
    expect(all.items.map((i) => i.index)).toEqual([1, 2, 0])
    expect(all.items[0].image[0]).toBe(1)
    expect(all.items[0].probabilities[1]).toBeCloseTo(0.5, 6)
    expect(
      predictionsPage({ offset: 0, limit: 10, filter: { kind: 'misclassified' } }, set).items.map(
        (i) => i.index
      )
    ).toEqual([1])
    expect(
      predictionsPage({ offset: 0, limit: 10, filter: { kind: 'true', label: 2 } }, set).total
    ).toBe(2)
    expect(
      predictionsPage({ offset: 0, limit: 10, filter: { kind: 'predicted', label: 1 } }, set).total
    ).toBe(2)
    expect(
      predictionsPage(
        { offset: 0, limit: 10, filter: { kind: 'pair', trueLabel: 2, predicted: 1 } },
        set
      ).total
    ).toBe(1)
    expect(predictionsPage({ offset: 1, limit: 1 }, set).items.map((i) => i.index)).toEqual([1])
    expect(() => predictionsPage({ offset: 0, limit: 1 }, null)).toThrow(
      /no test-set predictions yet/
    )
  })
})
