/**
 * The starter model (issue 16): trains the strongest preset through the CLI (`accurate`, its
 * augmentation on, 12 epochs, seed 1) in a scratch data home, or takes an existing run with
 * `--from-run`, and writes it as a TF.js layers folder with float16 weights plus `starter.json`
 * (MNIST test accuracy before and after quantising, size, date, command, backend).
 *
 *   node --import tsx scripts/train-starter.ts [--from-run RUN_DIR] [--out resources/starter-model]
 *
 * Prints the metadata as one JSON line. The engine uses the folder as the current model of a data
 * home with no finished run (src/engine/store/model-location.ts) and reads `starter.json` for the
 * accuracy the app shows; packaging ships it as an extra resource (electron-builder.yml).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '#engine/backend/selection'
import { loadDataset } from '#engine/data/datasets'
import { quantizeFloat16 } from '#engine/export/quantize'
import { fileSaver, MODEL_JSON } from '#engine/store/model-io'
import { loadModelFromDir } from '#engine/store/model-store'

const TRAIN_ARGS = ['train', '--preset', 'accurate', '--seed', '1', '--json']

const { values } = parseArgs({
  options: {
    'from-run': { type: 'string' },
    out: { type: 'string', default: 'resources/starter-model' }
  }
})

/** Trains a run through the CLI in a scratch data home; returns its folder. */
function trainRun(): string {
  const home = mkdtempSync(join(tmpdir(), 'starter-home-'))
  const out = execFileSync('node', ['bin/digit-studio.mjs', ...TRAIN_ARGS], {
    env: { ...process.env, DIGIT_STUDIO_HOME: home },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const done = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; runId?: string })
    .find((l) => l.type === 'training:done')
  if (!done?.runId) throw new Error('training did not finish')
  return join(home, 'runs', done.runId)
}

/** Share of the MNIST test set the model reads right. */
async function testAccuracy(model: tf.LayersModel): Promise<number> {
  const { images, labels } = (await loadDataset({ kind: 'embedded' })).test
  const n = labels.length
  let right = 0
  for (let start = 0; start < n; start += 500) {
    const end = Math.min(n, start + 500)
    const predicted = tf.tidy(() => {
      const x = tf
        .tensor4d(images.subarray(start * 784, end * 784), [end - start, 28, 28, 1], 'float32')
        .div(255)
      return (model.predict(x) as tf.Tensor).argMax(-1).dataSync()
    })
    for (let i = 0; i < end - start; i++) if (predicted[i] === labels[start + i]) right++
  }
  return right / n
}

const backend = await selectBackend()
const runDir = values['from-run'] ? resolve(values['from-run']) : trainRun()
// A finished run keeps its final model in model/; a run still going has only its checkpoint.
const source = ['model', 'checkpoint']
  .map((s) => join(runDir, s))
  .find((d) => existsSync(join(d, MODEL_JSON)))
if (!source) throw new Error(`${runDir}: no model/ or checkpoint/ with a ${MODEL_JSON}`)
const { model } = await loadModelFromDir(source)
const accuracy = await testAccuracy(model)
let artifacts: tf.io.ModelArtifacts | null = null
await model.save({
  save: async (a) => {
    artifacts = a
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) }
  }
})
const half = quantizeFloat16(artifacts!)
const outDir = resolve(values.out)
await fileSaver(outDir).save!(half)
const quantized = await loadModelFromDir(outDir)
const meta = {
  source,
  final: source.endsWith('model'),
  testAccuracy: accuracy,
  testAccuracyFloat16: await testAccuracy(quantized.model),
  weightBytes: (half.weightData as ArrayBuffer).byteLength,
  date: new Date().toISOString(),
  command: values['from-run']
    ? `node --import tsx scripts/train-starter.ts --from-run ${values['from-run']}`
    : `digit-studio ${TRAIN_ARGS.join(' ')}`,
  backend: backend.name
}
writeFileSync(join(outDir, 'starter.json'), JSON.stringify(meta, null, 2) + '\n')
console.log(JSON.stringify(meta))
