import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineClient } from '#host/engine-client'
import { DEFAULT_TRAIN_CONFIG } from '#shared/protocol/training'
import { configFromArgs } from '../../src/cli/commands/train-args'
import { compareWeights, startEngine, trainToDone } from '../helpers/engine'

// Early stopping on the real engine (issue 14): stop when the validation loss stops improving,
// keep the best epoch's weights for the test evaluation and the saved model.

const TINY = {
  preset: 'fast',
  trainLimit: 600,
  testLimit: 200,
  validationSplit: 0.2,
  seed: 7
} as const

describe('train --early-stopping', () => {
  it('sets earlyStopping from the flags; off when not given', () => {
    expect(configFromArgs([]).config.earlyStopping).toBeUndefined()
    expect(
      configFromArgs(['--early-stopping', '3', '--min-delta', '0.01']).config.earlyStopping
    ).toEqual({ patience: 3, minDelta: 0.01 })
    expect(() => configFromArgs(['--min-delta', '0.1'])).toThrow(/--early-stopping/)
  })
})

describe('early stopping on the engine', () => {
  let engine: EngineClient
  let home: string
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'ds-early-'))
    // One thread: two wasm threads share batches by timing, so two runs differ in the last bits.
    engine = await startEngine({ DIGIT_STUDIO_HOME: home, DIGIT_STUDIO_THREADS: '1' })
  }, 60_000)
  afterAll(async () => {
    await engine?.dispose()
    await rm(home, { recursive: true, force: true })
  })

  it("stops when the loss no longer improves and saves the best epoch's weights", async () => {
    // minDelta 1 (the limit): epoch 1 improves on nothing-yet, no later epoch can beat it by a
    // whole unit of loss, so with patience 1 the run must stop after epoch 2 and keep epoch 1.
    const early = await trainToDone(engine, {
      ...TINY,
      epochs: 5,
      earlyStopping: { patience: 1, minDelta: 1 }
    })
    expect(early.epochs).toEqual([1, 2])
    expect(early.done).toMatchObject({ stoppedEarly: true, bestEpoch: 1, epochsCompleted: 2 })
    // The same run stopped by its epoch count after epoch 1 has the weights early stopping kept...
    const one = await trainToDone(engine, { ...TINY, epochs: 1 })
    const weights = (dir: string): Promise<Buffer> => readFile(join(dir, 'weights.bin'))
    const kept = await weights(join(early.done.runDir!, 'model'))
    expect(
      compareWeights(kept, await weights(join(one.done.runDir!, 'model'))).withinTolerance
    ).toBe(true)
    // ...and not those of epoch 2, which the run's checkpoint holds.
    const last = await weights(join(early.done.runDir!, 'checkpoint'))
    expect(compareWeights(kept, last).maxAbsDiff).toBeGreaterThan(1e-3)
  }, 120_000)

  it('is refused without a validation split', async () => {
    await expect(
      engine.request('training:start', {
        ...DEFAULT_TRAIN_CONFIG,
        ...TINY,
        validationSplit: 0,
        earlyStopping: { patience: 2 }
      })
    ).rejects.toThrow(/validation split/)
  })
})
