/**
 * Micro-benchmark of the wasm fallback's training speed: trains the seed preset (batch 128 by
 * default) on random images with the exact step `train` uses, prints samples/s, then a tf.profile
 * breakdown of where a batch's time goes, kernel by kernel.
 *
 *   node --import tsx scripts/bench-kernels.ts [--batches 20] [--warmup 3] [--batch-size 128]
 *                                              [--profile-batches 4] [--preset seed|fast|accurate] [--parallel]
 *                                              [--fused-adam]
 */
import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '#engine/backend/selection'
import { createAdam } from '#engine/backend/kernels/fused-adam'
import { createModel } from '#engine/training/models'
import { LOSS } from '#engine/training/optimizer'
import { DataParallelTrainer } from '#engine/training/parallel/data-parallel-trainer'
import { trainStep } from '#engine/training/train-step'

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '128' },
    'profile-batches': { type: 'string', default: '4' },
    preset: { type: 'string', default: 'seed' },
    backend: { type: 'string', default: 'wasm' },
    parallel: { type: 'boolean', default: false },
    'fused-adam': { type: 'boolean', default: false }
  }
})
const batches = Number(values.batches)
const warmup = Number(values.warmup)
const batchSize = Number(values['batch-size'])
const profileBatches = Number(values['profile-batches'])
const preset = values.preset as 'seed' | 'fast' | 'accurate'

const choice = await selectBackend(values.backend as 'wasm' | 'cpu')
const model = createModel(preset, { seed: 1 })
// --fused-adam: the same Adam, its update fused into one SIMD pass (kernels/fused-adam.ts).
const optimizer = values['fused-adam'] ? createAdam(1e-3) : tf.train.adam(1e-3)
model.compile({ optimizer, loss: LOSS, metrics: ['accuracy'] })
// Random pixels in [0, 1] and random labels: the kernels' speed doesn't depend on the values.
const xs = tf.randomUniform([batchSize, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D
const ys = tf.oneHot(
  tf.randomUniform([batchSize], 0, 10, 'int32', 2) as tf.Tensor1D,
  10
) as tf.Tensor2D

const parallel = values.parallel ? await DataParallelTrainer.create(model) : null
if (values.parallel && parallel === null)
  console.log('data-parallel trainer not available here; one thread')

async function step(): Promise<void> {
  if (parallel) {
    await parallel.step(xs, ys)
    return
  }
  const { loss, accuracy } = trainStep(model, xs, ys)
  await loss.data()
  tf.dispose([loss, accuracy])
}

/**
 * CPU seconds per thread of this process (Linux /proc; empty elsewhere). On a shared machine the
 * busiest thread's CPU time estimates the wall time the run would take with its cores to itself.
 */
function threadCpuSeconds(): Map<string, number> {
  const result = new Map<string, number>()
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      // schedstat's first field: nanoseconds on a core (stat's utime/stime tick at 10 ms only).
      const onCpuNs = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim()
      result.set(`${tid} ${name}`, Number(onCpuNs) / 1e9)
    }
  } catch {
    // Not Linux: no per-thread figures.
  }
  return result
}

for (let i = 0; i < warmup; i++) await step()
const threads0 = threadCpuSeconds()
const t0 = performance.now()
const cpu0 = process.cpuUsage()
for (let i = 0; i < batches; i++) await step()
const seconds = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpu0)
const threads1 = threadCpuSeconds()
const busiest = Math.max(0, ...[...threads1].map(([tid, t]) => t - (threads0.get(tid) ?? 0)))
// CPU seconds of this process too: on a shared machine wall time includes waiting for a core,
// while samples per CPU-second shows what the kernels cost.
const cpuSeconds = (cpu.user + cpu.system) / 1e6
const samples = batches * batchSize
// Which threads of this process used the cores while the timed batches ran: the two training
// threads, and anything else competing with them (V8's background compilers and GC helpers).
const perThread = [...threads1]
  .map(([id, t]) => [id, t - (threads0.get(id) ?? 0)] as const)
  .filter(([, t]) => t >= 0.005)
  .sort((a, b) => b[1] - a[1])
console.log(
  `${choice.name}${parallel ? ' x2 threads' : ''}${values['fused-adam'] ? ', fused Adam' : ''}: ${preset}, batch ${batchSize}, ${batches} batches after ${warmup} warm-up: ` +
    `${(samples / seconds).toFixed(0)} samples/s wall (${((seconds / batches) * 1000).toFixed(1)} ms/batch), ` +
    `${(samples / cpuSeconds).toFixed(0)} samples per CPU-second` +
    (busiest > 0 ? `, ${(samples / busiest).toFixed(0)} per busiest-thread CPU-second` : '') +
    `, load ${os.loadavg()[0].toFixed(2)}`
)
if (perThread.length > 0)
  console.log(
    `CPU seconds by thread over ${seconds.toFixed(2)} s: ` +
      perThread.map(([id, t]) => `${id.split(' ').slice(1).join(' ')} ${t.toFixed(2)}`).join(', ')
  )

if (profileBatches > 0) {
  const info = await tf.profile(async () => {
    for (let i = 0; i < profileBatches; i++) await step()
  })
  const byKernel = new Map<string, { ms: number; calls: number }>()
  for (const k of info.kernels) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 }
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
    entry.calls++
    byKernel.set(k.name, entry)
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0)
  console.log(
    `profile of ${profileBatches} batches: ${(total / profileBatches).toFixed(1)} ms/batch in kernels`
  )
  for (const [name, e] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
    const pct = ((100 * e.ms) / total).toFixed(1).padStart(5)
    console.log(
      `${pct} %  ${(e.ms / profileBatches).toFixed(2).padStart(7)} ms/batch  ${String(e.calls / profileBatches).padStart(4)} calls  ${name}`
    )
  }
}
tf.dispose([xs, ys])
model.dispose()
await parallel?.dispose()
