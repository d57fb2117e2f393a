import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { explainDigit, unitPixels } from '#engine/explain/explain-digit'
import { buildInsideSnapshot } from '#engine/explain/inside-snapshots'
import { createModel } from '#engine/training/models'
import { testBackend } from '../helpers/engine'

// The per-epoch Inside snapshot shows one digit's prediction and layer views. It used to compute
// (and drop) an occlusion map on the way: 170 occluded copies through the whole network in one
// batch, the largest transient of an `accurate` run on the wasm heap. It must show the same
// views as `explainDigit` while running only the one-image forward pass.

let model: tf.LayersModel
const digit = Uint8Array.from(
  { length: 784 },
  (_, i) => ((i * 37) % 251) * ((i >> 5) % 3 === 0 ? 1 : 0)
)

beforeAll(async () => {
  await selectBackend(testBackend())
  model = createModel('accurate', { seed: 3 })
})

const round3 = (values: ArrayLike<number>): number[] =>
  Array.from(values, (x) => Math.round(x * 1000) / 1000)

describe('inside snapshot', () => {
  it("shows explainDigit's prediction and layer views", () => {
    const snapshot = buildInsideSnapshot(model, 1, digit)
    const full = explainDigit(model, unitPixels(digit), { method: 'occlusion', contrast: false })
    expect(snapshot.label).toBe(full.label)
    expect(snapshot.probabilities).toEqual(round3(full.probabilities))
    expect(snapshot.filters?.data).toEqual(round3(full.filters!.data))
    const convs = full.layers.filter((l) => l.shape.length === 3)
    expect(snapshot.layers.map((l) => l.name)).toEqual(convs.map((l) => l.name))
    snapshot.layers.forEach((l, i) => expect(l.data).toEqual(round3(convs[i].data ?? [])))
  })

  it('runs one forward pass of one image, not a batch of occluded copies', () => {
    // Every kernel the snapshot runs sees batch 1; the occlusion map's first convolution saw 170.
    const batches = new Set<number>()
    const conv = model.layers.find((l) => l.getClassName() === 'Conv2D')!
    const apply = conv.apply.bind(conv)
    conv.apply = ((inputs: tf.Tensor, kwargs?: object) => {
      batches.add(inputs.shape[0]!)
      return apply(inputs, kwargs)
    }) as typeof conv.apply
    try {
      buildInsideSnapshot(model, 1, digit)
    } finally {
      conv.apply = apply
    }
    expect([...batches]).toEqual([1])
  })
})
