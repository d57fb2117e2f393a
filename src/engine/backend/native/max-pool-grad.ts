/**
 * MaxPoolGrad for tfjs-node through oneDNN. TensorFlow's own CPU MaxPoolGrad (what tfjs-node
 * calls) recomputes the pooling with argmax in Eigen and was measured as the single largest kernel
 * of a seed training step (a fifth of it at batch 128). TensorFlow's x86 builds carry oneDNN's
 * pooling as `_MklNativeMaxPool` / `_MklNativeMaxPoolGrad`, which its graph rewrite uses for Keras
 * but its eager mode (tfjs-node) does not. This kernel calls them directly: the forward once more to
 * get oneDNN's workspace (the argmax), then the gradient, ~4x faster than the stock kernel here.
 * Both route each window's gradient to its first maximum, as TensorFlow does; a probe compares the
 * two on ties at the first call, and anything unsupported or different keeps the stock kernel.
 */
import * as tf from '@tensorflow/tfjs'
import type { NativeBackend, NativeKernel, NativeKernelArgs, OpAttr } from './native-backend'

interface PoolAttrs {
  filterSize: number | [number, number]
  strides: number | [number, number]
  pad: 'valid' | 'same' | number
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
}

/** The oneDNN ops are registered under this kernel label (TensorFlow's MklNameChangeOp). */
const MKL_LABEL = 'MklNameChangeOp'

function oneDnnMaxPoolGrad(
  backend: NativeBackend,
  dy: tf.TensorInfo,
  input: tf.TensorInfo,
  output: tf.TensorInfo,
  padding: 'VALID' | 'SAME',
  info: tf.backend_util.Conv2DInfo
): tf.Tensor {
  const { binding } = backend
  const attrs: OpAttr[] = [
    { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    {
      name: 'ksize',
      type: binding.TF_ATTR_INT,
      value: [1, info.filterHeight, info.filterWidth, 1]
    },
    {
      name: 'strides',
      type: binding.TF_ATTR_INT,
      value: [1, info.strideHeight, info.strideWidth, 1]
    },
    { name: 'padding', type: binding.TF_ATTR_STRING, value: padding },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'workspace_enabled', type: binding.TF_ATTR_BOOL, value: true },
    { name: '_kernel', type: binding.TF_ATTR_STRING, value: MKL_LABEL }
  ]
  return tf.tidy(() => {
    // The workspace (uint8, oneDNN's argmax) exists only as the forward's second output.
    const [, workspace] = backend.executeMultipleOutputs('_MklNativeMaxPool', attrs, [input], 2)
    return backend.executeSingleOutput('_MklNativeMaxPoolGrad', attrs, [
      input,
      output,
      dy,
      workspace
    ]) as tf.Tensor
  })
}

/** What the oneDNN path handles: float NHWC pooling with 'valid' or 'same' padding. */
function poolInfo(args: NativeKernelArgs): {
  info: tf.backend_util.Conv2DInfo
  padding: 'VALID' | 'SAME'
} | null {
  const { input } = args.inputs as { input: tf.TensorInfo }
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as PoolAttrs
  if (input.dtype !== 'float32' || input.shape.length !== 4) return null
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode
  )
  const type = info.padInfo.type
  if (type !== 'VALID' && type !== 'SAME') return null
  if (info.dataFormat !== 'channelsLast' || info.dilationHeight !== 1 || info.dilationWidth !== 1)
    return null
  return { info, padding: type }
}

/**
 * Whether the oneDNN ops exist here and agree with the stock kernel bit for bit, on windows full of
 * ties (ReLU zeros and repeated values), with 'valid' and 'same' padding and odd sizes.
 */
function probe(stock: NativeKernel, backend: NativeBackend): boolean {
  try {
    return tf.tidy(() => {
      const x = tf.relu(
        tf.sub(tf.floor(tf.mul(tf.randomUniform([2, 7, 7, 3], 0, 1, 'float32', 7), 4)), 1)
      )
      for (const pad of ['valid', 'same'] as const) {
        const y = tf.maxPool(x as tf.Tensor4D, 2, 2, pad)
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 11)
        const args = {
          inputs: { dy, input: x, output: y },
          backend,
          attrs: { filterSize: 2, strides: 2, pad } as unknown as tf.NamedAttrMap
        }
        const p = poolInfo(args)
        if (!p) return false
        const ours = oneDnnMaxPoolGrad(backend, dy, x, y, p.padding, p.info)
        const theirs = stock(args) as tf.Tensor
        if (tf.notEqual(ours, theirs).any().dataSync()[0] !== 0) return false
      }
      return true
    })
  } catch {
    // Not an x86 build with oneDNN, or the ops changed: the stock kernel it is.
    return false
  }
}

/**
 * The MaxPoolGrad kernel: oneDNN where `probe` passes on this backend (call it with tfjs-node
 * active), else `stock` (tfjs-node's own kernel).
 */
export function makeMaxPoolGrad(stock: NativeKernel, backend: NativeBackend): NativeKernel {
  if (!probe(stock, backend)) return stock
  return (args) => {
    const p = poolInfo(args)
    if (!p) return stock(args)
    const { dy, input, output } = args.inputs as Record<string, tf.TensorInfo>
    return oneDnnMaxPoolGrad(args.backend as NativeBackend, dy, input, output, p.padding, p.info)
  }
}
