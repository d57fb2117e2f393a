/**
 * Import (RELIABILITY P2): a TF.js layers model from Digit Studio or elsewhere becomes the engine's
 * current model; corrupt or incompatible files are refused with a message naming the problem, and
 * leave the current model as it was.
 */
import * as tf from '@tensorflow/tfjs'
import { copyFileSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportModel } from '#engine/export/index'
import { importModel } from '#engine/store/import-model'
import { fileSaver } from '#engine/store/model-io'
import { getCurrentModel } from '#engine/store/model-store'
import { predictionsPage } from '#engine/store/predictions-store'
import { EngineError } from '#shared/errors'
import { saveModel, tempDir, trainedModel, useEngineBackend } from './export-helpers'

let home: string
let good: string

/** Copies the good export into a new folder so one file can be broken. */
function variant(name: string, breakIt: (dir: string) => void): string {
  const dir = join(home, name)
  mkdirSync(dir)
  for (const f of ['model.json', 'weights.bin']) copyFileSync(join(good, f), join(dir, f))
  breakIt(dir)
  return dir
}

async function saveForeign(dir: string, layers: tf.layers.Layer[]): Promise<void> {
  const model = tf.sequential({ layers })
  await model.save(fileSaver(dir))
  model.dispose()
}

async function importError(path: string): Promise<EngineError> {
  const err = await importModel(path).then(
    () => null,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(EngineError)
  return err as EngineError
}

beforeAll(async () => {
  await useEngineBackend()
  home = tempDir('ds-import-')
  process.env.DIGIT_STUDIO_HOME = join(home, 'data')
  const model = await trainedModel('seed', 512)
  const trained = join(home, 'trained')
  await saveModel(model, trained, 'seed', true)
  model.dispose()
  good = join(home, 'export')
  await exportModel({ format: 'tfjs', out: good, modelDir: trained })
})
afterAll(() => {
  delete process.env.DIGIT_STUDIO_HOME
})

describe('model import', () => {
  it('imports a Digit Studio export: current model, metadata, optimizer state, gallery', async () => {
    const info = await importModel(join(good, 'model.json'))
    expect(info).toMatchObject({
      source: 'imported',
      modelDir: good,
      hasOptimizer: true,
      metadata: { preset: 'seed' }
    })
    expect(info.layers.map((l) => l.className)).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
      'Dense'
    ])
    expect(getCurrentModel()?.dir).toBe(good)
    // Measured on all 10,000 MNIST test images, and the gallery serves those predictions.
    expect(info.measured).toMatchObject({ dataset: 'MNIST', count: 10_000 })
    expect(info.measured!.accuracy).toBeGreaterThan(0.5)
    const page = predictionsPage({ offset: 0, limit: 5 })
    expect(page.total).toBe(10_000)
    expect(page.items[0].probabilities).toHaveLength(10)
  })

  it('imports a model trained elsewhere (other layers, no metadata) if it is 28x28x1 -> 10', async () => {
    const dir = join(home, 'foreign')
    await saveForeign(dir, [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' })
    ])
    const info = await importModel(dir)
    expect(info).toMatchObject({
      source: 'imported',
      metadata: null,
      hasOptimizer: false,
      totalParams: 784 * 32 + 32 + 330
    })
  })

  const cases: [string, () => Promise<string>, string, RegExp][] = [
    [
      'bad JSON',
      async () =>
        variant('bad-json', (d) => writeFileSync(join(d, 'model.json'), '{"modelTopology": {')),
      'MODEL_INVALID',
      /model\.json: not valid JSON/
    ],
    [
      'missing weights file',
      async () => variant('no-weights', (d) => rmSync(join(d, 'weights.bin'))),
      'MODEL_INVALID',
      /weights file weights\.bin is missing/
    ],
    [
      'wrong weights byte length',
      async () =>
        variant('short-weights', (d) =>
          truncateSync(join(d, 'weights.bin'), readFileSync(join(d, 'weights.bin')).length - 4)
        ),
      'MODEL_INVALID',
      /weights are \d+ bytes, the manifest needs \d+/
    ],
    [
      'wrong input shape',
      async () => {
        const dir = join(home, 'input-32')
        await saveForeign(dir, [
          tf.layers.flatten({ inputShape: [32, 32, 1] }),
          tf.layers.dense({ units: 10 })
        ])
        return dir
      },
      'MODEL_INVALID',
      /input shape is \[,32,32,1\], expected \[null,28,28,1\]/
    ],
    [
      'wrong number of outputs',
      async () => {
        const dir = join(home, 'five-classes')
        await saveForeign(dir, [
          tf.layers.flatten({ inputShape: [28, 28, 1] }),
          tf.layers.dense({ units: 5 })
        ])
        return dir
      },
      'MODEL_INVALID',
      /output shape is \[,5\], expected \[null,10\]/
    ],
    [
      'a folder without model.json',
      async () => variant('empty', (d) => rmSync(join(d, 'model.json'))),
      'NO_MODEL',
      /no model\.json/
    ],
    [
      'a TF.js graph model',
      async () =>
        variant('graph', (d) =>
          writeFileSync(
            join(d, 'model.json'),
            JSON.stringify({
              format: 'graph-model',
              modelTopology: { node: [] },
              weightsManifest: []
            })
          )
        ),
      'MODEL_INVALID',
      /a TF\.js graph model, not a layers model/
    ],
    [
      'a file that is not model.json',
      async () => {
        writeFileSync(join(home, 'notes.txt'), 'hello')
        return join(home, 'notes.txt')
      },
      'MODEL_INVALID',
      /not a TF\.js layers model/
    ]
  ]
  for (const [what, make, code, message] of cases) {
    it(`refuses ${what} with a clear error and keeps the current model`, async () => {
      const before = getCurrentModel()
      const err = await importError(await make())
      expect(err.code).toBe(code)
      expect(err.message).toMatch(message)
      expect(getCurrentModel()).toBe(before)
    })
  }
})
