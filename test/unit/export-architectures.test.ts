/**
 * Exports of generated architectures (issue 14), checked by the real consumers: random valid
 * stacks of every offered layer (fast-check, fixed seed) are built by the engine, exported as
 * TF.js (imported back through the app's own import), ONNX (onnxruntime-node) and Keras (.h5 and
 * .keras, loaded by real Keras 3 where scripts/keras-env.mjs set it up), and every consumer's
 * outputs match the engine's within 1e-4 on MNIST test images.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import * as ort from 'onnxruntime-node'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeKerasH5 } from '#engine/export/keras'
import { writeKerasZip } from '#engine/export/keras-zip'
import { buildExportMetadata } from '#engine/export/metadata'
import { modelToOnnx } from '#engine/export/onnx'
import { exportTfjs } from '#engine/export/tfjs'
import { importModel } from '#engine/store/import-model'
import { buildModel } from '#engine/training/build-model'
import { analyseLayers } from '#shared/model-spec/analyse'
import { completeSpec } from '#shared/model-spec/complete'
import type { LayerSpec, ModelSpec } from '#shared/model-spec/schema'
import { kerasPredict, kerasPython } from '../helpers/keras'
import { predictFlat, tempDir, testImages, useEngineBackend } from './export-helpers'

const COUNT = 16
const TOLERANCE = 1e-4
/** Architectures per run: each costs an import (a pass over the test set) and a Keras load. */
const RUNS = 10
const SEED = 14

const hidden = fc.constantFrom('relu', 'elu', 'gelu', 'tanh', 'sigmoid', 'linear')
const padding = fc.constantFrom('valid', 'same')
/** Small sizes keep the test quick; the limits themselves are tested in model-spec.test.ts. */
const conv = fc.record({
  type: fc.constant('Conv2D' as const),
  filters: fc.integer({ min: 1, max: 6 }),
  kernelSize: fc.integer({ min: 1, max: 5 }),
  strides: fc.integer({ min: 1, max: 2 }),
  padding,
  activation: hidden,
  useBias: fc.boolean()
})
const pool = fc.record({
  type: fc.constantFrom('MaxPooling2D' as const, 'AveragePooling2D' as const),
  poolSize: fc.integer({ min: 2, max: 3 }),
  strides: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  padding
})
const batchNorm = fc.record({
  type: fc.constant('BatchNormalization' as const),
  momentum: fc.constant(0.99),
  epsilon: fc.constantFrom(0.001, 0.01)
})
const dropout = fc.record({
  type: fc.constant('Dropout' as const),
  rate: fc.double({ min: 0, max: 0.9, noNaN: true })
})
const activation = fc.record({
  type: fc.constant('Activation' as const),
  activation: fc.constantFrom('relu', 'elu', 'gelu', 'tanh', 'sigmoid', 'linear', 'softmax')
})
const dense = fc.record({
  type: fc.constant('Dense' as const),
  units: fc.integer({ min: 1, max: 12 }),
  activation: hidden,
  useBias: fc.boolean()
})
const weighted = <T>(...arbs: [fc.Arbitrary<T>, number][]): fc.Arbitrary<T> =>
  fc.oneof(...arbs.map(([arbitrary, weight]) => ({ arbitrary, weight })))

/**
 * Valid architectures only: image layers (mostly convolutions), a Flatten or global pooling, flat
 * layers (mostly Dense), completed with the classifier; stacks that don't analyse clean (a pool
 * with nothing left to pool) are dropped.
 */
const specArb: fc.Arbitrary<ModelSpec> = fc
  .tuple(
    fc.array(
      weighted<LayerSpec>([conv, 4], [pool, 2], [batchNorm, 1], [dropout, 1], [activation, 1]),
      {
        minLength: 1,
        maxLength: 5
      }
    ),
    fc.constantFrom<LayerSpec>({ type: 'Flatten' }, { type: 'GlobalAveragePooling2D' }),
    fc.array(weighted<LayerSpec>([dense, 3], [batchNorm, 1], [dropout, 1], [activation, 1]), {
      maxLength: 3
    })
  )
  .map(([image, flat, tail]) =>
    completeSpec({ name: 'generated', layers: [...image, flat, ...tail] })
  )
  .filter((spec) => analyseLayers(spec.layers).ok)

/** Spreads batch-norm statistics and scales so the exports must really carry them. */
function perturbBatchNorm(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const n = layer.getWeights()[0].shape[0]
    const r = (lo: number, hi: number, s: number): tf.Tensor =>
      tf.randomUniform([n], lo, hi, 'float32', seed * 7 + s)
    layer.setWeights([r(0.5, 1.5, 1), r(-0.2, 0.2, 2), r(-0.1, 0.1, 3), r(0.5, 2, 4)])
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let d = 0
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]))
  return d
}

interface Case {
  spec: ModelSpec
  model: tf.LayersModel
  engine: Float32Array
  dir: string
}

const specs = fc.sample(specArb, { numRuns: RUNS, seed: SEED })
const cases: Case[] = []
let x: Float32Array
let home: string

beforeAll(async () => {
  await useEngineBackend()
  home = tempDir('ds-arch-export-')
  process.env.DIGIT_STUDIO_HOME = join(home, 'data-home')
  x = (await testImages(COUNT)).x
  for (const [i, spec] of specs.entries()) {
    const model = buildModel(spec, { seed: i + 1 })
    perturbBatchNorm(model, i + 1)
    cases.push({ spec, model, engine: predictFlat(model, x, COUNT), dir: join(home, `m${i}`) })
  }
})
afterAll(() => cases.forEach((c) => c.model.dispose()))

const describeSpec = (spec: ModelSpec): string => JSON.stringify(spec.layers)
const metadata = (): ReturnType<typeof buildExportMetadata> => buildExportMetadata(null)

describe(`exports of ${RUNS} generated architectures (fast-check seed ${SEED})`, () => {
  it('the generator covers every offered layer type', () => {
    const layers = specs.flatMap((s) => s.layers)
    expect(new Set(layers.map((l) => l.type)).size).toBe(9)
    const activations = new Set(layers.map((l) => ('activation' in l ? l.activation : 'linear')))
    expect([...activations].sort()).toEqual([
      'elu',
      'gelu',
      'linear',
      'relu',
      'sigmoid',
      'softmax',
      'tanh'
    ])
  })

  it('TF.js: the app imports each export back, predicting the same', async () => {
    for (const c of cases) {
      await exportTfjs(c.model, metadata(), join(c.dir, 'tfjs'))
      const info = await importModel(join(c.dir, 'tfjs'))
      expect(info.totalParams, describeSpec(c.spec)).toBe(c.model.countParams())
      const { getCurrentModel } = await import('#engine/store/model-store')
      const imported = getCurrentModel()!.model
      expect(
        maxAbsDiff(predictFlat(imported, x, COUNT), c.engine),
        describeSpec(c.spec)
      ).toBeLessThan(TOLERANCE)
    }
  })

  it('ONNX (opset 13, onnxruntime): the same outputs', async () => {
    for (const c of cases) {
      const session = await ort.InferenceSession.create(modelToOnnx(c.model, metadata()))
      try {
        const out = await session.run({ input: new ort.Tensor('float32', x, [COUNT, 28, 28, 1]) })
        const got = out.probabilities.data as Float32Array
        expect(maxAbsDiff(got, c.engine), describeSpec(c.spec)).toBeLessThan(TOLERANCE)
      } finally {
        await session.release()
      }
    }
  })

  it('Keras 3 (.h5 and .keras, real Keras): loads and predicts the same', async (ctx) => {
    const keras = kerasPython()
    if ('missing' in keras) {
      console.log(`skipped: ${keras.missing}`)
      return ctx.skip()
    }
    const files: { file: string; c: Case }[] = []
    for (const c of cases) {
      for (const [name, write] of [
        ['model.h5', writeKerasH5],
        ['model.keras', writeKerasZip]
      ] as const) {
        const file = join(c.dir, name)
        await write(c.model, metadata(), file)
        files.push({ file, c })
      }
    }
    const { outputs } = await kerasPredict(
      keras.python,
      files.map((f) => f.file),
      x,
      COUNT
    )
    for (const { file, c } of files) {
      const got = outputs[file]
      expect(typeof got === 'string' ? got : 'loaded', `${file}: ${describeSpec(c.spec)}`).toBe(
        'loaded'
      )
      expect(
        maxAbsDiff(got as number[], c.engine),
        `${file}: ${describeSpec(c.spec)}`
      ).toBeLessThan(TOLERANCE)
    }
  }, 180_000)
})
