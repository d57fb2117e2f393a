import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

/** The backend name every fallback kernel registers for. */
export const WASM = 'wasm'

/** What tfjs hands a kernel function: backend-level tensor handles, not engine Tensors. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap
  backend: BackendWasm
  attrs?: tf.NamedAttrMap
}

/**
 * Runs another wasm kernel directly, the way the wasm backend's own kernels compose (its reshape,
 * transpose, conv2d functions take and return TensorInfo). Going through the kernel registry rather
 * than `tf.conv2d` keeps the engine out of it: nothing is taped, tracked or counted twice.
 */
export function runWasm(
  kernelName: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {}
): tf.TensorInfo {
  const kernel = tf.getKernel(kernelName, WASM)
  if (kernel === undefined) throw new Error(`wasm kernel ${kernelName} is not registered`)
  return kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo
}

/** Releases intermediate results made by `runWasm` (a reshape only drops a reference). */
export function release(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId)
}

/** A float32 view of a tensor's bytes on the wasm heap; take it after the last allocation. */
export function heapF32(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array
}

/**
 * `x` [N,H,W,C] with zero rows and columns added around each image, as a convolution pads it; null
 * when there is no padding (use `x` itself). The caller releases the copy.
 */
export function padSpatially(
  backend: BackendWasm,
  x: tf.TensorInfo,
  pad: { top: number; bottom: number; left: number; right: number }
): tf.TensorInfo | null {
  const { top, bottom, left, right } = pad
  if (top + bottom + left + right === 0) return null
  return runWasm(
    tf.PadV2,
    backend,
    { x },
    {
      paddings: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0]
      ],
      constantValue: 0
    }
  )
}
