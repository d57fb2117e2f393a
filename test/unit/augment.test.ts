import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { affineRows, augmentBatch } from '#engine/training/augment'
import { selectBackend } from '#engine/backend/selection'
import { testBackend } from '../helpers/engine'

beforeAll(async () => {
  // The engine's backend selection, in this process, on the backend the tests ask for.
  await selectBackend(testBackend())
})

describe('augmentation', () => {
  const batch = (): tf.Tensor4D => {
    // A vertical bar: easy to see it move, rotate and thicken.
    const x = new Float32Array(2 * 784)
    for (let n = 0; n < 2; n++) for (let r = 6; r < 22; r++) x[n * 784 + r * 28 + 13] = 1
    return tf.tensor4d(x, [2, 28, 28, 1])
  }

  it('is seeded: same seed same batch, another seed another batch; shape and range kept', () => {
    const xs = batch()
    const a = augmentBatch(xs, 11)
    const b = augmentBatch(xs, 11)
    const c = augmentBatch(xs, 12)
    expect(a.shape).toEqual([2, 28, 28, 1])
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()))
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()))
    expect(a.max().dataSync()[0]).toBeLessThanOrEqual(1)
    expect(a.min().dataSync()[0]).toBeGreaterThanOrEqual(0)
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(xs.dataSync()))
    tf.dispose([xs, a, b, c])
  })

  it('with every amount at zero it is the identity (the transform maps each pixel to itself)', () => {
    const xs = batch()
    const before = tf.memory().numTensors
    const out = augmentBatch(xs, 3, { maxRotationDeg: 0, maxShiftPx: 0, maxScale: 0, maxStroke: 0 })
    expect(tf.memory().numTensors).toBe(before + 1)
    const diff = tf.tidy(() => tf.abs(tf.sub(out, xs)).max().dataSync()[0])
    expect(diff).toBeLessThan(1e-5)
    const { rows } = affineRows(1, 3, {
      maxRotationDeg: 0,
      maxShiftPx: 0,
      maxScale: 0,
      maxStroke: 0
    })
    expect(Array.from(rows).map((v) => Math.round(v * 1e6) / 1e6 + 0)).toEqual([
      1, 0, 0, 0, 1, 0, 0, 0
    ])
    tf.dispose([xs, out])
  })

  it('the running backend transforms like the tfjs reference (cpu) kernel: rotation, shift, scale', async () => {
    // On native this is libtensorflow's ImageProjectiveTransformV3 behind our Transform kernel
    // (tfjs-node has none); on wasm, the cpu kernel the fallback delegates to.
    const images = tf.tidy(() =>
      tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 5)
    ) as tf.Tensor4D
    const { rows } = affineRows(3, 21)
    const transforms = tf.tensor2d(rows, [3, 8])
    const here = Float32Array.from(
      tf.tidy(() => tf.image.transform(images, transforms, 'bilinear', 'constant', 0).dataSync())
    )
    const backend = tf.getBackend()
    const [x, t] = [images.arraySync(), transforms.arraySync()]
    // One image per call: with batches of several images, tfjs 4.22's cpu kernel returned the
    // images after the first blank here.
    await tf.setBackend('cpu')
    const reference = Float32Array.from(
      x.flatMap((image, i) =>
        tf.tidy(() =>
          Array.from(
            tf.image
              .transform(tf.tensor4d([image]), tf.tensor2d([t[i]]), 'bilinear', 'constant', 0)
              .dataSync()
          )
        )
      )
    )
    await tf.setBackend(backend)
    const pixels = x.flat(3)
    const diff = here.reduce((max, v, i) => Math.max(max, Math.abs(v - reference[i])), 0)
    expect(diff).toBeLessThan(1e-5)
    // Not the identity: the rows move pixels.
    expect(here.reduce((max, v, i) => Math.max(max, Math.abs(v - pixels[i])), 0)).toBeGreaterThan(
      0.1
    )
    tf.dispose([images, transforms])
  })
})
