/**
 * Where a training batch's time goes on native TensorFlow (tfjs-node): several ways of running the
 * same optimisation step, timed in interleaved rounds in one process so that each sees the same
 * machine load (this machine is shared: compare the columns of one run, not runs with each other).
 *
 *   node --import tsx scripts/profile-native-step.ts [--preset seed|accurate] [--batch-size 32]
 *        [--batches 20] [--rounds 5] [--variants fit,bare,ours,...] [--kernels]
 *
 * Variants (each on its own model, same seed):
 * - fit:      tfjs-layers' own `model.fit` over the same batches (what TensorFlow.js users get)
 * - bare:     tf.variableGrads + applyGradients of tfjs's stock Adam, nothing read back per batch
 * - grads:    forward and backward only (bare without the optimizer), so bare - grads is Adam's cost
 * - ours:     the engine's step as training runs it (localStepper: trainStep + loss/accuracy read)
 * - data:     only the batch tensors made from pixel bytes (preprocess-data.ts), no training
 * - augment:  only augmentation of a batch (augment.ts, the native Transform kernel)
 * --kernels prints the TensorFlow ops one step of `ours` runs, by count (tf.profile).
 */
import os from 'node:os'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '#engine/backend/selection'
import { loadDatasetCached } from '#engine/data/dataset-cache'
import { BatchBuffers, batchTensors, type PreparedSplit } from '#engine/data/preprocess-data'
import { augmentBatch } from '#engine/training/augment'
import { createModel } from '#engine/training/models'
import { LOSS, prepareForTraining } from '#engine/training/optimizer'
import { localStepper, lossAndAccuracy } from '#engine/training/train-step'
import { IMAGE_PIXELS } from '#shared/mnist'

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'seed' },
    'batch-size': { type: 'string', default: '32' },
    batches: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
    backend: { type: 'string', default: 'native' },
    variants: { type: 'string', default: 'fit,bare,ours,data,augment' },
    kernels: { type: 'boolean', default: false }
  }
})
const preset = values.preset as 'seed' | 'accurate'
const batchSize = Number(values['batch-size'])
const batches = Number(values.batches)
const rounds = Number(values.rounds)
const variants = values.variants.split(',').map((v) => v.trim())

const choice = await selectBackend(values.backend as 'native' | 'wasm')
const { train } = await loadDatasetCached({ kind: 'embedded' })
const count = batchSize * batches
const split: PreparedSplit = {
  pixels: train.images.subarray(0, count * IMAGE_PIXELS),
  labels: train.labels.subarray(0, count),
  count
}
const order = Uint32Array.from({ length: count }, (_, i) => i)
const buffers = new BatchBuffers(batchSize)
const batch = (b: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } =>
  batchTensors(split, order, b * batchSize, batchSize, buffers)

function freshModel(): tf.LayersModel {
  const model = createModel(preset, { seed: 1 })
  prepareForTraining(model, 1e-3)
  return model
}

type Runner = () => Promise<void>

/** Each variant: a function that trains `batches` batches. */
function makeRunner(name: string): Runner {
  switch (name) {
    case 'fit': {
      const model = createModel(preset, { seed: 1 })
      model.compile({ optimizer: tf.train.adam(1e-3), loss: LOSS, metrics: ['accuracy'] })
      const all = tf.tidy(() => {
        const xs: tf.Tensor4D[] = []
        const ys: tf.Tensor2D[] = []
        for (let b = 0; b < batches; b++) {
          const t = batch(b)
          xs.push(t.xs)
          ys.push(t.ys)
        }
        return { xs: tf.concat(xs), ys: tf.concat(ys) }
      })
      return async () => {
        await model.fit(all.xs, all.ys, { batchSize, epochs: 1, shuffle: false, verbose: 0 })
      }
    }
    case 'bare': {
      const model = createModel(preset, { seed: 1 })
      const optimizer = tf.train.adam(1e-3)
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable)
      return async () => {
        for (let b = 0; b < batches; b++) {
          const { xs, ys } = batch(b)
          tf.tidy(() => {
            const { grads } = tf.variableGrads(() => lossAndAccuracy(model, xs, ys).loss, vars)
            optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0])
          })
          tf.dispose([xs, ys])
        }
      }
    }
    case 'grads': {
      const model = createModel(preset, { seed: 1 })
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable)
      return async () => {
        for (let b = 0; b < batches; b++) {
          const { xs, ys } = batch(b)
          tf.tidy(() => {
            tf.variableGrads(() => lossAndAccuracy(model, xs, ys).loss, vars)
          })
          tf.dispose([xs, ys])
        }
      }
    }
    case 'ours': {
      const stepper = localStepper(freshModel())
      return async () => {
        for (let b = 0; b < batches; b++) {
          const { xs, ys } = batch(b)
          await stepper.step(xs, ys)
          tf.dispose([xs, ys])
          await new Promise((r) => setImmediate(r))
        }
      }
    }
    case 'data':
      return async () => {
        for (let b = 0; b < batches; b++) tf.dispose(Object.values(batch(b)))
      }
    case 'augment': {
      const { xs } = batch(0)
      return async () => {
        for (let b = 0; b < batches; b++) augmentBatch(xs, b).dispose()
      }
    }
    default:
      throw new Error(`unknown variant ${name}`)
  }
}

const runners = variants.map((name) => ({
  name,
  run: makeRunner(name),
  times: [] as number[],
  cpu: [] as number[]
}))
for (const r of runners) await r.run() // warm-up: graph building, first allocations
for (let round = 0; round < rounds; round++) {
  for (const r of runners) {
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    await r.run()
    r.times.push((performance.now() - t0) / batches)
    const c = process.cpuUsage(c0)
    r.cpu.push((c.user + c.system) / 1000 / batches)
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(
  `${choice.name} ${choice.tensorflowVersion ?? ''}: ${preset}, batch ${batchSize}, ${batches} batches x ${rounds} rounds, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`
)
for (const r of runners) {
  const ms = median(r.times)
  console.log(
    `${r.name.padEnd(8)} ${ms.toFixed(2).padStart(7)} ms/batch (median; min ${Math.min(...r.times).toFixed(2)})  ${((batchSize / ms) * 1000).toFixed(0).padStart(6)} samples/s  CPU ${median(r.cpu).toFixed(2).padStart(7)} ms/batch`
  )
}

if (values.kernels) {
  const stepper = localStepper(freshModel())
  const { xs, ys } = batch(0)
  await stepper.step(xs, ys)
  const info = await tf.profile(() => stepper.step(xs, ys))
  const byKernel = new Map<string, { ms: number; calls: number }>()
  for (const k of info.kernels) {
    // Small ops (optimizer, biases) apart from large ones (activations): their costs differ in kind.
    const size = Math.max(0, ...k.outputShapes.map((s) => s.reduce((a, b) => a * b, 1)))
    const key = `${k.name}${size >= 10_000 ? '' : ' (small)'}`
    const e = byKernel.get(key) ?? { ms: 0, calls: 0 }
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
    e.calls++
    byKernel.set(key, e)
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0)
  console.log(`one step: ${info.kernels.length} kernel calls, ${total.toFixed(1)} ms in kernels`)
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`${e.ms.toFixed(2).padStart(8)} ms  ${String(e.calls).padStart(4)} calls  ${name}`)
  }
}
