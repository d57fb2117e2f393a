import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { testBackend } from '../helpers/engine'
import { evaluateProbabilities } from '#engine/training/predict'
import { predictionsPage, type PredictionSet } from '#engine/store/predictions-store'

beforeAll(async () => {
  // The engine's backend selection, in this process, on the backend the tests ask for.
  await selectBackend(testBackend())
})

describe('evaluation and the gallery store', () => {
  const probs = Float32Array.from([
    // image 0: true 1, predicted 1 (sure)
    0, 0.9, 0.1, 0, 0, 0, 0, 0, 0, 0,
    // image 1: true 2, predicted 1 (unsure)
    0, 0.5, 0.4, 0.1, 0, 0, 0, 0, 0, 0,
    // image 2: true 2, predicted 2
    0, 0, 0.7, 0.3, 0, 0, 0, 0, 0, 0
  ])
  const labels = Uint8Array.of(1, 2, 2)

  it('computes loss, accuracy, confusion and per-class accuracy', () => {
    const e = evaluateProbabilities(probs, labels)
    expect(e.accuracy).toBeCloseTo(2 / 3, 6)
    expect(e.loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.7)) / 3, 5)
    expect(e.confusion[2][1]).toBe(1)
    expect(e.confusion[2][2]).toBe(1)
    expect(e.confusion[1][1]).toBe(1)
    expect(e.perClassAccuracy[2]).toBe(0.5)
    expect(Array.from(e.predicted)).toEqual([1, 1, 2])
  })

  it('serves pages filtered and sorted least sure first', () => {
    const e = evaluateProbabilities(probs, labels)
    const set: PredictionSet = {
      images: new Uint8Array(3 * 784).map((_, i) => Math.floor(i / 784)),
      labels,
      probabilities: probs,
      predicted: e.predicted,
      confidence: e.confidence
    }
    const all = predictionsPage({ offset: 0, limit: 10, sort: 'confidence' }, set)
    expect(all.total).toBe(3)
    expect(all.items.map((i) => i.index)).toEqual([1, 2, 0])
    expect(all.items[0].image[0]).toBe(1)
    expect(all.items[0].probabilities[1]).toBeCloseTo(0.5, 6)
    expect(
      predictionsPage({ offset: 0, limit: 10, filter: { kind: 'misclassified' } }, set).items.map(
        (i) => i.index
      )
    ).toEqual([1])
    expect(
      predictionsPage({ offset: 0, limit: 10, filter: { kind: 'true', label: 2 } }, set).total
    ).toBe(2)
    expect(
      predictionsPage({ offset: 0, limit: 10, filter: { kind: 'predicted', label: 1 } }, set).total
    ).toBe(2)
    expect(
      predictionsPage(
        { offset: 0, limit: 10, filter: { kind: 'pair', trueLabel: 2, predicted: 1 } },
        set
      ).total
    ).toBe(1)
    expect(predictionsPage({ offset: 1, limit: 1 }, set).items.map((i) => i.index)).toEqual([1])
    expect(() => predictionsPage({ offset: 0, limit: 1 }, null)).toThrow(
      /no test-set predictions yet/
    )
  })
})
