// Float16 weights for the starter model (issue 16): read back by tfjs's own weight decoder and
// model loader, values within half precision, half the bytes.
import * as tf from '@tensorflow/tfjs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { quantizeFloat16 } from '#engine/export/quantize'
import { fileSaver } from '#engine/store/model-io'
import { loadModelFromDir } from '#engine/store/model-store'
import { createFastModel } from '#engine/training/models'
import { testBackend } from '../helpers/engine'

let dir: string
beforeAll(async () => {
  await selectBackend(testBackend())
  dir = await mkdtemp(join(tmpdir(), 'ds-quantize-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('float16 weights', () => {
  it('tfjs decodes them: exact where half precision is, nearest otherwise, ±inf past its range', () => {
    const values = [0, 1, -2.5, 0.1, 65504, 1e5, -1e5, 6e-5, 1e-9, 3.14159]
    const artifacts: tf.io.ModelArtifacts = {
      weightSpecs: [
        { name: 'w', shape: [values.length], dtype: 'float32' },
        { name: 'n', shape: [2], dtype: 'int32' }
      ],
      weightData: new Uint8Array([
        ...new Uint8Array(new Float32Array(values).buffer),
        ...new Uint8Array(new Int32Array([7, -3]).buffer)
      ]).buffer
    }
    const half = quantizeFloat16(artifacts)
    expect((half.weightData as ArrayBuffer).byteLength).toBe(values.length * 2 + 8)
    const decoded = tf.io.decodeWeights(half.weightData as ArrayBuffer, half.weightSpecs!)
    const w = Array.from(decoded.w.dataSync())
    expect(w.slice(0, 3)).toEqual([0, 1, -2.5])
    expect(w[3]).toBeCloseTo(0.1, 4)
    expect(w[4]).toBe(65504)
    expect(w[5]).toBe(Infinity)
    expect(w[6]).toBe(-Infinity)
    expect(w[7]).toBeCloseTo(6e-5, 7) // a subnormal half
    expect(w[8]).toBe(0)
    expect(w[9]).toBeCloseTo(3.14159, 2)
    expect(Array.from(decoded.n.dataSync())).toEqual([7, -3])
  })

  it('a quantised model loads with the engine loader and predicts like the original', async () => {
    const model = createFastModel({ seed: 5 })
    let artifacts: tf.io.ModelArtifacts | null = null
    await model.save({
      save: async (a) => {
        artifacts = a
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) }
      }
    })
    await fileSaver(dir).save!(quantizeFloat16(artifacts!))
    const fullBytes = (artifacts!.weightData as ArrayBuffer).byteLength
    expect((await stat(join(dir, 'weights.bin'))).size).toBe(fullBytes / 2)
    const { model: loaded } = await loadModelFromDir(dir)
    const x = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 3)
    const a = model.predict(x) as tf.Tensor
    const b = loaded.predict(x) as tf.Tensor
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(0.01)
    expect(Array.from(b.argMax(-1).dataSync())).toEqual(Array.from(a.argMax(-1).dataSync()))
    tf.dispose([x, a, b])
    model.dispose()
    loaded.dispose()
  })
})
