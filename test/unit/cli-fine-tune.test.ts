import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli'
import { engineBackendEnv } from '../helpers/engine'
import { writeBadEntries, writeLabelledDigits } from '../fixtures/labelled-folder'

// `digit-studio train --from MODEL --add-images DIR`: the real bin and engine, tiny limits.

let home: string
let added: string
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-cli-finetune-'))
  added = join(home, 'mine')
  await writeLabelledDigits(added, 100, 30)
  await writeBadEntries(added)
})
afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

const env = (): NodeJS.ProcessEnv => ({ ...engineBackendEnv(), DIGIT_STUDIO_HOME: home })
const LIMITS = ['--train-limit', '1500', '--test-limit', '400', '--batch-size', '32']
const lastJson = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>

describe('digit-studio train --from --add-images', () => {
  it('starts a new run from the model, adds the folder, reports before and after', async () => {
    const base = join(home, 'base')
    const first = await runCli(
      ['train', '--preset', 'fast', '--epochs', '1', ...LIMITS, '--out', base, '--json'],
      env()
    )
    expect(first.code).toBe(0)
    const baseDone = lastJson(first.stdout)
    const baseModel = await readFile(join(base, 'model.json'), 'utf8')

    const r = await runCli(
      ['train', '--from', base, '--add-images', added, ...LIMITS, '--json'],
      env()
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const started = lines.find((l) => l.type === 'training:started')!
    // A fine-tune is a new run: epoch 1 of 1 at a quarter of the default rate (seed's 1e-3), fresh optimizer.
    expect(started).toMatchObject({ initialEpoch: 0, config: { epochs: 1, learningRate: 0.00025 } })
    // 1500 MNIST images, 10 % validation: 1350 train, 28 a batch -> 49 batches, each with 4 added.
    expect(started.batchesPerEpoch).toBe(49)
    const done = lastJson(r.stdout)
    expect(done).toMatchObject({
      type: 'done',
      addedImages: 30,
      heldOutCount: 6,
      skippedImages: 6,
      fromModel: base,
      // Same model, same 400 test images: "before" is the first run's own test accuracy.
      testAccuracyBefore: baseDone.testAccuracy
    })
    for (const key of ['heldOutAccuracyBefore', 'heldOutAccuracyAfter', 'testAccuracy']) {
      expect(done[key]).toBeGreaterThanOrEqual(0)
      expect(done[key]).toBeLessThanOrEqual(1)
    }
    // The starting model is untouched and both runs are in the history.
    expect(await readFile(join(base, 'model.json'), 'utf8')).toBe(baseModel)
    expect(existsSync(join(baseDone.runDir as string, 'model', 'model.json'))).toBe(true)
    const runs = await runCli(['runs', 'list', '--json'], env())
    expect(runs.stdout).toContain(String(baseDone.runDir).split('/').at(-1))
    expect(runs.stdout).toContain(String(done.runDir).split('/').at(-1))
  })

  it('refuses --from with --resume', async () => {
    const both = await runCli(
      ['train', '--from', home, '--resume', home, '--add-images', added, '--json'],
      env()
    )
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/BAD_REQUEST: --from starts a new run .* give one of them/)
  })
})
