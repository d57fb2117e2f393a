/**
 * Kernels tfjs-node 4.22 lacks or runs slowly, for the 'tensorflow' backend.
 *
 * Transform: tfjs-node lacks it, but the engine needs it. `tf.image.transform` (augmentation of the
 * `accurate` preset) has no 'tensorflow' kernel, so training with augmentation failed at once on
 * native ("Kernel 'Transform' not registered"). libtensorflow itself has the op
 * (`ImageProjectiveTransformV3`, what tf.raw_ops and Keras' RandomRotation use), so the kernel
 * hands it to TensorFlow with the same semantics tfjs documents: one [a0,a1,a2,b0,b1,b2,c0,c1]
 * row per image mapping output pixels to input pixels.
 */
import * as tf from '@tensorflow/tfjs'

import { keptStock, NATIVE, type NativeBackend, type NativeKernel } from './native/native-backend'
import { probeFusedBatchNorm } from './native/fused-batch-norm'
import { makeMaxPoolGrad } from './native/max-pool-grad'
import { registerNativeReluGradient } from './native/relu-grad'
import { makeStep } from './native/step'

function transform(args: {
  inputs: tf.NamedTensorInfoMap
  backend: unknown
  attrs?: tf.NamedAttrMap
}): tf.TensorInfo {
  const backend = args.backend as NativeBackend
  const { image, transforms } = args.inputs as { image: tf.TensorInfo; transforms: tf.TensorInfo }
  const { interpolation, fillMode, fillValue, outputShape } = (args.attrs ?? {}) as {
    interpolation: 'nearest' | 'bilinear'
    fillMode: 'constant' | 'reflect' | 'wrap' | 'nearest'
    fillValue: number
    outputShape?: [number, number]
  }
  const [, height, width] = image.shape as number[]
  const size = tf.tensor1d(outputShape ?? [height, width], 'int32')
  const fill = tf.scalar(fillValue, 'float32')
  try {
    const { binding } = backend
    return backend.executeSingleOutput(
      'ImageProjectiveTransformV3',
      [
        { name: 'dtype', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
        { name: 'interpolation', type: binding.TF_ATTR_STRING, value: interpolation.toUpperCase() },
        { name: 'fill_mode', type: binding.TF_ATTR_STRING, value: fillMode.toUpperCase() }
      ],
      [image, transforms, size, fill]
    )
  } finally {
    tf.dispose([size, fill])
  }
}

/** Marks kernel functions registered here, so a second call recognises its own work. */
const OURS = new WeakSet<object>()

/** Replaces tfjs-node's kernel `name` with `make(stock)`, once (a second call finds its own). */
function replace(name: string, make: (stock: NativeKernel) => NativeKernel): void {
  if (keptStock().has(name)) return
  const existing = tf.getKernel(name, NATIVE)
  if (existing === undefined || OURS.has(existing.kernelFunc)) return
  const kernelFunc = make(existing.kernelFunc as unknown as NativeKernel)
  OURS.add(kernelFunc)
  if (kernelFunc === (existing.kernelFunc as unknown)) return
  tf.unregisterKernel(name, NATIVE)
  tf.registerKernel({
    kernelName: name,
    backendName: NATIVE,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc
  })
}

/**
 * Registers the engine's kernels for the tensorflow (tfjs-node) backend: the missing Transform, and
 * faster Step and MaxPoolGrad, ReLU's gradient as one op, and the fused training batch norm that
 * training/batch-norm.ts uses (native/*.ts; DIGIT_STUDIO_STOCK_KERNELS=Step,MaxPoolGrad,ReluGrad,
 * FusedBatchNormV3 keeps tfjs's own ways, for comparisons). Call it once tfjs-node is the active backend (MaxPoolGrad
 * probes TensorFlow's oneDNN ops); idempotent.
 */
export function registerNativeKernels(): void {
  if (tf.getKernel(tf.Transform, NATIVE) === undefined) {
    tf.registerKernel({
      kernelName: tf.Transform,
      backendName: NATIVE,
      kernelFunc: transform as unknown as tf.KernelFunc
    })
  }
  replace(tf.Step, makeStep)
  replace(tf.MaxPoolGrad, (stock) =>
    makeMaxPoolGrad(stock, tf.backend() as unknown as NativeBackend)
  )
  if (!keptStock().has('FusedBatchNormV3')) probeFusedBatchNorm()
  if (!keptStock().has('ReluGrad')) registerNativeReluGradient()
}
