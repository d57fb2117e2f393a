import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { simdKernels, type SimdKernels } from './simd/simd-kernels'
import { heapF32, release, type KernelArgs } from './wasm-ops'

/**
 * Batch normalization in training mode as two kernels of this project's own (wasm with SIMD
 * only): the forward pass (batch statistics and the normalised output) and the closed-form
 * gradient of batch-norm-training.ts. Each reads its big inputs twice, once for per-channel sums
 * (float64) and once for a per-channel affine pass, instead of the ~25 full-size tfjs ops
 * (moments, batchNorm, a dozen broadcasting multiplies and subtractions) the op-by-op version runs.
 */
export const BATCH_NORM_TRAIN = 'DigitStudioBatchNormTrain'
export const BATCH_NORM_GRAD = 'DigitStudioBatchNormGrad'

/** The channel count of `x` ([..., C]) and its rows (every other axis), as the kernels see it. */
function layout(x: tf.TensorInfo): { rows: number; cols: number } {
  const cols = x.shape[x.shape.length - 1]
  return { rows: tf.util.sizeFromShape(x.shape) / cols, cols }
}

/** True when the kernels below can take `x`: wasm with SIMD, float32, channels in fours. */
export function batchNormKernelsApply(x: tf.Tensor): boolean {
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32' || x.rank < 2) return false
  if (tf.getKernel(BATCH_NORM_TRAIN, 'wasm') === undefined) return false
  const { rows, cols } = layout(x)
  return cols % 4 === 0 && rows > 0 && simdKernels(tf.backend() as BackendWasm) !== null
}

function kernels(backend: BackendWasm, name: string): SimdKernels {
  const simd = simdKernels(backend)
  if (!simd) throw new Error(`${name}: the SIMD kernels are unavailable`)
  return simd
}

/** Per-column sums from `col_moments`: Σp and Σp·(x − s), in float64. */
function columnSums(
  simd: SimdKernels,
  backend: BackendWasm,
  p: tf.TensorInfo,
  x: tf.TensorInfo,
  s: number,
  rows: number,
  cols: number
): { sumP: Float64Array; sumPD: Float64Array } {
  // 2·cols doubles of scratch; the heap allocator aligns blocks to 8 bytes at least.
  const scratch = backend.makeOutput([cols * 4], 'float32')
  const at = (t: tf.TensorInfo): number => backend.getMemoryOffset(t.dataId)
  simd.col_moments(at(p), at(x), s, at(scratch), rows, cols)
  const view = heapF32(backend, scratch)
  const doubles = new Float64Array(view.buffer, view.byteOffset, cols * 2).slice()
  release(backend, scratch)
  return { sumP: doubles.subarray(0, cols), sumPD: doubles.subarray(cols) }
}

/** out = p·a + (x − s)·b + c per column, with [a, s, b, c] written to a scratch block first. */
function columnAffine(
  simd: SimdKernels,
  backend: BackendWasm,
  p: tf.TensorInfo,
  x: tf.TensorInfo,
  out: tf.TensorInfo,
  coefficients: Float32Array,
  rows: number,
  cols: number
): void {
  const coef = backend.makeOutput([cols * 4], 'float32')
  heapF32(backend, coef).set(coefficients)
  const at = (t: tf.TensorInfo): number => backend.getMemoryOffset(t.dataId)
  simd.col_affine(at(p), at(x), at(coef), at(out), rows, cols)
  release(backend, coef)
}

/**
 * Inputs x [..., C], gamma and beta [C]; attr epsilon. Outputs: y (x's shape), the batch mean and
 * biased variance (as tf.moments gives them, for the moving averages) and 1/sqrt(variance + ε).
 */
export function batchNormTrainKernel(args: KernelArgs): tf.TensorInfo[] {
  const { inputs, backend } = args
  const epsilon = (args.attrs as { epsilon: number }).epsilon
  const x = inputs.x as tf.TensorInfo
  const simd = kernels(backend, BATCH_NORM_TRAIN)
  const { rows, cols } = layout(x)
  // The sums are taken about x's first row: a value of each channel near its data, so the
  // variance comes from small differences, not from E[x²] − E[x]² of two large numbers.
  const { sumP, sumPD } = columnSums(
    simd,
    backend,
    x,
    x,
    backend.getMemoryOffset(x.dataId),
    rows,
    cols
  )
  const shift = heapF32(backend, x).slice(0, cols)
  const gamma = heapF32(backend, inputs.gamma as tf.TensorInfo).slice()
  const beta = heapF32(backend, inputs.beta as tf.TensorInfo).slice()
  const mean = new Float32Array(cols)
  const variance = new Float32Array(cols)
  const invStd = new Float32Array(cols)
  const coefficients = new Float32Array(cols * 4)
  for (let c = 0; c < cols; c++) {
    const s = shift[c]
    const offset = sumP[c] - rows * s // Σ(x − s)
    const squares = sumPD[c] - s * offset // Σ(x − s)²  (Σx(x − s) − s·Σ(x − s))
    mean[c] = sumP[c] / rows
    variance[c] = Math.max(0, squares / rows - (offset / rows) ** 2)
    invStd[c] = 1 / Math.sqrt(Math.fround(variance[c] + epsilon))
    coefficients[cols + c] = mean[c]
    coefficients[2 * cols + c] = gamma[c] * invStd[c]
    coefficients[3 * cols + c] = beta[c]
  }
  const y = backend.makeOutput(x.shape, 'float32')
  columnAffine(simd, backend, x, x, y, coefficients, rows, cols)
  const stats = [mean, variance, invStd].map((values) => {
    const out = backend.makeOutput([cols], 'float32')
    heapF32(backend, out).set(values)
    return out
  })
  return [y, ...stats]
}

/**
 * Inputs dy and x [..., C], the forward pass's mean and invStd, gamma [C]. Outputs dx, dgamma,
 * dbeta from the closed form  dx = γ·invStd·(dy − Σdy/m − x̂·Σ(dy·x̂)/m),  x̂ = (x − mean)·invStd.
 */
export function batchNormGradKernel(args: KernelArgs): tf.TensorInfo[] {
  const { inputs, backend } = args
  const dy = inputs.dy as tf.TensorInfo
  const x = inputs.x as tf.TensorInfo
  const simd = kernels(backend, BATCH_NORM_GRAD)
  const { rows, cols } = layout(x)
  const meanInfo = inputs.mean as tf.TensorInfo
  const { sumP: sumDy, sumPD: sumDyD } = columnSums(
    simd,
    backend,
    dy,
    x,
    backend.getMemoryOffset(meanInfo.dataId),
    rows,
    cols
  )
  const mean = heapF32(backend, meanInfo).slice()
  const invStd = heapF32(backend, inputs.invStd as tf.TensorInfo).slice()
  const gamma = heapF32(backend, inputs.gamma as tf.TensorInfo).slice()
  const dgamma = new Float32Array(cols)
  const dbeta = new Float32Array(cols)
  const coefficients = new Float32Array(cols * 4)
  for (let c = 0; c < cols; c++) {
    const a = gamma[c] * invStd[c]
    dbeta[c] = sumDy[c]
    dgamma[c] = invStd[c] * sumDyD[c]
    coefficients[c] = a
    coefficients[cols + c] = mean[c]
    coefficients[2 * cols + c] = (-a * invStd[c] * dgamma[c]) / rows
    coefficients[3 * cols + c] = (-a * sumDy[c]) / rows
  }
  const dx = backend.makeOutput(x.shape, 'float32')
  columnAffine(simd, backend, dy, x, dx, coefficients, rows, cols)
  const sums = [dgamma, dbeta].map((values) => {
    const out = backend.makeOutput([cols], 'float32')
    heapF32(backend, out).set(values)
    return out
  })
  return [dx, ...sums]
}
