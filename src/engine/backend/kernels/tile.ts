import * as tf from '@tensorflow/tfjs'
import type { KernelArgs } from './wasm-ops'

type StockKernel = (args: KernelArgs) => tf.TensorInfo

/**
 * Tile for wasm when it repeats a whole block: an input of 1s then a trailing block, tiled only
 * along the 1s. tfjs's batch-norm gradient tiles each [1, 1, 1, C] statistic to the activation's full
 * [N, H, W, C] this way, and the stock kernel's per-element index arithmetic made Tile the slowest
 * kernel of a batch-norm model's step. Here it is one copy and then doubling block copies
 * (`copyWithin` is a memmove). Other tilings keep the stock kernel.
 */
export function makeTile(stock: StockKernel): StockKernel {
  return (args) => {
    const { inputs, backend, attrs = {} } = args
    const x = inputs.x as tf.TensorInfo
    const { reps } = attrs as unknown as tf.TileAttrs
    const first = x.shape.findIndex((d) => d !== 1)
    const start = first === -1 ? x.shape.length : first
    const repeatsBlockOnly = reps.every((r, i) => i < start || r === 1)
    if (x.dtype === 'string' || !repeatsBlockOnly) return stock(args)
    const outShape = x.shape.map((d, i) => d * reps[i])
    const out = backend.makeOutput(outShape, x.dtype)
    // Views after the allocation: growing the heap detaches older views.
    const src = backend.typedArrayFromHeap(x)
    const dst = backend.typedArrayFromHeap(out)
    const block = src.length
    if (dst.length === 0) return out
    dst.set(src, 0)
    for (let filled = block; filled < dst.length; filled *= 2) {
      dst.copyWithin(filled, 0, Math.min(filled, dst.length - filled))
    }
    return out
  }
}
