// Pure helpers of the dashboard: formatting, config validation against the schema, digit bytes.
import { describe, expect, it } from 'vitest'
import { digitPixels, toBytes } from '../../src/renderer/src/lib/digit-image'
import {
  formatCount,
  formatDuration,
  formatMetric,
  formatPercent,
  formatShape
} from '../../src/renderer/src/lib/format'
import { FIELD_SPECS, validateConfig } from '../../src/renderer/src/lib/train-config-fields'
import { DEFAULT_TRAIN_CONFIG } from '#shared/protocol/training'

describe('format', () => {
  it('spells out non-finite values instead of printing 0', () => {
    expect(formatPercent(0.98765)).toBe('98.77 %')
    expect(formatPercent(NaN)).toBe('NaN')
    expect(formatPercent(null)).toBe('—')
    expect(formatMetric(Infinity)).toBe('Infinity')
    expect(formatMetric(0.12345)).toBe('0.1235')
  })
  it('formats counts, durations and shapes', () => {
    expect(formatCount(60000)).toBe('60,000')
    expect(formatDuration(42)).toBe('42 s')
    expect(formatDuration(185)).toBe('3 min 05 s')
    expect(formatDuration(3720)).toBe('1 h 02 min')
    expect(formatDuration(NaN)).toBe('—')
    expect(formatShape([null, 26, 26, 32])).toBe('(batch, 26, 26, 32)')
  })
})

describe('config validation', () => {
  it('accepts the defaults and names each bad field', () => {
    expect(validateConfig(DEFAULT_TRAIN_CONFIG)).toEqual({})
    const errors = validateConfig({
      ...DEFAULT_TRAIN_CONFIG,
      epochs: 0,
      batchSize: 1.5,
      learningRate: 0,
      learningRateDecay: 1.5,
      validationSplit: 0.9
    })
    expect(errors.epochs).toBe('Must be at least 1.')
    expect(errors.batchSize).toBe('Must be a whole number.')
    expect(errors.learningRate).toBe('Must be more than 0.')
    expect(errors.learningRateDecay).toBe('Must be at most 1.')
    expect(errors.validationSplit).toBe('Must be at most 0.5.')
    expect(validateConfig({ ...DEFAULT_TRAIN_CONFIG, epochs: null }).epochs).toBe('Enter a number.')
  })
  it("takes the inputs' limits from the schema", () => {
    const spec = Object.fromEntries(FIELD_SPECS.map((f) => [f.key, f]))
    expect([spec.epochs.min, spec.epochs.max]).toEqual([1, 200])
    expect([spec.batchSize.min, spec.batchSize.max]).toEqual([1, 4096])
    expect([spec.learningRate.min, spec.learningRate.minExclusive]).toEqual([0, true])
    expect([spec.learningRateDecay.min, spec.learningRateDecay.max]).toEqual([0, 1])
    expect(spec.validationSplit.max).toBe(0.5)
    // No upper bound in the schema (a folder dataset may be bigger than MNIST): none in the form.
    expect(spec.trainLimit.max).toBeUndefined()
    // At each bound the form and the schema agree: the bound itself is accepted (unless exclusive),
    // and one step beyond it is refused.
    const errorAt = (key: string, value: number): string | undefined =>
      validateConfig({ ...DEFAULT_TRAIN_CONFIG, [key]: value })[key as 'epochs']
    for (const f of FIELD_SPECS) {
      if (f.max !== undefined) {
        expect(errorAt(f.key, f.max)).toBeUndefined()
        expect(errorAt(f.key, f.max + 0.5)).toBeDefined()
      }
      if (f.min !== undefined) {
        expect(errorAt(f.key, f.min) === undefined).toBe(!f.minExclusive)
        expect(errorAt(f.key, f.min + (f.minExclusive ? 1e-6 : 0))).toBeUndefined()
        expect(errorAt(f.key, f.min - 0.5)).toBeDefined()
      }
    }
  })
})

describe('digit images', () => {
  it('accepts bytes however the bridge delivered them', () => {
    const bytes = new Uint8Array(784).fill(7)
    expect(toBytes(bytes)).toBe(bytes)
    expect(toBytes(Array.from(bytes))[10]).toBe(7)
    expect(toBytes(JSON.parse(JSON.stringify(bytes)))[783]).toBe(7)
    expect(toBytes(undefined)).toHaveLength(784)
  })
  it('draws white ink on black, opaque', () => {
    const bytes = new Uint8Array(784)
    bytes[0] = 255
    const rgba = digitPixels(bytes, false)
    expect([...rgba.slice(0, 8)]).toEqual([255, 255, 255, 255, 0, 0, 0, 255])
  })
})
