import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { buildModel } from '#engine/training/build-model'
import { createSeedModel } from '#engine/training/models'
import { analyseLayers, firstProblem, MAX_SPEC_PARAMETERS } from '#shared/model-spec/analyse'
import { completeSpec } from '#shared/model-spec/complete'
import { specFromKerasJson, specToKerasJson } from '#shared/model-spec/keras-json'
import { PRESET_SPECS } from '#shared/model-spec/presets'
import type { LayerSpec, ModelSpec } from '#shared/model-spec/schema'
import { testBackend } from '../helpers/engine'

// The architecture spec (issue 14): Keras JSON in and out, shape inference, building.
// Exports of generated architectures: export-architectures.test.ts.

beforeAll(async () => {
  await selectBackend(testBackend())
})

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/architectures/${name}`, import.meta.url), 'utf8'))

/** What tfjs itself says of each layer, to hold shape inference against. */
function tfjsShapes(model: tf.LayersModel): { shape: number[]; params: number }[] {
  return model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => ({
      shape: (l.outputShape as (number | null)[]).slice(1) as number[],
      params: l.countParams()
    }))
}

describe('shape inference', () => {
  it('agrees with tfjs on every preset and a strided, padded, GELU stack', () => {
    const custom: ModelSpec = {
      name: 'custom',
      layers: [
        {
          type: 'Conv2D',
          filters: 6,
          kernelSize: 5,
          strides: 2,
          padding: 'same',
          activation: 'gelu',
          useBias: true
        },
        { type: 'AveragePooling2D', poolSize: 3, strides: 2, padding: 'same' },
        { type: 'BatchNormalization', momentum: 0.99, epsilon: 0.001 },
        {
          type: 'Conv2D',
          filters: 4,
          kernelSize: 2,
          strides: 1,
          padding: 'valid',
          activation: 'elu',
          useBias: false
        },
        { type: 'MaxPooling2D', poolSize: 3, padding: 'valid' },
        { type: 'GlobalAveragePooling2D' },
        { type: 'Dense', units: 10, activation: 'softmax', useBias: true }
      ]
    }
    for (const spec of [...Object.values(PRESET_SPECS), custom]) {
      const model = buildModel(spec, { seed: 1 })
      const analysis = analyseLayers(spec.layers)
      expect(analysis.ok, spec.name).toBe(true)
      expect(analysis.layers.map((l) => ({ shape: l.outputShape, params: l.params }))).toEqual(
        tfjsShapes(model)
      )
      expect(analysis.totalParams).toBe(model.countParams())
      model.dispose()
    }
    expect(analyseLayers(PRESET_SPECS.seed.layers).totalParams).toBe(225_034)
  })

  it('explains an impossible stack at the layer that breaks it', () => {
    const pool = (p: number): LayerSpec => ({ type: 'MaxPooling2D', poolSize: p, padding: 'valid' })
    const layers: LayerSpec[] = [pool(3), pool(3), pool(2), pool(3), { type: 'Flatten' }]
    const a = analyseLayers(layers)
    expect(a.ok).toBe(false)
    expect(a.layers[3].error).toBe(
      'the 3×3 pool after the 2×2 pool leaves nothing to pool: its input is 1×1'
    )
    expect(a.layers[4].outputShape).toBeNull()
    expect(firstProblem(a)).toMatch(/^layer 4 \(MaxPooling2D\): the 3×3 pool after the 2×2 pool/)
    const dense = analyseLayers([
      { type: 'Dense', units: 10, activation: 'softmax', useBias: true }
    ])
    expect(dense.layers[0].error).toMatch(/Dense needs a flat input .* put Flatten/)
  })

  it('names the field outside its limits, and refuses a model over 20 M parameters with figures', () => {
    const a = analyseLayers([{ type: 'Conv2D', filters: 600, kernelSize: 3 }])
    expect(a.layers[0]).toMatchObject({ field: 'filters', error: 'filters: Must be at most 512.' })
    const big = analyseLayers([
      { type: 'Flatten' },
      { type: 'Dense', units: 4096, activation: 'relu', useBias: true },
      { type: 'Dense', units: 4096, activation: 'relu', useBias: true },
      { type: 'Dense', units: 10, activation: 'softmax', useBias: true }
    ])
    expect(big.totalParams).toBeGreaterThan(MAX_SPEC_PARAMETERS)
    expect(big.modelErrors[0]).toMatch(/^20,037,642 parameters, over the limit of 20,000,000/)
  })

  it('adds the fixed classifier when it is missing', () => {
    const spec = completeSpec({
      name: 'x',
      layers: [
        {
          type: 'Conv2D',
          filters: 4,
          kernelSize: 3,
          strides: 1,
          padding: 'valid',
          activation: 'relu',
          useBias: true
        }
      ]
    })
    expect(spec.layers.map((l) => l.type)).toEqual(['Conv2D', 'Flatten', 'Dense'])
    expect(spec.layers[2]).toMatchObject({ units: 10, activation: 'softmax' })
    expect(completeSpec(PRESET_SPECS.seed)).toBe(PRESET_SPECS.seed)
  })
})

describe('Keras JSON', () => {
  it('reads a Keras 3 Sequential (module, registered_name, batch_shape, dtype policies)', () => {
    const spec = specFromKerasJson(fixture('keras3-sequential.json'))
    expect(spec.name).toBe('sequential')
    expect(spec.layers).toEqual([
      {
        type: 'Conv2D',
        filters: 16,
        kernelSize: 5,
        strides: 2,
        padding: 'same',
        activation: 'gelu',
        useBias: true
      },
      { type: 'AveragePooling2D', poolSize: 2, padding: 'valid' },
      { type: 'BatchNormalization', momentum: 0.99, epsilon: 0.001 },
      { type: 'GlobalAveragePooling2D' },
      { type: 'Dropout', rate: 0.2 },
      { type: 'Dense', units: 10, activation: 'softmax', useBias: true }
    ])
  })

  it('reads the Keras 2 JSON tfjs writes, and tfjs reads what it writes back', async () => {
    for (const preset of ['seed', 'accurate'] as const) {
      const model = buildModel(PRESET_SPECS[preset], { seed: 3 })
      const keras2 = model.toJSON(undefined, false)
      expect(specFromKerasJson(keras2).layers).toEqual(PRESET_SPECS[preset].layers)
      const written = specToKerasJson(PRESET_SPECS[preset])
      const back = await tf.models.modelFromJSON(written as never)
      expect(tfjsShapes(back)).toEqual(tfjsShapes(model))
      expect(specFromKerasJson(written)).toEqual(PRESET_SPECS[preset])
      back.dispose()
      model.dispose()
    }
  })

  it('refuses what is outside the subset, naming the layer and the field', () => {
    const seq = (layer: object): unknown => ({
      class_name: 'Sequential',
      config: { layers: [layer] }
    })
    const conv = { filters: 8, kernel_size: [3, 3], activation: 'relu' }
    expect(() => specFromKerasJson(seq({ class_name: 'LSTM', config: {} }), 'm.json')).toThrow(
      /^m\.json: layers\[0\] \(LSTM\): LSTM is not offered \(offered: Conv2D/
    )
    expect(() =>
      specFromKerasJson(seq({ class_name: 'Conv2D', config: { ...conv, dilation_rate: [2, 2] } }))
    ).toThrow(/layers\[0\] \(Conv2D\): dilation_rate: \[2,2\] is not offered/)
    expect(() =>
      specFromKerasJson(seq({ class_name: 'Conv2D', config: { ...conv, kernel_size: [9, 9] } }))
    ).toThrow(/layers\[0\] \(Conv2D\): kernelSize: Must be at most 7\./)
    expect(() =>
      specFromKerasJson(seq({ class_name: 'Conv2D', config: { ...conv, activation: 'swish' } }))
    ).toThrow(/layers\[0\] \(Conv2D\): activation: Invalid type: Expected \("relu"/)
    expect(() =>
      specFromKerasJson(
        seq({ class_name: 'Conv2D', config: { ...conv, batch_input_shape: [null, 32, 32, 3] } })
      )
    ).toThrow(/input shape \[32,32,3\]: the input is always \[28, 28, 1\]/)
    expect(() => specFromKerasJson({ class_name: 'Functional', config: {} })).toThrow(
      /only Sequential models/
    )
  })

  it('a preset built from its spec starts from the same weights as before (seeded per layer)', () => {
    const a = createSeedModel({ seed: 5 })
    const b = buildModel(specFromKerasJson(specToKerasJson(PRESET_SPECS.seed)), { seed: 5 })
    const [wa, wb] = [a.getWeights()[0].dataSync(), b.getWeights()[0].dataSync()]
    expect(Array.from(wb)).toEqual(Array.from(wa))
    a.dispose()
    b.dispose()
  })
})
