// RELIABILITY P4: a model.json is checked against its weights manifest and the parameter cap
// before tfjs builds its layers, so a few KB of JSON can't make the engine allocate gigabytes.
import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileSaver } from '#engine/store/model-io'
import { loadModelFromDir } from '#engine/store/model-store'
import { MAX_MODEL_PARAMETERS } from '#shared/protocol/models'

let root: string

/** The parts of a saved Sequential model.json these tests edit. */
interface ModelJson {
  modelTopology: { config: { layers: { config: Record<string, unknown> }[] } }
  weightsManifest: { weights: { name: string; shape: number[] }[] }[]
}

beforeAll(async () => {
  await tf.setBackend('cpu')
  root = mkdtempSync(join(tmpdir(), 'ds-preflight-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A small valid model (flatten, dense 16, dense 10) saved in `name`, its model.json then edited. */
async function savedThenEdited(name: string, edit: (json: ModelJson) => void): Promise<string> {
  const dir = join(root, name)
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 16, activation: 'relu', name: 'hidden' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'out' })
    ]
  })
  await model.save(fileSaver(dir))
  model.dispose()
  const path = join(dir, 'model.json')
  const json = JSON.parse(readFileSync(path, 'utf8'))
  edit(json)
  writeFileSync(path, JSON.stringify(json))
  return dir
}

const hiddenConfig = (json: ModelJson): Record<string, unknown> =>
  json.modelTopology.config.layers.find((l) => l.config.name === 'hidden')!.config

const loadError = (dir: string): Promise<unknown> =>
  loadModelFromDir(dir).then(
    () => null,
    (e: unknown) => e
  )

describe('imported models are checked before they are built (P4)', () => {
  it('a topology asking for 1,000,000 units against a small manifest is refused, nothing built', async () => {
    const dir = await savedThenEdited('million', (json) => {
      hiddenConfig(json).units = 1_000_000
    })
    expect(readFileSync(join(dir, 'model.json')).length).toBeLessThan(4096)
    const tensors = tf.memory().numBytes
    const err = await loadError(dir)
    expect(err).toMatchObject({
      code: 'MODEL_INVALID',
      message: `${join(dir, 'model.json')}: layer hidden declares units 1,000,000, but its kernel in the weights manifest is [784,16]`
    })
    // Building would have allocated 784 x 1,000,000 floats; nothing was.
    expect(tf.memory().numBytes - tensors).toBeLessThan(1e6)
  })

  it('a manifest over the parameter cap is refused before its weights are read', async () => {
    const units = 30_000
    const dir = await savedThenEdited('huge', (json) => {
      hiddenConfig(json).units = units
      for (const w of json.weightsManifest[0].weights) {
        if (w.name.includes('hidden') && w.name.endsWith('kernel')) w.shape = [784, units]
        if (w.name.includes('hidden') && w.name.endsWith('bias')) w.shape = [units]
        if (w.name.includes('out') && w.name.endsWith('kernel')) w.shape = [units, 10]
      }
    })
    const params = 784 * units + units + units * 10 + 10
    expect(params).toBeGreaterThan(MAX_MODEL_PARAMETERS)
    expect(await loadError(dir)).toMatchObject({
      code: 'MODEL_INVALID',
      message: `${join(dir, 'model.json')}: ${params.toLocaleString('en-US')} parameters, over the limit of 20,000,000`
    })
  })

  it('a layer with no kernel in the manifest is refused by name', async () => {
    const dir = await savedThenEdited('renamed', (json) => {
      for (const w of json.weightsManifest[0].weights) w.name = w.name.replace('hidden', 'other')
    })
    expect(await loadError(dir)).toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(
        /layer hidden declares units 16, but the weights manifest has no kernel for it/
      )
    })
  })

  it('the unedited model still loads', async () => {
    const { model } = await loadModelFromDir(await savedThenEdited('plain', () => undefined))
    expect(model.countParams()).toBe(784 * 16 + 16 + 16 * 10 + 10)
    model.dispose()
  })
})
