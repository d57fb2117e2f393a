import * as tf from '@tensorflow/tfjs'
import type { KernelArgs } from './wasm-ops'

const COPYABLE = new Set(['float32', 'int32', 'bool'])

/**
 * Runs a kernel the wasm backend lacks on the pure-JS cpu backend: inputs are copied out of the
 * wasm heap, the cpu kernel runs, outputs are copied back. Slow, but correct and complete, so a
 * model with a rare op (a depthwise conv gradient, say) still trains on the fallback.
 */
export function delegateToCpu(
  kernelName: string,
  args: KernelArgs
): tf.TensorInfo | tf.TensorInfo[] {
  const cpuKernel = tf.getKernel(kernelName, 'cpu')
  const cpu = tf.engine().findBackend('cpu')
  if (cpuKernel === undefined || cpu === null) {
    throw new Error(`kernel ${kernelName} has no wasm version and no cpu version to delegate to`)
  }
  // The cpu backend greets its first write with a "install tfjs-node" banner; here that is noise
  // (the engine already reports its backend and why), so mark it as used.
  if ('firstUse' in cpu) (cpu as unknown as { firstUse: boolean }).firstUse = false
  const { inputs, backend, attrs } = args
  const cpuInputs: tf.NamedTensorInfoMap = {}
  for (const [name, info] of Object.entries(inputs)) {
    if (info === undefined || info === null) continue
    if (!COPYABLE.has(info.dtype))
      throw new Error(`${kernelName}: cannot delegate dtype ${info.dtype}`)
    const values = backend.readSync(info.dataId) as tf.backend_util.BackendValues
    cpuInputs[name] = {
      dataId: cpu.write(values, info.shape, info.dtype),
      shape: info.shape,
      dtype: info.dtype
    }
  }
  try {
    const result = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs: attrs ?? {} })
    const outputs = Array.isArray(result) ? result : [result]
    const copied = outputs.map((out) => {
      const values = cpu.readSync(out.dataId) as tf.backend_util.TypedArray
      const wasmOut = backend.makeOutput(out.shape, out.dtype, undefined, values)
      cpu.disposeData(out.dataId)
      return wasmOut
    })
    return Array.isArray(result) ? copied : copied[0]
  } finally {
    for (const info of Object.values(cpuInputs)) if (info) cpu.disposeData(info.dataId)
  }
}

/**
 * Kernel names the cpu backend has and wasm doesn't: the set the delegate fills in. Computed from
 * the registry rather than listed, so a tfjs upgrade that adds wasm kernels shrinks it by itself.
 */
export function kernelsMissingFromWasm(): string[] {
  const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName))
  return tf
    .getKernelsForBackend('cpu')
    .map((k) => k.kernelName)
    .filter((name) => !wasm.has(name))
}
