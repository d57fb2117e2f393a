import * as tf from '@tensorflow/tfjs'
import { simdKernels } from './simd/simd-kernels'
import { heapF32, type KernelArgs } from './wasm-ops'

type Shape4 = [number, number, number, number]
type StockKernel = (args: KernelArgs) => tf.TensorInfo

/**
 * MaxPoolGrad for wasm: dy goes to each window's first maximum (the cpu backend's rule), summed
 * where windows overlap. For the usual 2x2, stride 2 pool this is an elementwise mask, computed by
 * the SIMD kernel (4 channels at a time); other pools take one JS pass over the wasm heap with the
 * channel as the inner loop. Both replace the stock kernel, which took a fifth of a training step
 * and, measured against cpu, misplaces gradients of overlapping padded pools.
 * Non-float inputs (never produced by layers) keep the stock kernel.
 */
export function makeMaxPoolGrad(stock: StockKernel): StockKernel {
  return (args) => {
    const { inputs, backend, attrs = {} } = args
    const dy = inputs.dy as tf.TensorInfo
    const input = inputs.input as tf.TensorInfo
    if (input.dtype !== 'float32') return stock(args)
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs
    const info = tf.backend_util.computePool2DInfo(
      input.shape as Shape4,
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode
    )
    const dx = backend.makeOutput(input.shape, 'float32')
    const simd = simdKernels(backend)
    if (simd && is2x2Disjoint(info) && info.inChannels % 4 === 0) {
      const at = (t: tf.TensorInfo): number => backend.getMemoryOffset(t.dataId)
      simd.max_pool_grad_2x2(
        at(input),
        at(dy),
        at(dx),
        info.batchSize,
        info.inHeight,
        info.inWidth,
        info.outHeight,
        info.outWidth,
        info.inChannels
      )
      return dx
    }
    // Views are taken after the allocation above: growing the heap detaches older views.
    const route = is2x2Disjoint(info) ? route2x2 : routeGradient
    route(heapF32(backend, input), heapF32(backend, dy), heapF32(backend, dx), info)
    return dx
  }
}

/** The routing loop; scratch arrays hold, per channel, the running maximum and where it was. */
function routeGradient(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo
): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info
  const { top, left } = info.padInfo
  dx.fill(0)
  const best = new Float32Array(c)
  const where = new Int32Array(c)
  const rowStride = inWidth * c
  for (let n = 0; n < batchSize; n++) {
    const xBatch = n * inHeight * rowStride
    for (let oh = 0; oh < outHeight; oh++) {
      const r0 = oh * strideHeight - top
      const rStart = Math.max(0, r0)
      const rEnd = Math.min(inHeight, r0 + filterHeight)
      for (let ow = 0; ow < outWidth; ow++) {
        const c0 = ow * strideWidth - left
        const cStart = Math.max(0, c0)
        const cEnd = Math.min(inWidth, c0 + filterWidth)
        best.fill(-Infinity)
        where.fill(-1)
        for (let r = rStart; r < rEnd; r++) {
          for (let col = cStart; col < cEnd; col++) {
            const at = xBatch + r * rowStride + col * c
            for (let ch = 0; ch < c; ch++) {
              const v = x[at + ch]
              // Strictly greater keeps the first maximum, as the cpu backend does; NaN never wins,
              // and a window of NaN or -Infinity passes no gradient, as on cpu.
              if (v > best[ch]) {
                best[ch] = v
                where[ch] = at + ch
              }
            }
          }
        }
        const dyAt = ((n * outHeight + oh) * outWidth + ow) * c
        for (let ch = 0; ch < c; ch++) if (where[ch] >= 0) dx[where[ch]] += dy[dyAt + ch]
      }
    }
  }
}

function is2x2Disjoint(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight * 2 <= info.inHeight &&
    info.outWidth * 2 <= info.inWidth
  )
}

/**
 * The 2x2, stride 2 case, unrolled: each input pixel is read once and written once, so no scratch
 * arrays and no clearing pass except for a row or column no window covers (odd sizes).
 */
function route2x2(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo
): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info
  if (outHeight * 2 !== inHeight || outWidth * 2 !== inWidth) dx.fill(0)
  const rowStride = inWidth * c
  let g = 0
  for (let n = 0; n < batchSize; n++) {
    const xBatch = n * inHeight * rowStride
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const p00 = xBatch + 2 * oh * rowStride + 2 * ow * c
        const p01 = p00 + c
        const p10 = p00 + rowStride
        const p11 = p10 + c
        for (let ch = 0; ch < c; ch++, g++) {
          // The first strict maximum in scan order, starting from -Infinity, as the cpu backend.
          let best = -Infinity
          let which = -1
          const a = x[p00 + ch]
          const b = x[p01 + ch]
          const d = x[p10 + ch]
          const e = x[p11 + ch]
          if (a > best) {
            best = a
            which = 0
          }
          if (b > best) {
            best = b
            which = 1
          }
          if (d > best) {
            best = d
            which = 2
          }
          if (e > best) which = 3
          const grad = dy[g]
          dx[p00 + ch] = which === 0 ? grad : 0
          dx[p01 + ch] = which === 1 ? grad : 0
          dx[p10 + ch] = which === 2 ? grad : 0
          dx[p11 + ch] = which === 3 ? grad : 0
        }
      }
    }
  }
}
