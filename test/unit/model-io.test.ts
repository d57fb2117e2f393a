import * as tf from '@tensorflow/tfjs'
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineError } from '#shared/errors'
import type { ModelMetadata } from '#shared/protocol/model-metadata'
import { selectBackend } from '#engine/backend/selection'
import { testBackend } from '../helpers/engine'
import { fileSaver } from '#engine/store/model-io'
import { loadModelFromDir, saveModelToDir } from '#engine/store/model-store'
import { createFastModel } from '#engine/training/models'
import { prepareForTraining } from '#engine/training/optimizer'
import { FusedAdamOptimizer } from '#engine/backend/kernels/fused-adam'

let dir: string
beforeAll(async () => {
  // The engine's backend selection, in this process, on the backend the tests ask for.
  await selectBackend(testBackend())
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

describe('saving and loading models', () => {
  it('round-trips weights, metadata and optimizer state through model.json + weights.bin', async () => {
    const model = createFastModel({ seed: 2 })
    prepareForTraining(model, 1e-3)
    const xs = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 9)
    const target = join(dir, 'roundtrip')
    await saveModelToDir(model, target, META, { includeOptimizer: true })
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin'])
    const { model: loaded, metadata } = await loadModelFromDir(target)
    expect(metadata).toEqual(META)
    // The checkpoint comes back into the fused Adam training uses, not tfjs's stock Adam, while
    // model.json still names it "Adam" (what tfjs and Keras read elsewhere).
    // (By constructor: tfjs's Optimizer answers `instanceof` for any object with its methods.)
    expect(loaded.optimizer.constructor).toBe(FusedAdamOptimizer)
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'))
    expect(json.trainingConfig.optimizer_config.class_name).toBe('Adam')
    const a = (model.predict(xs) as tf.Tensor).dataSync()
    const b = (loaded.predict(xs) as tf.Tensor).dataSync()
    expect(Array.from(b)).toEqual(Array.from(a))
    tf.dispose([xs, model, loaded] as unknown as tf.Tensor[])
  })

  it('refuses corrupted or non-MNIST model folders with MODEL_INVALID naming the file (RELIABILITY P2)', async () => {
    const model = createFastModel({ seed: 2 })
    prepareForTraining(model, 1e-3)
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
