import * as tf from '@tensorflow/tfjs'
import * as ort from 'onnxruntime-node'
import { createModel } from '../src/main/engine/models'
import { modelToOnnx } from '../src/main/engine/export/onnx'
import { writeKerasH5 } from '../src/main/engine/export/keras'
import { buildExportMetadata } from '../src/main/engine/export/metadata'
await tf.setBackend('cpu')
for (const preset of ['seed', 'fast', 'accurate'] as const) {
  const m = createModel(preset, { learningRate: 1e-3, seed: 1 })
  const bytes = modelToOnnx(m, buildExportMetadata(null))
  const s = await ort.InferenceSession.create(bytes)
  const x = new Float32Array(4 * 784).map(() => Math.random())
  const out = await s.run({ input: new ort.Tensor('float32', x, [4, 28, 28, 1]) })
  const ref = (m.predict(tf.tensor4d(x, [4, 28, 28, 1])) as tf.Tensor).dataSync()
  const got = out.probabilities.data as Float32Array
  let d = 0; for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(ref[i] - got[i]))
  console.log(preset, bytes.length, 'maxdiff', d)
  await writeKerasH5(m, buildExportMetadata(null), `tmp-probe/${preset}.h5`)
}
