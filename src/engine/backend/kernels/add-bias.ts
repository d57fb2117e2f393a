import * as tf from '@tensorflow/tfjs'
import { simdKernels } from './simd/simd-kernels'
import type { KernelArgs } from './wasm-ops'

type StockKernel = (args: KernelArgs) => tf.TensorInfo

/**
 * Add for wasm when one operand is a bias: a vector along the other's last axis (tfjs-layers adds
 * each conv and dense bias this way while training, since fused ops are off under gradients). The
 * SIMD kernel streams the big operand once; the stock kernel's generic broadcast was the slowest
 * elementwise op of the step (14 ms on the seed model's first layer). Everything else keeps the
 * stock kernel.
 */
export function makeAdd(stock: StockKernel): StockKernel {
  return (args) => {
    const { inputs, backend } = args
    const a = inputs.a as tf.TensorInfo
    const b = inputs.b as tf.TensorInfo
    const [big, bias] = isBiasOf(b, a) ? [a, b] : isBiasOf(a, b) ? [b, a] : [null, null]
    const simd = big && bias ? simdKernels(backend) : null
    if (!simd || !big || !bias) return stock(args)
    const cols = big.shape[big.shape.length - 1]
    const out = backend.makeOutput(big.shape, 'float32')
    const at = (t: tf.TensorInfo): number => backend.getMemoryOffset(t.dataId)
    simd.add_bias(at(big), at(bias), at(out), tf.util.sizeFromShape(big.shape) / cols, cols)
    return out
  }
}

/** True when `bias` is a float32 vector (any leading 1s) matching `x`'s last axis, a multiple of 4. */
function isBiasOf(bias: tf.TensorInfo, x: tf.TensorInfo): boolean {
  if (bias.dtype !== 'float32' || x.dtype !== 'float32' || x.shape.length < 2) return false
  const cols = x.shape[x.shape.length - 1]
  if (cols % 4 !== 0 || bias.shape.length > x.shape.length) return false
  const lead = bias.shape.slice(0, -1)
  return (
    bias.shape[bias.shape.length - 1] === cols &&
    lead.every((d) => d === 1) &&
    tf.util.sizeFromShape(x.shape) > cols
  )
}
