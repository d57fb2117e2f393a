import * as tf from '@tensorflow/tfjs'
import type { SimdKernels } from './simd/simd-kernels'
import { release, runWasm, type KernelArgs } from './wasm-ops'

/** The kernel's register block: input channels per block and output channels per block. */
const CI_BLOCK = 4
const CO_BLOCK = 8

/**
 * Bytes of x and dy rows one pixel block may read. Each tap and channel block sweeps the block
 * again, so it should stay in L1 (32 KB on most x86 and Apple cores, 48 KB on this machine's).
 */
const L1_BUDGET = 32 * 1024

/** Whether the SIMD kernel computes this weight gradient: stride 1, several input channels. */
export function multiChannelSimdApplies(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.inChannels > 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1
  )
}

/** Output rows per pixel block, so the block's x rows (with the taps' overlap) and dy rows fit L1. */
function rowsPerBlock(
  info: tf.backend_util.Conv2DInfo,
  inChannels: number,
  outChannels: number
): number {
  const xRow = info.inWidth * inChannels * 4
  const dyRow = info.outWidth * outChannels * 4
  const rows = Math.floor((L1_BUDGET - (info.filterHeight - 1) * xRow) / (xRow + dyRow))
  return Math.min(info.outHeight, Math.max(1, rows))
}

const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m

/** Zero channels appended to an NHWC tensor (a copy), or null when it already has `channels`. */
function padChannels(
  backend: KernelArgs['backend'],
  t: tf.TensorInfo,
  channels: number
): tf.TensorInfo | null {
  const extra = channels - t.shape[3]
  if (extra === 0) return null
  return runWasm(
    tf.PadV2,
    backend,
    { x: t },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, extra]
      ],
      constantValue: 0
    }
  )
}

/**
 * A stride-1 convolution's weight gradient by the register-blocked SIMD kernel
 * (`conv_filter_grad` in kernels.wat): x is read unpadded (each tap clips its pixel range), so no
 * padded copy of x and no packing of dy as XNNPACK's filter. Channel counts the kernel's blocks
 * don't divide get zero channels appended, and the extra rows and columns of the result are cut.
 */
export function multiChannelFilterGrad(
  args: KernelArgs,
  info: tf.backend_util.Conv2DInfo,
  simd: SimdKernels
): tf.TensorInfo {
  const { backend } = args
  const x = args.inputs.x as tf.TensorInfo
  const dy = args.inputs.dy as tf.TensorInfo
  const ci = roundUp(info.inChannels, CI_BLOCK)
  const co = roundUp(info.outChannels, CO_BLOCK)
  const xPadded = padChannels(backend, x, ci)
  const dyPadded = padChannels(backend, dy, co)
  const kh = info.filterHeight
  const kw = info.filterWidth
  const out = backend.makeOutput([kh, kw, ci, co], 'float32')
  const at = (t: tf.TensorInfo): number => backend.getMemoryOffset(t.dataId)
  simd.conv_filter_grad(
    at(xPadded ?? x),
    at(dyPadded ?? dy),
    at(out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    ci,
    info.outHeight,
    info.outWidth,
    co,
    kh,
    kw,
    info.padInfo.top,
    info.padInfo.left,
    rowsPerBlock(info, ci, co)
  )
  const made = [xPadded, dyPadded].filter((t): t is tf.TensorInfo => t !== null)
  if (ci === info.inChannels && co === info.outChannels) {
    release(backend, ...made)
    return out
  }
  const cut = runWasm(
    tf.Slice,
    backend,
    { x: out },
    { begin: [0, 0, 0, 0], size: [kh, kw, info.inChannels, info.outChannels] }
  )
  release(backend, out, ...made)
  return cut
}
