import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli'
import { engineBackendEnv } from '../helpers/engine'
import { writeBadEntries, writeLabelledDigits } from '../fixtures/labelled-folder'

// `digit-studio train --data DIR` with a labelled folder: the real bin, the real engine.

let home: string
let data: string
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-cli-labelled-'))
  data = join(home, 'my-folder')
  await writeLabelledDigits(data, 0, 40)
  await writeBadEntries(data)
})
afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

const env = (): NodeJS.ProcessEnv => ({ ...engineBackendEnv(), DIGIT_STUDIO_HOME: home })

describe('digit-studio train --data <labelled folder>', () => {
  it('trains on the folder alone, with its validation split, and lists what it skipped', async () => {
    const r = await runCli(
      ['train', '--preset', 'fast', '--epochs', '1', '--batch-size', '8', '--data', data, '--json'],
      env()
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const started = events.find((e) => e.type === 'training:started')!
    // 40 images: a fixed 6 for test, 34 left, 10 % (3) of them for validation.
    expect(started).toMatchObject({ trainCount: 31, validationCount: 3, testCount: 6 })
    const skipped = started.skippedImages as { file: string; reason: string }[]
    expect(skipped.map((s) => s.file).sort()).toEqual(
      [
        '3/blank.png',
        '3/notes.png',
        '3/truncated.png',
        '3/two-digits.png',
        'cats/',
        'stray.png'
      ].sort()
    )
    const done = events.at(-1)!
    expect(done).toMatchObject({ type: 'done', testCount: 6 })
  })

  it('says what is wrong with a folder that is neither layout, and human mode lists skipped files', async () => {
    const bad = await runCli(['train', '--data', home + '/nowhere', '--epochs', '1'], env())
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/DATASET_INVALID: .*nowhere/)
    const human = await runCli(
      ['train', '--preset', 'fast', '--epochs', '1', '--batch-size', '8', '--data', data],
      env()
    )
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/Skipped 6 images:\n {2}3\/blank.png: no digit found/)
  })
})
