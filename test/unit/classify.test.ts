import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { classifyImages, top3 } from '#engine/classify/classify'
import type { FileResult } from '#shared/protocol/classify'
import { measureAccuracy } from '../fixtures/accuracy'
import { badFixtures, formatFixtures, type Fixture } from '../fixtures/scans'
import { ensureTestModel } from '../fixtures/test-model'

let modelDir: string
let fixtures: Fixture[]
let bad: Fixture[]

beforeAll(async () => {
  modelDir = await ensureTestModel()
  // The classify code runs in this process here (the forked engine is tested in classify-cli).
  await tf.setBackend('cpu')
  fixtures = (await formatFixtures()).fixtures
  bad = await badFixtures()
}, 300_000)

const ok = (r: FileResult): Extract<FileResult, { ok: true }> => {
  if (!r.ok) throw new Error(`${r.name}: ${r.error.code}: ${r.error.message}`)
  return r
}

describe('classify:images on every format', () => {
  it('reads the expected digits from each fixture, in order, with boxes and pictures', async () => {
    const { results, modelDir: used } = await classifyImages({
      files: fixtures,
      options: { modelDir }
    })
    expect(used).toBe(modelDir)
    const got = Object.fromEntries(results.map((r) => [r.name, r.ok ? r.digits : r.error.message]))
    const want = Object.fromEntries(fixtures.map((f) => [f.name, f.expected]))
    expect(got).toEqual(want)
    const strip = ok(results.find((r) => r.name === 'strip.jpg')!)
    const preds = strip.pages[0].predictions
    // Boxes go left to right and don't overlap.
    for (let i = 1; i < preds.length; i++)
      expect(preds[i].box[0]).toBeGreaterThanOrEqual(preds[i - 1].box[0] + preds[i - 1].box[2])
    expect(preds[0].input).toMatchObject({ width: 28, height: 28, channels: 1 })
    expect(preds[0].top3).toHaveLength(3)
    expect(preds[0].top3[0].probability).toBeGreaterThanOrEqual(preds[0].top3[1].probability)
    expect(strip.pages[0].thumbnail?.channels).toBe(4)
    const tiff = ok(results.find((r) => r.name === 'pages.tiff')!)
    expect(tiff.pages.map((p) => p.page)).toEqual([0, 1, 2])
    // A PDF's pages are numbered like a TIFF's, each read by the model (digits checked above).
    const pdf = ok(results.find((r) => r.name === 'pages.pdf')!)
    expect(pdf.format).toBe('pdf')
    expect(pdf.pages.map((p) => p.page)).toEqual([0, 1, 2])
    expect(pdf.pages.map((p) => p.digits).join(' ')).toBe(pdf.digits)
  })

  it('a bad file gets its own error and never stops the others', async () => {
    const files = [bad[0], fixtures[0], ...bad.slice(1)]
    const { results } = await classifyImages({ files, options: { modelDir, pictures: false } })
    expect(results.map((r) => r.name)).toEqual(files.map((f) => f.name))
    expect(results[1]).toMatchObject({ ok: true, digits: fixtures[0].expected })
    const errors = results.filter((r) => !r.ok) as Extract<FileResult, { ok: false }>[]
    expect(errors).toHaveLength(bad.length)
    for (const e of errors) expect(e.error.message.startsWith(`${e.name}: `)).toBe(true)
    expect(errors.find((e) => e.name === 'blank.png')?.error.message).toMatch(
      /no handwriting found/
    )
  })

  it('without a model: NO_MODEL that says how to train one', async () => {
    await expect(
      classifyImages({ files: fixtures.slice(0, 1), options: { modelDir: '/nonexistent/model' } })
    ).rejects.toMatchObject({
      code: 'NO_MODEL'
    })
  })

  it('tensors are freed after each request (D3)', async () => {
    await classifyImages({ files: fixtures.slice(0, 2), options: { modelDir, pictures: false } })
    const before = tf.memory().numTensors
    await classifyImages({ files: fixtures.slice(0, 2), options: { modelDir, pictures: false } })
    expect(tf.memory().numTensors).toBe(before)
  })

  it('top3 orders probabilities', () => {
    expect(
      top3(Float32Array.from([0.1, 0.5, 0, 0, 0.3, 0, 0, 0, 0.1, 0])).map((t) => t.label)
    ).toEqual([1, 4, 0])
  })
})

describe('accuracy on generated scans', () => {
  it('the preprocessing beats the naive recipe by a wide margin (figures printed)', async () => {
    const r = await measureAccuracy(modelDir, 60, 8)
    console.log(`[classify accuracy, fast test model] ${JSON.stringify(r)}`)
    expect(r.pipelineAccuracy).toBeGreaterThan(0.85)
    expect(r.pipelineAccuracy).toBeGreaterThan(r.naiveAccuracy + 0.1)
    expect(r.stripDigitAccuracy).toBeGreaterThan(0.7)
  })
})
