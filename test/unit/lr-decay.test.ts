import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineEvent } from '#shared/engine-protocol'
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '#shared/protocol/training'
import { FusedAdamOptimizer } from '#engine/backend/kernels/fused-adam'
import { selectBackend, type BackendChoice } from '#engine/backend/selection'
import { epochLearningRate } from '#engine/training/lr-schedule'
import { isTraining, startTraining } from '#engine/training/training-session'
import { configFromArgs } from '../../src/cli/commands/train-args'

// Optional per-epoch step decay of the learning rate (TrainConfig.learningRateDecay).

describe('epochLearningRate', () => {
  it('is constant without a decay', () => {
    expect([1, 2, 3].map((e) => epochLearningRate({ learningRate: 1e-3 }, e))).toEqual([
      1e-3, 1e-3, 1e-3
    ])
  })

  it('halves each epoch with a decay of 0.5, by absolute epoch (so a resumed run continues it)', () => {
    const config = { learningRate: 1e-3, learningRateDecay: 0.5 }
    expect([1, 2, 3].map((e) => epochLearningRate(config, e))).toEqual([1e-3, 5e-4, 2.5e-4])
  })
})

describe('train --lr-decay', () => {
  it('sets learningRateDecay', () => {
    expect(configFromArgs(['--lr-decay', '0.5']).config.learningRateDecay).toBe(0.5)
  })

  it("takes the preset's schedule when not given: accurate shrinks by a quarter, seed halves, fast keeps its rate", () => {
    expect(configFromArgs(['--preset', 'accurate']).config.learningRateDecay).toBe(0.75)
    expect(configFromArgs(['--preset', 'seed']).config).toMatchObject({
      learningRate: 2e-3,
      learningRateDecay: 0.5
    })
    expect(configFromArgs(['--preset', 'fast']).config.learningRateDecay).toBe(1)
    expect(
      configFromArgs(['--preset', 'accurate', '--lr-decay', '1']).config.learningRateDecay
    ).toBe(1)
  })
})

describe('the optimizer during a run', () => {
  let home: string
  let backend: BackendChoice
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'ds-lr-decay-'))
    // In this process, on the wasm fallback (the fused Adam's home), one thread: the rate is
    // read from the optimizer that really applies the updates.
    process.env.DIGIT_STUDIO_HOME = home
    process.env.DIGIT_STUDIO_THREADS = '1'
    backend = await selectBackend('wasm')
  })
  afterAll(async () => {
    delete process.env.DIGIT_STUDIO_HOME
    delete process.env.DIGIT_STUDIO_THREADS
    await rm(home, { recursive: true, force: true })
  })

  /** Trains to the end, returning the learning rate of every optimizer update, in order. */
  async function ratesOfRun(
    config: Partial<TrainConfig>
  ): Promise<{ rates: number[]; runDir: string }> {
    const rates: number[] = []
    // Every update goes through applyGradients; record the rate the optimizer holds at that moment.
    const original = FusedAdamOptimizer.prototype.applyGradients
    FusedAdamOptimizer.prototype.applyGradients = function (this: FusedAdamOptimizer, grads) {
      rates.push(this.getLearningRate())
      original.call(this, grads)
    }
    try {
      const done = new Promise<Extract<EngineEvent, { type: 'training:done' }>>(
        (resolve, reject) => {
          void startTraining(
            {
              ...DEFAULT_TRAIN_CONFIG,
              preset: 'fast',
              batchSize: 32,
              trainLimit: 64,
              testLimit: 32,
              ...config
            },
            backend,
            (e) => {
              if (e.type === 'training:done') resolve(e)
              if (e.type === 'training:error') reject(new Error(e.error.message))
            }
          ).catch(reject)
        }
      )
      const { runDir } = await done
      if (runDir === undefined) throw new Error('training:done without a runDir')
      // `training:done` goes out just before the engine is released for the next run.
      while (isTraining()) await new Promise((resolve) => setTimeout(resolve, 5))
      return { rates, runDir }
    } finally {
      FusedAdamOptimizer.prototype.applyGradients = original
    }
  }

  it('receives the decayed rate each epoch, and a resumed run continues the decay', async () => {
    const decay = { learningRate: 1e-3, learningRateDecay: 0.5, validationSplit: 0 }
    const first = await ratesOfRun({ ...decay, epochs: 2 })
    // 64 images in batches of 32: two updates per epoch.
    expect(first.rates).toEqual([1e-3, 1e-3, 5e-4, 5e-4])
    // The checkpoint comes back into the fused Adam (registered under Adam's name), at epoch 3's rate.
    const resumed = await ratesOfRun({
      ...decay,
      epochs: 3,
      resumeFrom: join(first.runDir, 'checkpoint')
    })
    expect(resumed.rates).toEqual([2.5e-4, 2.5e-4])
  })
})
