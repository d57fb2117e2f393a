import * as tf from '@tensorflow/tfjs'
import { simdKernels } from './simd/simd-kernels'
import { WASM, type KernelArgs } from './wasm-ops'

/** A kernel of this project's own: ReLU's input gradient in one pass (wasm only). */
export const RELU_GRAD = 'DigitStudioReluGrad'

/**
 * The wasm kernel: out = dy * step(x) by the SIMD kernel, or by tfjs's own two ops when sizes don't
 * come in fours or SIMD is unavailable.
 */
export function reluGrad(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend } = args
  const dy = inputs.dy as tf.TensorInfo
  const x = inputs.x as tf.TensorInfo
  const size = tf.util.sizeFromShape(x.shape)
  const simd = simdKernels(backend)
  if (!simd || size % 4 !== 0 || dy.dtype !== 'float32' || x.dtype !== 'float32') {
    throw new Error(
      `${RELU_GRAD}: unsupported input (the gradient should have used the portable path)`
    )
  }
  const out = backend.makeOutput(x.shape, 'float32')
  const at = (t: tf.TensorInfo): number => backend.getMemoryOffset(t.dataId)
  simd.relu_grad(at(dy), at(x), at(out), size)
  return out
}

const portable = (dy: tf.Tensor, x: tf.Tensor): tf.Tensor =>
  tf.mul(dy, tf.cast(tf.step(x), 'float32'))

/**
 * ReLU's gradient, registered for every backend (tfjs keeps one gradient per op): on wasm with the
 * SIMD kernels and float sizes in fours it runs the one-pass kernel above, which saves a full pass
 * and a temporary over the largest activations of the step; everywhere else it is exactly tfjs's
 * own `mul(dy, cast(step(x)))`.
 */
export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved
    const g = dy as tf.Tensor
    return {
      x: () => {
        const fast =
          tf.getBackend() === WASM &&
          x.dtype === 'float32' &&
          g.dtype === 'float32' &&
          x.size % 4 === 0 &&
          simdKernels(tf.backend() as never) !== null
        return fast ? (tf.engine().runKernel(RELU_GRAD, { dy: g, x }) as tf.Tensor) : portable(g, x)
      }
    }
  }
}
