/**
 * GFLOP/s of the `accurate` model's hot kernels on the wasm fallback, one kernel at a time, on the
 * shapes one training thread sees (a chunk of 32 images; chunk-claims.ts). Timed in CPU seconds of
 * this thread (Linux schedstat), so a shared machine's load doesn't lower the figures; wall
 * seconds are printed beside them. FLOPs count one multiply and one add as 2; elementwise kernels
 * count the arithmetic they do per element (stated per row) and are bandwidth-bound anyway.
 *
 *   node --import tsx scripts/bench-kernel-flops.ts [--batch 32] [--reps 10] [--backend wasm|cpu]
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '#engine/backend/selection'
import { simdKernelsVariant } from '#engine/backend/kernels/simd/simd-kernels'
import { augmentBatch } from '#engine/training/augment'

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '32' },
    reps: { type: 'string', default: '10' },
    backend: { type: 'string', default: 'wasm' }
  }
})
const n = Number(values.batch)
const reps = Number(values.reps)
await selectBackend(values.backend as 'wasm' | 'cpu')

const threadCpuMs = (): number =>
  Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6

/** Runs `op` (which returns what it made) `reps` times after one warm-up; CPU and wall ms per call. */
function time(op: () => tf.Tensor | tf.Tensor[]): { cpuMs: number; wallMs: number } {
  tf.dispose(op())
  const c0 = threadCpuMs()
  const t0 = performance.now()
  for (let i = 0; i < reps; i++) {
    const out = op()
    // Reading one value waits for the kernel (wasm kernels are synchronous anyway).
    ;(Array.isArray(out) ? out[0] : out).dataSync()
    tf.dispose(out)
  }
  return { cpuMs: (threadCpuMs() - c0) / reps, wallMs: (performance.now() - t0) / reps }
}

function row(name: string, flops: number, t: { cpuMs: number; wallMs: number }): void {
  const gflops = flops / (t.cpuMs / 1000) / 1e9
  console.log(
    `${name.padEnd(52)} ${(flops / 1e6).toFixed(0).padStart(6)} MFLOP  ${t.cpuMs.toFixed(2).padStart(8)} CPU-ms  ${t.wallMs.toFixed(2).padStart(8)} wall-ms  ${gflops.toFixed(2).padStart(6)} GFLOP/s`
  )
}

/** The accurate model's padded 3x3 convolutions (hw x hw, ci -> co), stride 1, 'same'. */
const convs: [number, number, number][] = [
  [28, 1, 32],
  [28, 32, 32],
  [14, 32, 64],
  [14, 64, 64]
]
const keep: tf.Tensor[] = []
console.log(
  `${tf.getBackend()}, batch ${n}, ${reps} calls each, load ${os.loadavg()[0].toFixed(2)} (${os.cpus().length} cores)`
)
// Which build of the engine's own SIMD kernels ran (relaxed: fused multiply-adds), known once
// the first kernel compiled them; and which filter gradient path the switch picked.
const simdLine = (): string =>
  `SIMD kernels: ${simdKernelsVariant() ?? 'none'}; DIGIT_STUDIO_STOCK_KERNELS=${process.env.DIGIT_STUDIO_STOCK_KERNELS ?? ''}`
for (const [hw, ci, co] of convs) {
  const x = tf.randomUniform([n, hw, hw, ci]) as tf.Tensor4D
  const w = tf.randomUniform([3, 3, ci, co], -0.1, 0.1) as tf.Tensor4D
  const dy = tf.randomUniform([n, hw, hw, co]) as tf.Tensor4D
  keep.push(x, w, dy)
  const flops = 2 * n * hw * hw * 9 * ci * co
  const tag = `${hw}x${hw} ${ci}->${co}`
  row(
    `Conv2D ${tag}`,
    flops,
    time(() => tf.conv2d(x, w, 1, 'same'))
  )
  row(
    `Conv2DBackpropFilter ${tag}`,
    flops,
    time(
      () =>
        tf.engine().runKernel(
          tf.Conv2DBackpropFilter,
          { x, dy },
          {
            strides: [1, 1],
            pad: 'same',
            dataFormat: 'NHWC',
            filterShape: [3, 3, ci, co]
          }
        ) as tf.Tensor
    )
  )
  if (ci > 1)
    row(
      `Conv2DBackpropInput ${tag}`,
      flops,
      time(
        () =>
          tf.engine().runKernel(
            tf.Conv2DBackpropInput,
            { dy, filter: w },
            {
              strides: [1, 1],
              pad: 'same',
              dataFormat: 'NHWC',
              inputShape: x.shape
            }
          ) as tf.Tensor
      )
    )
}
// Batch norm as the layer trains (a BatchNormalization layer called with training: true, so
// whatever the engine does to that layer is measured), then ReLU; backward is the gradient with
// respect to the layer's input. ~10 FLOPs per element forward (moments, normalise), ~20 backward:
// the counts are rough, these kernels are memory-bound. Dropout on the shapes it sees (after each
// pool).
for (const [hw, c] of [
  [28, 32],
  [14, 64]
] as const) {
  const x = tf.randomUniform([n, hw, hw, c]) as tf.Tensor4D
  const dy = tf.randomUniform([n, hw, hw, c]) as tf.Tensor4D
  const bn = tf.layers.batchNormalization({})
  bn.build([null, hw, hw, c])
  const pooled = tf.randomUniform([n, hw / 2, hw / 2, c]) as tf.Tensor4D
  keep.push(x, dy, pooled)
  const elems = n * hw * hw * c
  const forward = (xx: tf.Tensor): tf.Tensor =>
    tf.relu(bn.apply(xx, { training: true }) as tf.Tensor)
  row(
    `BN+ReLU forward ${hw}x${hw}x${c}`,
    10 * elems,
    time(() => tf.tidy(() => forward(x)))
  )
  const backward = tf.grad(forward)
  row(
    `BN+ReLU backward ${hw}x${hw}x${c}`,
    20 * elems,
    time(() => backward(x, dy))
  )
  row(
    `Dropout 0.25 ${hw / 2}x${hw / 2}x${c}`,
    (3 * elems) / 4,
    time(() => tf.dropout(pooled, 0.25))
  )
}
const images = tf.randomUniform([n, 28, 28, 1]) as tf.Tensor4D
keep.push(images)
// Augmentation: a projective resample (~30 FLOPs a pixel, bilinear) plus the stroke blend.
row(
  `augmentBatch 28x28x1`,
  30 * n * 784,
  time(() => augmentBatch(images, 7) as tf.Tensor)
)
// The seed model's second convolution (13x13, 'valid'): its filter gradient.
{
  const x = tf.randomUniform([n, 13, 13, 32]) as tf.Tensor4D
  const dy = tf.randomUniform([n, 11, 11, 64]) as tf.Tensor4D
  keep.push(x, dy)
  row(
    `Conv2DBackpropFilter 13x13 32->64 valid (seed)`,
    2 * n * 11 * 11 * 9 * 32 * 64,
    time(
      () =>
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropFilter,
            { x, dy },
            { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 32, 64] }
          ) as tf.Tensor
    )
  )
}
console.log(simdLine())
tf.dispose(keep)
