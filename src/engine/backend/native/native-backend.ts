/**
 * The parts of tfjs-node's NodeJSKernelBackend that this project's native kernels use, typed here
 * because tfjs-node is an optional dependency (nothing may import it statically).
 */
import type * as tf from '@tensorflow/tfjs'

/** tfjs-node's backend name. */
export const NATIVE = 'tensorflow'

/** One attribute of a TensorFlow op, as tfjs-node's binding takes it. */
export interface OpAttr {
  name: string
  type: number
  value: unknown
}

export interface NativeBackend {
  binding: {
    TF_ATTR_TYPE: number
    TF_ATTR_STRING: number
    TF_ATTR_INT: number
    TF_ATTR_BOOL: number
    TF_ATTR_FLOAT: number
    TF_FLOAT: number
    TF_INT32: number
  }
  executeSingleInput(name: string, input: tf.TensorInfo): tf.TensorInfo
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[]): tf.TensorInfo
  executeMultipleOutputs(
    name: string,
    attrs: OpAttr[],
    inputs: tf.TensorInfo[],
    numOutputs: number
  ): tf.TensorInfo[]
}

/** The arguments tfjs passes a kernel function. */
export interface NativeKernelArgs {
  inputs: tf.NamedTensorInfoMap
  backend: unknown
  attrs?: tf.NamedAttrMap
}

export type NativeKernel = (args: NativeKernelArgs) => tf.TensorInfo

/** Kernels named in DIGIT_STUDIO_STOCK_KERNELS (comma-separated) stay tfjs-node's own: for A/B measurements. */
export function keptStock(env: NodeJS.ProcessEnv = process.env): Set<string> {
  return new Set((env.DIGIT_STUDIO_STOCK_KERNELS ?? '').split(',').map((k) => k.trim()))
}
