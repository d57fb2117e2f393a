/**
 * Kernels tfjs-node 4.22 lacks but the engine needs. `tf.image.transform` (augmentation of the
 * `accurate` preset) has no 'tensorflow' kernel, so training with augmentation failed at once on
 * native ("Kernel 'Transform' not registered"). libtensorflow itself has the op
 * (`ImageProjectiveTransformV3`, what tf.raw_ops and Keras' RandomRotation use), so the kernel
 * hands it to TensorFlow with the same semantics tfjs documents: one [a0,a1,a2,b0,b1,b2,c0,c1]
 * row per image mapping output pixels to input pixels.
 */
import * as tf from '@tensorflow/tfjs'

/** The parts of tfjs-node's NodeJSKernelBackend a kernel uses (typed here: tfjs-node is optional). */
interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_STRING: number; TF_FLOAT: number; TF_INT32: number }
  executeSingleOutput(
    name: string,
    attrs: { name: string; type: number; value: unknown }[],
    inputs: (tf.Tensor | tf.TensorInfo)[]
  ): tf.TensorInfo
}

const NATIVE = 'tensorflow'

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
  const [, height, width] = image.shape
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

/**
 * Registers the engine's kernels for the tensorflow (tfjs-node) backend. Call it once tfjs-node
 * is loaded; idempotent.
 */
export function registerNativeKernels(): void {
  if (tf.getKernel(tf.Transform, NATIVE) === undefined) {
    tf.registerKernel({
      kernelName: tf.Transform,
      backendName: NATIVE,
      kernelFunc: transform as unknown as tf.KernelFunc
    })
  }
}
