import * as tf from '@tensorflow/tfjs'
import { delegateToCpu } from './cpu-delegate'
import { multiChannelFilterGrad, multiChannelSimdApplies } from './multi-channel-filter-grad'
import { simdKernels, type SimdKernels } from './simd/simd-kernels'
import { padSpatially, release, runWasm, type KernelArgs } from './wasm-ops'

type Shape4 = [number, number, number, number]

/**
 * Conv2DBackpropFilter (the weight gradient of a 2-D convolution) for wasm. Stride-1 convolutions
 * with several input channels (every 3x3 layer after the first in the presets) go to the
 * register-blocked SIMD kernel (multi-channel-filter-grad.ts) unless `multiChannelSimd` is off
 * (DIGIT_STUDIO_STOCK_KERNELS=Conv2DBackpropFilter, for comparisons); one input channel goes to its
 * own SIMD kernel; everything else is rewritten as one forward convolution for XNNPACK.
 */
export function makeConv2dBackpropFilter(options: {
  multiChannelSimd: boolean
}): (args: KernelArgs) => tf.TensorInfo {
  return (args) => conv2dBackpropFilter(args, options.multiChannelSimd)
}

/**
 * The XNNPACK rewrite as one forward convolution:
 *
 *   dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[n,oh,ow,co]
 *
 * is a convolution of x laid out as [ci, H, W, n] (batch = input channels, channels = batch) with dy
 * laid out as [oh, ow, n, co] used as the filter, stride 1 and dilation = the original stride; its
 * [ci, kh, kw, co] output is transposed to [kh, kw, ci, co]. Layouts wasm can't run (NCHW) go to
 * the cpu delegate.
 */
function conv2dBackpropFilter(args: KernelArgs, multiChannelSimd: boolean): tf.TensorInfo {
  const { inputs, backend, attrs = {} } = args
  const x = inputs.x as tf.TensorInfo
  const dy = inputs.dy as tf.TensorInfo
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as tf.Conv2DBackpropFilterAttrs
  if (dataFormat === 'NCHW') return delegateToCpu(tf.Conv2DBackpropFilter, args) as tf.TensorInfo
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape as Shape4,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast'
  )
  const { inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth } = info
  const { filterHeight, filterWidth } = info
  const top = info.padInfo.top
  const left = info.padInfo.left
  // The rewritten conv must produce exactly filterHeight x filterWidth outputs; rows the forward
  // conv never read (valid padding with a remainder) give a negative pad, so crop them instead.
  let bottom = filterHeight - inHeight - top + (outHeight - 1) * strideHeight
  let right = filterWidth - inWidth - left + (outWidth - 1) * strideWidth
  const cropRows = Math.max(0, -bottom)
  const cropCols = Math.max(0, -right)
  bottom = Math.max(0, bottom)
  right = Math.max(0, right)

  const simd = simdKernels(backend)
  if (simd && info.inChannels === 1 && info.outChannels % 4 === 0 && strideHeight === strideWidth) {
    return oneChannelFilterGrad(args, info, simd)
  }
  if (simd && multiChannelSimd && multiChannelSimdApplies(info)) {
    return multiChannelFilterGrad(args, info, simd)
  }

  const made: tf.TensorInfo[] = []
  let xT = runWasm(tf.Transpose, backend, { x }, { perm: [3, 1, 2, 0] })
  made.push(xT)
  if (cropRows > 0 || cropCols > 0) {
    const [c, h, w, n] = xT.shape
    xT = runWasm(
      tf.Slice,
      backend,
      { x: xT },
      { begin: [0, 0, 0, 0], size: [c, h - cropRows, w - cropCols, n] }
    )
    made.push(xT)
  }
  const dyT = runWasm(tf.Transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] })
  made.push(dyT)
  const conv = runWasm(tf.Conv2D, backend, { x: xT, filter: dyT }, {
    strides: [1, 1],
    dilations: [strideHeight, strideWidth],
    pad: [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0]
    ],
    dataFormat: 'NHWC',
    dimRoundingMode: undefined as unknown as string
  } as unknown as tf.NamedAttrMap)
  made.push(conv)
  const dW = runWasm(tf.Transpose, backend, { x: conv }, { perm: [1, 2, 0, 3] })
  release(backend, ...made)
  return dW
}

/**
 * A first layer's weight gradient (one input channel) by the SIMD kernel: x is padded as the forward
 * conv padded it, then one pass over dy accumulates every tap. XNNPACK would have to pack all of dy
 * (11 MB for the seed model's first layer) as a filter first: 25 ms against a few.
 */
function oneChannelFilterGrad(
  args: KernelArgs,
  info: tf.backend_util.Conv2DInfo,
  simd: SimdKernels
): tf.TensorInfo {
  const { backend } = args
  const x = args.inputs.x as tf.TensorInfo
  const dy = args.inputs.dy as tf.TensorInfo
  const padded = padSpatially(backend, x, info.padInfo)
  const xp = padded ?? x
  const out = backend.makeOutput(
    [info.filterHeight, info.filterWidth, 1, info.outChannels],
    'float32'
  )
  const at = (t: tf.TensorInfo): number => backend.getMemoryOffset(t.dataId)
  simd.conv_filter_grad_c1(
    at(xp),
    at(dy),
    at(out),
    info.batchSize,
    xp.shape[1],
    xp.shape[2],
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.outChannels
  )
  if (padded) release(backend, padded)
  return out
}
