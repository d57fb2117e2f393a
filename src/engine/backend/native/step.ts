/**
 * Step for tfjs-node: x > 0 ? 1 : alpha, NaN stays NaN. Every ReLU gradient runs it: tfjs's own
 * Relu gradient and the fused conv2d/matMul gradients compute `dy * step(y)`. tfjs-node builds it
 * from seven ops (isNaN, greater, a scalar, two full-size fills, two selects), measured as a fifth
 * of the kernel time of a seed training step. For alpha 0 (ReLU) the same values, NaN and
 * infinities included, are sign(relu(x)): two ops and one temporary (test/unit/native-kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs'
import type { NativeBackend, NativeKernel } from './native-backend'

/** The fast Step; other alphas and dtypes go to `stock` (tfjs-node's kernel). */
export function makeStep(stock: NativeKernel | undefined): NativeKernel {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo
    const alpha = (args.attrs as { alpha?: number } | undefined)?.alpha ?? 0
    if ((alpha !== 0 || x.dtype !== 'float32') && stock) return stock(args)
    const backend = args.backend as NativeBackend
    // tfjs-node returns its outputs as tensors of the current scope: tidy frees the intermediate.
    return tf.tidy(
      () => backend.executeSingleInput('Sign', backend.executeSingleInput('Relu', x)) as tf.Tensor
    )
  }
}
