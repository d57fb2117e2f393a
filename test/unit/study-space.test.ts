// Search spaces and strategies of hyperparameter studies (issue 14): pure functions of the space.
import { writeFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { SpaceSchema, type Space } from '#shared/protocol/studies'
import { baseParams, defaultSpace } from '#shared/study-trials'
import { describeIssues } from '#shared/schema-issues'
import { gridPoints, gridSize, randomPoints } from '#engine/studies/space'
import { planConfigs, promotedCount, rungBudget, rungCount } from '#engine/studies/strategy'
import { resolveArchitecture } from '#engine/studies/architectures'
import { readSpaceFile, studyFromArgs } from '../../src/cli/commands/tune'

const base = baseParams('fast')
const space: Space = {
  learningRate: { min: 1e-4, max: 1e-2 },
  batchSize: { values: [32, 64] },
  augment: { values: [false, true] },
  dropout: { min: 0, max: 0.5 }
}

/** What the schema says is wrong with `raw`, as the CLI and the engine word it. */
function problems(raw: unknown): string {
  const r = v.safeParse(SpaceSchema, raw)
  return r.success ? '' : describeIssues(r.issues)
}

describe('grid', () => {
  it('takes every combination; a range gives its ends and (log) middle', () => {
    const points = gridPoints(space, base)
    expect(gridSize(space)).toBe(3 * 2 * 2 * 3)
    expect(points).toHaveLength(36)
    expect(new Set(points.map((p) => p.learningRate))).toEqual(new Set([1e-4, 1e-3, 1e-2]))
    expect(new Set(points.map((p) => JSON.stringify(p))).size).toBe(36)
    // Dimensions the space leaves out keep the preset's settings.
    expect(points.every((p) => p.epochs === base.epochs && p.architecture === 'fast')).toBe(true)
  })

  it('refuses a grid of more than 1000 points, with the count', () => {
    const huge: Space = {
      learningRate: { min: 1e-4, max: 1e-2, steps: 10 },
      dropout: { min: 0, max: 0.5, steps: 10 },
      widthMultiplier: { min: 0.5, max: 2, steps: 10 },
      augment: { values: [false, true] }
    }
    expect(() => gridPoints(huge, base)).toThrow(/2000 points, at most 1000/)
  })
})

describe('random', () => {
  it('is reproducible: the same seed draws the same trials, another seed others', () => {
    const a = randomPoints(space, base, 8, 7)
    expect(randomPoints(space, base, 8, 7)).toEqual(a)
    expect(randomPoints(space, base, 8, 8)).not.toEqual(a)
    // The first trials don't depend on how many are drawn (a longer study extends a shorter one).
    expect(randomPoints(space, base, 3, 7)).toEqual(a.slice(0, 3))
    for (const p of a) {
      expect(p.learningRate).toBeGreaterThanOrEqual(1e-4)
      expect(p.learningRate).toBeLessThanOrEqual(1e-2)
      expect([32, 64]).toContain(p.batchSize)
      expect(p.dropout).toBeLessThanOrEqual(0.5)
    }
  })

  it('draws the learning rate log-uniformly: about as many below 1e-3 as above', () => {
    const rates = randomPoints({ learningRate: { min: 1e-4, max: 1e-2 } }, base, 400, 1).map(
      (p) => p.learningRate
    )
    const below = rates.filter((r) => r < 1e-3).length
    // Uniform draws would put ~9 % below 1e-3; log-uniform ~50 %.
    expect(below).toBeGreaterThan(150)
    expect(below).toBeLessThan(250)
  })
})

describe('successive halving', () => {
  it('plans rungs that keep a third each time, ending with one or two', () => {
    expect(rungCount('halving', 12)).toBe(3)
    expect(rungCount('halving', 27)).toBe(4)
    expect(rungCount('grid', 12)).toBe(1)
    expect([12, 4].map(promotedCount)).toEqual([4, 1])
  })

  it('gives each rung a third of the next one`s images, in epochs or in images', () => {
    // 3 epochs over 10,000 images: rungs of 1/3 epoch, 1 epoch, 3 epochs.
    expect([0, 1, 2].map((r) => rungBudget(r, 3, 3, 10_000))).toEqual([
      { epochs: 1, trainImages: 3333 },
      { epochs: 1, trainImages: 10_000 },
      { epochs: 3, trainImages: 10_000 }
    ])
  })

  it('runs over the grid without a trial count, over seeded draws with one', () => {
    const settings = { space, strategy: 'halving' as const, seed: 3 }
    expect(planConfigs(settings, base)).toEqual(gridPoints(space, base))
    expect(planConfigs({ ...settings, trials: 5 }, base)).toEqual(randomPoints(space, base, 5, 3))
  })
})

describe('bad spaces get a message naming the field', () => {
  it.each([
    [{ batchSize: { values: [0] } }, /batchSize\.values\.0: .*>=1/],
    [{ learningRate: { min: 0, max: 1 } }, /learningRate\.min: .*>0/],
    [{ dropout: { min: 0.5, max: 0.1 } }, /dropout: min must not be above max/],
    [{ augment: { values: [] } }, /augment\.values: /],
    [{ widthMultiplier: { values: [8] } }, /widthMultiplier\.values\.0: .*<=4/],
    [{ lr: { values: [1e-3] } }, /lr: /]
  ])('%j', (raw, message) => {
    expect(problems(raw)).toMatch(message)
  })

  it('an unknown architecture is named with its place in the space', async () => {
    await expect(
      resolveArchitecture('lenet', 'fast', 'space.architecture.values[1]')
    ).rejects.toThrow(/space\.architecture\.values\[1\]: no architecture named "lenet"/)
  })

  it("the study's own architecture is found by its name before presets and saved ones", async () => {
    const spec = { name: 'mine', layers: [] } as unknown as Parameters<
      typeof resolveArchitecture
    >[3]
    await expect(resolveArchitecture('mine', 'seed', 'architecture', spec)).resolves.toEqual({
      preset: 'seed',
      architecture: spec
    })
    await expect(resolveArchitecture('fast', 'seed')).resolves.toEqual({ preset: 'fast' })
  })

  it('the CLI names the space file and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ds-space-'))
    const file = join(dir, 'space.json')
    await writeFile(file, JSON.stringify({ batchSize: { values: [32, 9999] } }))
    await expect(readSpaceFile(file)).rejects.toThrow(/space\.json: batchSize\.values\.1: .*<=4096/)
    await writeFile(file, '{ not json')
    await expect(readSpaceFile(file)).rejects.toThrow(/space\.json: not a readable JSON file/)
    await expect(studyFromArgs(['--strategy', 'best'])).rejects.toThrow(/--strategy "best"/)
  })

  it('the default space is a valid one of 18 points', () => {
    expect(problems(defaultSpace('fast'))).toBe('')
    expect(gridSize(defaultSpace('fast'))).toBe(18)
  })
})
