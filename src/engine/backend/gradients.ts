import * as tf from '@tensorflow/tfjs'
import { useFastBatchNormTraining } from './batch-norm-training'
import { makeConv2dBackpropFilter } from './kernels/conv2d-backprop-filter'
import { makeAdd } from './kernels/add-bias'
import { makeBatchMatMul } from './kernels/batch-mat-mul'
import { makeConv2dBackpropInput } from './kernels/conv2d-backprop-input'
import { makeConv2d, makeFusedConv2d } from './kernels/conv2d-forward'
import { delegateToCpu, kernelsMissingFromWasm } from './kernels/cpu-delegate'
import { ADAM_KERNEL, adamKernel } from './kernels/fused-adam'
import {
  BATCH_NORM_GRAD,
  BATCH_NORM_TRAIN,
  batchNormGradKernel,
  batchNormTrainKernel
} from './kernels/batch-norm-kernels'
import { makeMaxPoolGrad } from './kernels/max-pool-grad'
import { RELU_GRAD, reluGrad, reluGradConfig } from './kernels/relu-grad'
import { makeCast, makeIdentity } from './kernels/share-data'
import { makeMean, makeSum } from './kernels/sum'
import { makeTile } from './kernels/tile'
import { WASM, type KernelArgs } from './kernels/wasm-ops'

/**
 * Gradient kernels that make tfjs-backend-wasm able to train a CNN, and fast.
 *
 * Stock wasm 4.22 runs a CNN forward but not backward: Conv2DBackpropFilter and several other
 * gradient kernels are missing, and its MaxPoolGrad and Conv2DBackpropInput are plain loops. This
 * module registers, for the 'wasm' backend:
 * - fast kernels for the ops the project's models spend their time in (one file each under
 *   ./kernels): gradients rewritten as XNNPACK forward convolutions, hand-written wasm SIMD
 *   kernels (./kernels/simd/kernels.wat) that work in place on tfjs's heap, and copies avoided;
 * - a one-pass ReLU gradient (the only global change: on other backends it is tfjs's own);
 * - the kernel behind FusedAdamOptimizer (kernels/fused-adam.ts), bit-identical to tfjs's Adam;
 * - batch norm layers' training path with a closed-form gradient (batch-norm-training.ts), its
 *   forward and backward passes as two SIMD kernels each (kernels/batch-norm-kernels.ts);
 * - for every other kernel the cpu backend has and wasm lacks, a delegate that runs the cpu
 *   kernel on copies, so any model trains, if slowly.
 */

type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]
type SingleKernel = (args: KernelArgs) => tf.TensorInfo

/**
 * Fast kernels by name. Each factory gets the kernel it replaces (the stock wasm kernel, or the cpu
 * delegate where wasm has none) for the configurations its fast path doesn't cover.
 */
const FAST_KERNELS: Record<
  string,
  (fallback: SingleKernel, keepStock: ReadonlySet<string>) => Kernel
> = {
  // Stock wasm has no filter gradient, so "stock" here means the XNNPACK rewrite without the
  // multi-channel SIMD kernel: the comparison its measurements need.
  [tf.Conv2DBackpropFilter]: (_, keepStock) =>
    makeConv2dBackpropFilter({ multiChannelSimd: !keepStock.has(tf.Conv2DBackpropFilter) }),
  [tf.Conv2DBackpropInput]: makeConv2dBackpropInput,
  [tf.Conv2D]: makeConv2d,
  [tf.FusedConv2D]: makeFusedConv2d,
  [tf.MaxPoolGrad]: makeMaxPoolGrad,
  [tf.BatchMatMul]: makeBatchMatMul,
  [tf.Sum]: makeSum,
  [tf.Mean]: makeMean,
  [tf.Identity]: makeIdentity,
  [tf.Cast]: makeCast,
  [tf.Add]: makeAdd,
  [tf.Tile]: makeTile
}

/** Marks kernel functions registered here, so a second call recognises its own work. */
const OURS = new WeakSet<object>()

function register(kernelName: string, impl: Kernel, setupFunc?: tf.KernelSetupFunc): void {
  const kernelFunc = impl as unknown as tf.KernelFunc
  OURS.add(kernelFunc)
  tf.registerKernel({ kernelName, backendName: WASM, kernelFunc, setupFunc })
}

/**
 * Registers the fallback's kernels for the wasm backend. Call it before `tf.setBackend('wasm')`:
 * the stock kernels it wraps keep their setup functions, which bind their wasm exports when the
 * backend starts. Idempotent: a second call changes nothing.
 */
export function registerFallbackKernels(env: NodeJS.ProcessEnv = process.env): void {
  // The stock kernels must be registered first, or every wasm kernel would look missing and be
  // delegated to cpu (and importing the package later would overwrite the fast ones).
  if (tf.getKernel(tf.Conv2D, WASM) === undefined) {
    throw new Error('registerFallbackKernels: import @tensorflow/tfjs-backend-wasm first')
  }
  // For measurements and bisecting: DIGIT_STUDIO_STOCK_KERNELS=Sum,Add keeps those stock.
  const keepStock = new Set((env.DIGIT_STUDIO_STOCK_KERNELS ?? '').split(',').map((k) => k.trim()))
  for (const [kernelName, makeFast] of Object.entries(FAST_KERNELS)) {
    const existing = tf.getKernel(kernelName, WASM)
    if (keepStock.has(kernelName) && existing !== undefined) continue
    if (existing !== undefined && OURS.has(existing.kernelFunc)) continue
    if (existing !== undefined) tf.unregisterKernel(kernelName, WASM)
    const fallback: SingleKernel = existing
      ? (existing.kernelFunc as unknown as SingleKernel)
      : (args) => delegateToCpu(kernelName, args) as tf.TensorInfo
    register(kernelName, makeFast(fallback, keepStock), existing?.setupFunc)
  }
  if (tf.getKernel(RELU_GRAD, WASM) === undefined) register(RELU_GRAD, reluGrad)
  // Global, but identical to tfjs's own gradient on every backend except wasm (see relu-grad.ts).
  if (!keepStock.has(RELU_GRAD)) tf.registerGradient(reluGradConfig)
  if (tf.getKernel(ADAM_KERNEL, WASM) === undefined) register(ADAM_KERNEL, adamKernel)
  // Batch norm's training kernels; DIGIT_STUDIO_STOCK_KERNELS=BatchNormKernels leaves them out
  // (the closed-form gradient then runs as tfjs ops).
  if (!keepStock.has('BatchNormKernels')) {
    if (tf.getKernel(BATCH_NORM_TRAIN, WASM) === undefined)
      register(BATCH_NORM_TRAIN, batchNormTrainKernel)
    if (tf.getKernel(BATCH_NORM_GRAD, WASM) === undefined)
      register(BATCH_NORM_GRAD, batchNormGradKernel)
  }
  // Not a kernel: batch norm layers train with a closed-form gradient (batch-norm-training.ts).
  if (!keepStock.has('BatchNormTraining')) useFastBatchNormTraining()
  for (const kernelName of kernelsMissingFromWasm()) {
    register(kernelName, (args) => delegateToCpu(kernelName, args))
  }
}
