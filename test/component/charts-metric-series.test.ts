// The metrics adapter (RELIABILITY T3): non-finite values become marked gaps, never 0.
import { describe, expect, it } from 'vitest'
import {
  appendBatch,
  appendEpoch,
  batchX,
  emaStep,
  emptySeries,
  sanitizeMetric
} from '../../src/renderer/src/lib/charts/metric-series'
import type { BatchEvent, EpochEvent } from '#shared/protocol/training-events'

const batch = (over: Partial<BatchEvent> = {}): BatchEvent => ({
  type: 'training:batch',
  runId: 'r',
  epoch: 1,
  batch: 1,
  batchesPerEpoch: 4,
  loss: 2.3,
  accuracy: 0.1,
  samplesPerSecond: 500,
  ...over
})
const epoch = (over: Partial<EpochEvent> = {}): EpochEvent => ({
  type: 'training:epoch',
  runId: 'r',
  epoch: 1,
  epochs: 2,
  loss: 0.5,
  accuracy: 0.85,
  valLoss: 0.4,
  valAccuracy: 0.88,
  seconds: 3,
  samplesPerSecond: 600,
  etaSeconds: 3,
  ...over
})

describe('sanitizeMetric', () => {
  it('passes finite numbers, including 0', () => {
    expect(sanitizeMetric(0.25)).toEqual({ value: 0.25, problem: null })
    expect(sanitizeMetric(0)).toEqual({ value: 0, problem: null })
  })
  it('turns NaN, Infinity and JSON null into gaps with a reason', () => {
    expect(sanitizeMetric(NaN)).toEqual({ value: null, problem: 'NaN' })
    expect(sanitizeMetric(Infinity)).toEqual({ value: null, problem: 'Infinity' })
    expect(sanitizeMetric(-Infinity)).toEqual({ value: null, problem: '-Infinity' })
    expect(sanitizeMetric(JSON.parse(JSON.stringify({ v: NaN })).v)).toEqual({
      value: null,
      problem: 'NaN or Infinity (sent as null)'
    })
    expect(sanitizeMetric(undefined).value).toBeNull()
    expect(sanitizeMetric('1').value).toBeNull()
  })
})

describe('series', () => {
  it('places batches inside their epoch so the epoch point lands on x = epoch', () => {
    expect(batchX(1, 1, 4)).toBe(0.25)
    expect(batchX(1, 4, 4)).toBe(1)
    expect(batchX(2, 2, 4)).toBe(1.5)
  })

  it('debiases the EMA so the first smoothed value equals the first raw value', () => {
    const [first, state] = emaStep({ last: 0, steps: 0 }, 2)
    expect(first).toBeCloseTo(2)
    const [gap, same] = emaStep(state, null)
    expect(gap).toBeNull()
    expect(same).toBe(state)
  })

  it('appends immutably (replace, never push) and keeps gaps as null with a message', () => {
    const empty = emptySeries()
    const one = appendBatch(empty, batch())
    expect(empty.batchLoss).toHaveLength(0)
    expect(one.batchLoss).toEqual([{ x: 0.25, y: 2.3 }])
    const two = appendBatch(one, batch({ batch: 2, loss: NaN, accuracy: 0.2 }))
    expect(two.batchLoss[1]).toEqual({ x: 0.5, y: null })
    expect(two.batchLossSmooth[1].y).toBeNull()
    expect(two.batchAccuracy[1].y).toBe(0.2)
    expect(two.gaps).toEqual([
      { x: 0.5, metric: 'loss', message: 'loss was NaN at epoch 1, batch 2' }
    ])
    expect(one.gaps).toHaveLength(0)
    // After the gap the smoothed line continues from the last finite values, not from 0.
    const three = appendBatch(two, batch({ batch: 3, loss: 2.3 }))
    expect(three.batchLossSmooth[2].y).toBeCloseTo(2.3)
  })

  it('adds epoch points for training and validation, flagging a non-finite validation loss', () => {
    const s = appendEpoch(emptySeries(), epoch({ valLoss: null }), true)
    expect(s.epochLoss).toEqual([{ x: 1, y: 0.5 }])
    expect(s.epochValLoss).toEqual([{ x: 1, y: null }])
    expect(s.epochValAccuracy).toEqual([{ x: 1, y: 0.88 }])
    expect(s.gaps[0].message).toMatch(/validation loss was NaN or Infinity/)
  })

  it('leaves validation out without flagging when the run has no validation split', () => {
    const s = appendEpoch(emptySeries(), epoch({ valLoss: null, valAccuracy: null }), false)
    expect(s.epochValLoss).toHaveLength(0)
    expect(s.gaps).toHaveLength(0)
  })

  it('never turns a non-finite value into 0 anywhere in the series', () => {
    let s = emptySeries()
    for (const loss of [NaN, Infinity, -Infinity, null as unknown as number]) {
      s = appendBatch(s, batch({ batch: s.batchLoss.length + 1, loss, accuracy: loss }))
    }
    const ys = [
      ...s.batchLoss,
      ...s.batchLossSmooth,
      ...s.batchAccuracy,
      ...s.batchAccuracySmooth
    ].map((p) => p.y)
    expect(ys.every((y) => y === null)).toBe(true)
    expect(s.gaps).toHaveLength(8)
  })
})
