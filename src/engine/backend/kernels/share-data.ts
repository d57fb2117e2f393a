import * as tf from '@tensorflow/tfjs'
import type { KernelArgs } from './wasm-ops'

type StockKernel = (args: KernelArgs) => tf.TensorInfo

/**
 * A new handle on the same wasm bytes, counted like the stock Reshape does. Tensors are immutable,
 * so sharing is safe; it is what the cpu backend's Identity does too.
 */
function share(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo
  args.backend.incRef(x.dataId)
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
}

/**
 * Identity for wasm without the copy. tfjs-layers passes every layer output through Identity
 * during training; the stock kernel copies each one (for the seed model, ~40 copies and ~7 ms a
 * batch, the largest 11 MB).
 */
export function makeIdentity(stock: StockKernel): StockKernel {
  return (args) => ((args.inputs.x as tf.TensorInfo).dtype === 'string' ? stock(args) : share(args))
}

/** Cast for wasm: a cast to the tensor's own dtype (every ReLU gradient does one) shares the bytes. */
export function makeCast(stock: StockKernel): StockKernel {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo
    const { dtype } = (args.attrs ?? {}) as unknown as tf.CastAttrs
    return dtype === x.dtype && dtype !== 'string' ? share(args) : stock(args)
  }
}
