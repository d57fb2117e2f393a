import * as tf from '@tensorflow/tfjs'
import { release, runWasm, type KernelArgs } from './wasm-ops'

type StockKernel = (args: KernelArgs) => tf.TensorInfo

/**
 * BatchMatMul for wasm with transposed operands made explicit. The stock kernel sends any
 * transposeA/transposeB product to a scalar loop (measured here: 20 ms for the seed model's
 * 128x1600x128 weight gradient) and only plain products to XNNPACK (about 2 ms). A dense layer's
 * backward pass needs both transposed forms, so the operand is transposed first (a cheap copy of a
 * small matrix) and the product runs on the fast path.
 */
export function makeBatchMatMul(stock: StockKernel): StockKernel {
  return (args) => {
    const { inputs, backend, attrs = {} } = args
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs
    if (!transposeA && !transposeB) return stock(args)
    let a = inputs.a as tf.TensorInfo
    let b = inputs.b as tf.TensorInfo
    const made: tf.TensorInfo[] = []
    if (transposeA) {
      a = runWasm(tf.Transpose, backend, { x: a }, { perm: swapLastTwo(a.shape.length) })
      made.push(a)
    }
    if (transposeB) {
      b = runWasm(tf.Transpose, backend, { x: b }, { perm: swapLastTwo(b.shape.length) })
      made.push(b)
    }
    const out = stock({
      inputs: { a, b },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false }
    })
    release(backend, ...made)
    return out
  }
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i)
  perm[rank - 2] = rank - 1
  perm[rank - 1] = rank - 2
  return perm
}
