/**
 * ReLU's gradient on tfjs-node as TensorFlow's own `ReluGrad` op: one pass (dy where x > 0, else
 * 0) instead of tfjs's `mul(dy, cast(step(x)))`, four passes over the largest activations of a
 * step (step is two on native, see step.ts, then cast and multiply). Every ReLU in the presets
 * trains through this. Values are the same for finite inputs (a zero gradient keeps dy's sign, as
 * dy * 0 does); where x is NaN tfjs gives NaN and ReluGrad 0, which no run sees: a NaN activation
 * has already made the loss NaN, and training stops there (NAN_LOSS).
 */
import * as tf from '@tensorflow/tfjs'
import { NATIVE, type NativeBackend } from './native-backend'

/**
 * Registers the gradient for Relu: the native op on tfjs-node with float inputs, and whatever
 * gradient was registered before (tfjs's, or the wasm fallback's) everywhere else. Idempotent.
 */
export function registerNativeReluGradient(): void {
  const previous = tf.getGradient(tf.Relu)
  if (!previous || (previous as { native?: boolean }).native) return
  const config: tf.GradConfig & { native: true } = {
    kernelName: tf.Relu,
    inputsToSave: previous.inputsToSave ?? ['x'],
    native: true,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved
      const g = dy as tf.Tensor
      if (tf.getBackend() !== NATIVE || x.dtype !== 'float32' || g.dtype !== 'float32')
        return previous.gradFunc(dy, saved, attrs)
      const backend = tf.backend() as unknown as NativeBackend
      const { binding } = backend
      return {
        x: () =>
          backend.executeSingleOutput(
            'ReluGrad',
            [{ name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT }],
            [g, x]
          ) as tf.Tensor
      }
    }
  }
  tf.registerGradient(config)
}
