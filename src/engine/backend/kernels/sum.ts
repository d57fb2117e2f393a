import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { simdKernels } from './simd/simd-kernels'
import { heapF32, type KernelArgs } from './wasm-ops'

type StockKernel = (args: KernelArgs) => tf.TensorInfo

/**
 * Sum for wasm when it reduces leading axes, the shape of every bias gradient (a conv's dy summed
 * over batch, height and width). The stock kernel first transposes the reduced axes to the end, a
 * full copy of the largest tensor in the step (20 ms for the seed model's first conv); summing rows
 * into per-column accumulators reads it once (SIMD when the columns come in fours). Accumulating
 * in float64 is at least as accurate as the cpu backend. Any other reduction keeps the stock kernel.
 */
export function makeSum(stock: StockKernel): StockKernel {
  return (args) => reduceLeading(args, false) ?? stock(args)
}

/**
 * Mean for wasm over leading axes: batch normalization's statistics in training (tf.moments over
 * batch, height and width), where the stock kernel transposes first just as Sum's does.
 */
export function makeMean(stock: StockKernel): StockKernel {
  return (args) => reduceLeading(args, true) ?? stock(args)
}

/** The column sums (or means) of x seen as [rows, cols], or null when the axes aren't leading. */
function reduceLeading(args: KernelArgs, mean: boolean): tf.TensorInfo | null {
  const { inputs, backend, attrs = {} } = args
  const x = inputs.x as tf.TensorInfo
  const { axis, keepDims } = attrs as unknown as tf.SumAttrs
  const rank = x.shape.length
  const axes = tf.util.parseAxisParam(axis, x.shape)
  const sorted = [...axes].sort((p, q) => p - q)
  const leading = sorted.every((a, i) => a === i)
  if (x.dtype !== 'float32' || !leading || axes.length === 0 || axes.length === rank) return null

  const rows = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1)
  const kept = x.shape.slice(axes.length)
  const cols = kept.reduce((p, q) => p * q, 1)
  const outShape = keepDims ? [...x.shape.slice(0, axes.length).map(() => 1), ...kept] : kept
  const out = backend.makeOutput(outShape, 'float32')
  if (rows === 0) {
    heapF32(backend, out).fill(mean ? Number.NaN : 0)
    return out
  }
  const simd = simdKernels(backend)
  if (simd && cols % 4 === 0) {
    // float64 accumulators: 2 float32 slots per column of scratch on the heap.
    const scratch = backend.makeOutput([cols * 2], 'float32')
    simd.sum_rows(offset(backend, x), offset(backend, out), offset(backend, scratch), rows, cols)
    backend.disposeData(scratch.dataId)
    if (mean) {
      const values = heapF32(backend, out)
      for (let c = 0; c < cols; c++) values[c] /= rows
    }
    return out
  }
  const src = heapF32(backend, x)
  const acc = new Float64Array(cols)
  for (let r = 0, at = 0; r < rows; r++, at += cols) {
    for (let c = 0; c < cols; c++) acc[c] += src[at + c]
  }
  if (mean) for (let c = 0; c < cols; c++) acc[c] /= rows
  heapF32(backend, out).set(acc)
  return out
}

function offset(backend: BackendWasm, t: tf.TensorInfo): number {
  return backend.getMemoryOffset(t.dataId)
}
