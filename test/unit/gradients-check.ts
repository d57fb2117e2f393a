import * as tf from '@tensorflow/tfjs'
import * as wasm from '@tensorflow/tfjs-backend-wasm'
import { expect } from 'vitest'
import { registerFallbackKernels } from '#engine/backend/gradients'
import { wasmBinariesDir } from '#engine/store/paths'

// Helpers of the gradients*.test.ts files. Every fallback kernel is checked against the pure-JS
// cpu backend, tfjs's reference. tfjs keeps one engine per process, so each check runs on wasm,
// switches to cpu, runs again and switches back.

export type Inputs = Record<string, { shape: number[]; values: Float32Array }>

/** Deterministic values in [-1, 1) so failures reproduce. */
export function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    out[i] = state / 2 ** 31 - 1
  }
  return out
}

/** A batch of `n` deterministic images in [0, 1) ([n, 28, 28, 1]) with one-hot labels `i % 10`. */
export function imageBatch(n: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const xs = tf.tensor4d(
    randomValues(n * 28 * 28, seed).map((v) => (v + 1) / 2),
    [n, 28, 28, 1]
  )
  const ys = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % 10),
      'int32'
    ),
    10
  ) as tf.Tensor2D
  return { xs, ys }
}

export function makeInputs(shapes: Record<string, number[]>, seed: number): Inputs {
  const inputs: Inputs = {}
  let s = seed
  for (const [name, shape] of Object.entries(shapes)) {
    inputs[name] = {
      shape,
      values: randomValues(
        shape.reduce((a, b) => a * b, 1),
        s++
      )
    }
  }
  return inputs
}

/** Runs one kernel by name on the given backend and returns its output values and shape. */
export async function runOn(
  backendName: string,
  kernelName: string,
  inputs: Inputs,
  attrs: object
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backendName)
  const tensors: Record<string, tf.Tensor> = {}
  for (const [name, { shape, values }] of Object.entries(inputs))
    tensors[name] = tf.tensor(values, shape)
  const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor
  const result = { shape: out.shape, values: out.dataSync() as Float32Array }
  tf.dispose([out, ...Object.values(tensors)])
  return result
}

/**
 * |a - b| within `relative` of the reference's largest magnitude: sums of thousands of products
 * in another order differ in the last bits.
 */
export function expectClose(actual: Float32Array, expected: Float32Array, relative = 1e-4): void {
  expect(actual.length).toBe(expected.length)
  let scale = 0
  for (const v of expected) scale = Math.max(scale, Math.abs(v))
  const tolerance = relative * Math.max(scale, 1e-3)
  let worst = 0
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]))
  expect(worst).toBeLessThanOrEqual(tolerance)
}

export async function compareKernel(
  kernelName: string,
  inputs: Inputs,
  attrs: object
): Promise<void> {
  const fromWasm = await runOn('wasm', kernelName, inputs, attrs)
  const fromCpu = await runOn('cpu', kernelName, inputs, attrs)
  await tf.setBackend('wasm')
  expect(fromWasm.shape).toEqual(fromCpu.shape)
  expectClose(fromWasm.values, fromCpu.values)
}

/** Starts the wasm backend with the fallback kernels, registered twice to prove idempotence. */
export async function startWasmWithFallback(): Promise<void> {
  wasm.setWasmPaths(wasmBinariesDir())
  wasm.setThreadsCount(1)
  registerFallbackKernels()
  registerFallbackKernels() // idempotent: a second call must not break anything
  expect(await tf.setBackend('wasm')).toBe(true)
}
