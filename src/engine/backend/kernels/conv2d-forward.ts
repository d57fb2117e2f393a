import * as tf from '@tensorflow/tfjs'
import { simdKernels } from './simd/simd-kernels'
import { padSpatially, release, type KernelArgs } from './wasm-ops'

type Shape4 = [number, number, number, number]
type Kernel = (args: KernelArgs) => tf.TensorInfo

/** Output channels per register block of `conv2d_s1` (kernels.wat). */
const CO_BLOCK = 16
/** Larger filters are the filter gradient's XNNPACK rewrite (dy as a filter): left to XNNPACK. */
const MAX_FILTER_SIDE = 7

/**
 * Conv2D for wasm: stride-1 convolutions with small filters and output channels in multiples of
 * 16 (the presets' 3x3 layers, forward and, through conv2d-backprop-input.ts, their input
 * gradients) by the SIMD kernel `conv2d_s1`; everything else by the stock XNNPACK kernel.
 */
export function makeConv2d(stock: Kernel): Kernel {
  return (args) => simdConv2d(args) ?? stock(args)
}

/**
 * FusedConv2D (what layers call when no gradient is being taken, or when the activation is
 * linear, as in the `accurate` model's bias-free convolutions) by the same kernel when it adds
 * nothing to the convolution: no bias, no activation. Otherwise the stock kernel.
 */
export function makeFusedConv2d(stock: Kernel): Kernel {
  return (args) => {
    const { bias, preluActivationWeights } = args.inputs
    const { activation } = (args.attrs ?? {}) as unknown as tf.FusedConv2DAttrs
    const plain = !bias && !preluActivationWeights && (!activation || activation === 'linear')
    return (plain ? simdConv2d(args) : null) ?? stock(args)
  }
}

/** The SIMD path, or null when it doesn't cover this call. */
function simdConv2d(args: KernelArgs): tf.TensorInfo | null {
  const { backend, attrs = {} } = args
  const x = args.inputs.x as tf.TensorInfo
  const filter = args.inputs.filter as tf.TensorInfo
  const { strides, pad, dataFormat, dilations, dimRoundingMode } =
    attrs as unknown as tf.Conv2DAttrs
  if (dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return null
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast'
  )
  if (
    info.strideHeight !== 1 ||
    info.strideWidth !== 1 ||
    info.dilationHeight !== 1 ||
    info.dilationWidth !== 1 ||
    info.filterHeight > MAX_FILTER_SIDE ||
    info.filterWidth > MAX_FILTER_SIDE ||
    info.outChannels % CO_BLOCK !== 0 ||
    info.outHeight < 1 ||
    info.outWidth < 1
  )
    return null
  const simd = simdKernels(backend)
  if (simd === null) return null
  const { top, bottom, left, right } = info.padInfo
  if (Math.min(top, bottom, left, right) < 0) return null
  // The kernel reads a padded input: one copy of x, small next to the convolution's arithmetic.
  const padded = padSpatially(backend, x, { top, bottom, left, right })
  const xp = padded ?? x
  const out = backend.makeOutput(
    [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
    'float32'
  )
  const at = (t: tf.TensorInfo): number => backend.getMemoryOffset(t.dataId)
  simd.conv2d_s1(
    at(xp),
    at(filter),
    at(out),
    info.batchSize,
    xp.shape[1],
    xp.shape[2],
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth
  )
  if (padded) release(backend, padded)
  return out
}
