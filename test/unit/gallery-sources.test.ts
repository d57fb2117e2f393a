/**
 * The gallery's other sources over the real engine (issue 16): My digits and a labelled folder,
 * predicted with the current model and paged with the MNIST test set's filters and sort. A tiny
 * model (fast preset, 2,000 images, 1 epoch) is enough: the test checks the plumbing and the
 * cache, not the accuracy.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineClient } from '#host/engine-client'
import type { TestPrediction } from '#shared/protocol/predictions'
import { embeddedMnistDir } from '#engine/store/paths'
import { encodePng } from '../fixtures/encode'
import { writeLabelledDigits } from '../fixtures/labelled-folder'
import { renderScan } from '../fixtures/render-scan'
import { testDigits } from '../fixtures/scans'
import { startEngine, trainToDone } from '../helpers/engine'

let home: string
let engine: EngineClient
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-gallery-sources-'))
  // No starter model: the test pages My digits before any model exists, then with its own.
  engine = await startEngine({ DIGIT_STUDIO_HOME: home, DIGIT_STUDIO_STARTER_MODEL: '' })
})
afterAll(async () => {
  await engine?.dispose()
  await rm(home, { recursive: true, force: true })
})

const MY_DIGITS = { kind: 'my-digits' } as const
const TINY = {
  preset: 'fast',
  epochs: 1,
  trainLimit: 2000,
  testLimit: 200,
  validationSplit: 0
} as const

async function page(
  filter?: { kind: 'misclassified' } | { kind: 'true' | 'predicted'; label: number },
  source: { kind: 'my-digits' } | { kind: 'folder'; path: string } = MY_DIGITS
): Promise<{ total: number; items: TestPrediction[] }> {
  return engine.request('predictions:page', { offset: 0, limit: 50, filter, source })
}

describe('gallery sources', () => {
  it('an empty My digits is an empty page, even before any model exists', async () => {
    expect(await page()).toMatchObject({ total: 0, items: [] })
  })

  it('pages My digits with the current model, with the same filters; a change predicts again', async () => {
    const digits = await testDigits(0, 3)
    for (const [i, d] of digits.entries()) {
      const png = encodePng(renderScan([d], { seed: i, scale: 3, margin: 12, specks: 0 }))
      await engine.request('digits:add', {
        label: d.label,
        file: { name: `s${i}.png`, bytes: png }
      })
    }
    // Kept digits but no model yet: the gallery says so, as it does for the test set.
    await expect(page()).rejects.toMatchObject({ code: 'NO_MODEL' })
    await trainToDone(engine, TINY)

    const all = await page()
    expect(all.total).toBe(3)
    expect(all.items.map((i) => i.trueLabel).sort()).toEqual(digits.map((d) => d.label).sort())
    for (const item of all.items) {
      expect(item.name).toMatch(new RegExp(`^${item.trueLabel}/[\\w-]+\\.png$`))
      expect(item.image).toHaveLength(784)
      expect(item.probabilities).toHaveLength(10)
      expect(item.confidence).toBeCloseTo(Math.max(...item.probabilities), 5)
      expect(item.predicted).toBe(item.probabilities.indexOf(item.confidence))
    }
    const label = digits[1].label
    const trueOnes = await page({ kind: 'true', label })
    expect(trueOnes.total).toBe(digits.filter((d) => d.label === label).length)
    expect(trueOnes.items.every((i) => i.trueLabel === label)).toBe(true)
    const wrong = all.items.filter((i) => i.predicted !== i.trueLabel).length
    expect((await page({ kind: 'misclassified' })).total).toBe(wrong)

    // Relabel one digit: the next page carries the new label (the cache is keyed by the CSV).
    const target = all.items[0]
    const newLabel = (target.trueLabel + 1) % 10
    await engine.request('digits:relabel', { name: target.name!.split('/')[1], label: newLabel })
    const relabelled = await page({ kind: 'true', label: newLabel })
    expect(relabelled.items.map((i) => i.name)).toContain(
      `${newLabel}/${target.name!.split('/')[1]}`
    )
    expect((await page()).total).toBe(3)
  })

  it('a new model predicts again', async () => {
    const before = (await page()).items.map((i) => i.probabilities)
    await trainToDone(engine, { ...TINY, seed: 7, trainLimit: 1000 })
    const after = (await page()).items.map((i) => i.probabilities)
    expect(after).toHaveLength(3)
    expect(after).not.toEqual(before)
  })

  it('pages a labelled folder: every usable image, named by its file', async () => {
    const dir = join(home, 'folder')
    const perLabel = await writeLabelledDigits(dir, 10, 4)
    const source = { kind: 'folder', path: dir } as const
    const all = await page(undefined, source)
    expect(all.total).toBe(4)
    expect(all.items.map((i) => i.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\d\/d1[0-3]\.png$/)])
    )
    const label = perLabel.findIndex((n) => n > 0)
    expect((await page({ kind: 'true', label }, source)).total).toBe(perLabel[label])
    // One more image in the folder is seen on the next page (the key holds the folders' times).
    await writeLabelledDigits(dir, 14, 1)
    expect((await page(undefined, source)).total).toBe(5)
  })

  it('pages an IDX folder by its test split', async () => {
    const source = { kind: 'folder', path: embeddedMnistDir() } as const
    const all = await page(undefined, source)
    expect(all.total).toBe(10_000)
    expect(all.items[0].name).toBeUndefined()
    // MNIST's test split holds 1,010 threes.
    expect((await page({ kind: 'true', label: 3 }, source)).total).toBe(1010)
  })
})
