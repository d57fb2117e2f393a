import * as tf from '@tensorflow/tfjs'
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
  return (args) => {
    const { inputs, backend, attrs = {} } = args
    const x = inputs.x as tf.TensorInfo
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs
    const rank = x.shape.length
    const axes = tf.util.parseAxisParam(axis, x.shape)
    const sorted = [...axes].sort((p, q) => p - q)
    const leading = sorted.every((a, i) => a === i)
    if (x.dtype !== 'float32' || !leading || axes.length === 0 || axes.length === rank)
      return stock(args)

    const rows = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1)
    const kept = x.shape.slice(axes.length)
    const cols = kept.reduce((p, q) => p * q, 1)
    const outShape = keepDims ? [...x.shape.slice(0, axes.length).map(() => 1), ...kept] : kept
    const out = backend.makeOutput(outShape, 'float32')
    const simd = simdKernels(backend)
    if (simd && cols % 4 === 0) {
      // float64 accumulators: 2 float32 slots per column of scratch on the heap.
      const scratch = backend.makeOutput([cols * 2], 'float32')
      const at = (t: tf.TensorInfo): number => backend.getMemoryOffset(t.dataId)
      simd.sum_rows(at(x), at(out), at(scratch), rows, cols)
      backend.disposeData(scratch.dataId)
      return out
    }
    const src = heapF32(backend, x)
    const acc = new Float64Array(cols)
    for (let r = 0, at = 0; r < rows; r++, at += cols) {
      for (let c = 0; c < cols; c++) acc[c] += src[at + c]
    }
    heapF32(backend, out).set(acc)
    return out
  }
}
