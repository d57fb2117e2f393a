/**
 * ONNX export checked by a real ONNX runtime (onnxruntime-node's CPU build): on 100 MNIST test
 * images its outputs match the engine's within 1e-4, for every preset (conv, pooling, flatten order,
 * dense, batch norm, dropout, softmax).
 */
import * as tf from '@tensorflow/tfjs'
import * as ort from 'onnxruntime-node'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportModel } from '#engine/export/index'
import { buildExportMetadata } from '#engine/export/metadata'
import { modelToOnnx, ONNX_OPSET } from '#engine/export/onnx'
import { decodeModel } from '#engine/export/onnx-proto'
import type { PresetName } from '#shared/protocol/training'
import {
  predictFlat,
  saveModel,
  tempDir,
  testImages,
  trainedModel,
  useEngineBackend
} from './export-helpers'

const COUNT = 100
const TOLERANCE = 1e-4

let x: Float32Array
let labels: Uint8Array

async function runOnnx(bytes: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes)
  try {
    const out = await session.run({ input: new ort.Tensor('float32', x, [COUNT, 28, 28, 1]) })
    return out.probabilities.data as Float32Array
  } finally {
    await session.release()
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let d = 0
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]))
  return d
}

/** Batch-norm statistics barely move in one short fit; spread them so the test sees their effect. */
function perturbBatchNorm(model: tf.LayersModel): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    // getWeights hands out the variables' own tensors: read them, never dispose them.
    const [gamma, , mean, variance] = layer.getWeights()
    const n = gamma.shape[0]
    const ramp = (a: number, b: number): tf.Tensor => tf.linspace(a, b, n)
    layer.setWeights([
      ramp(0.5, 1.5),
      ramp(-0.2, 0.2),
      mean.add(ramp(-0.1, 0.1)),
      variance.mul(ramp(0.5, 2))
    ])
  }
}

beforeAll(async () => {
  await useEngineBackend()
  ;({ x, labels } = await testImages(COUNT))
})

describe('ONNX export', () => {
  const models: tf.LayersModel[] = []
  afterAll(() => models.forEach((m) => m.dispose()))

  for (const preset of ['seed', 'fast', 'accurate'] as PresetName[]) {
    it(`${preset}: onnxruntime outputs match the engine within ${TOLERANCE} on ${COUNT} test images`, async () => {
      const model = await trainedModel(preset, 256)
      models.push(model)
      if (preset === 'accurate') perturbBatchNorm(model)
      const engine = predictFlat(model, x, COUNT)
      const onnx = await runOnnx(modelToOnnx(model, buildExportMetadata(null)))
      const diff = maxAbsDiff(onnx, engine)
      console.log(
        `${preset}: max |onnx - engine| = ${diff.toExponential(2)} over ${COUNT * 10} probabilities`
      )
      expect(diff).toBeLessThan(TOLERANCE)
      // Same predicted class for every image, and the model did learn something.
      let agree = 0
      let correct = 0
      for (let i = 0; i < COUNT; i++) {
        const argmax = (p: Float32Array): number =>
          p.subarray(i * 10, i * 10 + 10).reduce((b, v, k, a) => (v > a[b] ? k : b), 0)
        if (argmax(onnx) === argmax(engine)) agree++
        if (argmax(engine) === labels[i]) correct++
      }
      console.log(`${preset}: ${correct}/${COUNT} test images right after a few batches`)
      expect(agree).toBe(COUNT)
      // A few batches are enough for the seed model to be well above chance (10 %), so the compared
      // activations are those of a model that learned; the others get fewer steps than they need.
      if (preset === 'seed') expect(correct).toBeGreaterThan(30)
    })
  }

  it('writes opset 13, named input/output and the metadata, atomically through model:export', async () => {
    const home = tempDir()
    const dir = join(home, 'm')
    await saveModel(models[0], dir, 'seed')
    const out = join(home, 'digits.onnx')
    const result = await exportModel({ format: 'onnx', out, modelDir: dir })
    expect(result.files).toEqual([out])
    const proto = decodeModel(readFileSync(out)) as {
      opset_import: { version: number }[]
      graph: { input: { name: string }[]; output: { name: string }[] }
      metadata_props: { key: string; value: string }[]
      producer_name: string
    }
    expect(proto.opset_import[0].version).toBe(ONNX_OPSET)
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(13)
    expect(proto.producer_name).toBe('Digit Studio')
    expect(proto.graph.input.map((i) => i.name)).toEqual(['input'])
    expect(proto.graph.output.map((o) => o.name)).toEqual(['probabilities'])
    const props = Object.fromEntries(proto.metadata_props.map((p) => [p.key, p.value]))
    expect(props.preset).toBe('seed')
    expect(JSON.parse(props.hyperparameters)).toMatchObject({ batchSize: 64 })
    expect(props.testAccuracy).toBe('0.9')
    expect(props.appVersion).toBe('0.1.0')
    // The file on disk runs too.
    expect(
      maxAbsDiff(await runOnnx(readFileSync(out)), predictFlat(models[0], x, COUNT))
    ).toBeLessThan(TOLERANCE)
  })

  it('refuses a layer it cannot map, naming it, and writes nothing', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 2, kernelSize: 3 }),
        tf.layers.upSampling2d({ size: [2, 2] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10 })
      ]
    })
    expect(() => modelToOnnx(model, buildExportMetadata(null))).toThrow(
      /ONNX export: layer up_sampling2d\w* \(UpSampling2D\): this layer type has no ONNX mapping/
    )
    model.dispose()
  })
})
