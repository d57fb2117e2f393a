import { describe, expect, it } from 'vitest'
import { epochLearningRate } from '#engine/training/train'
import { configFromArgs } from '../../src/cli/commands/train'

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

  it("takes the preset's decay when not given: accurate decays, seed keeps a constant rate", () => {
    expect(configFromArgs(['--preset', 'accurate']).config.learningRateDecay).toBe(0.75)
    expect(configFromArgs(['--preset', 'seed']).config.learningRateDecay).toBe(1)
    expect(
      configFromArgs(['--preset', 'accurate', '--lr-decay', '1']).config.learningRateDecay
    ).toBe(1)
  })
})
