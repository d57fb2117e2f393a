import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { loadDataset } from '#engine/data/datasets'
import { anatomyOf, saliencyMap, unitPixels } from '#engine/explain/explain-digit'
import { createSeedModel } from '#engine/training/models'
import { IMAGE_PIXELS } from '#shared/mnist'
import { EXPLAIN_METHODS } from '#shared/protocol/explain'
import { ENGINE_GRADIENT, ENGINE_OCCLUSION, variantMap } from '../fixtures/saliency-variants'
import { testBackend } from '../helpers/engine'

// scripts/saliency-variants.ts measures the sanity checks for choices within each method; its
// figures only compare with the engine's if its default variant makes the engine's maps.

let input: Float32Array

beforeAll(async () => {
  await selectBackend(testBackend())
  const { test } = await loadDataset({ kind: 'embedded' })
  input = unitPixels(test.images.slice(0, IMAGE_PIXELS))
}, 600_000)

describe('saliency variants', () => {
  it.each(EXPLAIN_METHODS)('the default variant of %s is the engine map', (method) => {
    const anatomy = anatomyOf(createSeedModel({ seed: 3 }))
    const weights = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    const engine = saliencyMap(anatomy, input, method, weights)
    const variant = variantMap(
      { method, gradient: ENGINE_GRADIENT, occlusion: ENGINE_OCCLUSION },
      anatomy,
      input,
      weights
    )
    const scale = Math.max(...Array.from(engine, Math.abs))
    expect(scale).toBeGreaterThan(0)
    const worst = Math.max(...Array.from(engine, (e, i) => Math.abs(e - variant[i])))
    expect(worst / scale).toBeLessThan(1e-4)
  })
})
