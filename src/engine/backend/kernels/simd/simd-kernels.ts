import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { KERNELS_WASM_BASE64 } from './kernels-wasm'

/** The exports of kernels.wat; every pointer is a byte offset into tfjs's wasm heap. */
export interface SimdKernels {
  conv_filter_grad_c1(
    x: number,
    dy: number,
    out: number,
    n: number,
    hp: number,
    wp: number,
    oh: number,
    ow: number,
    kh: number,
    kw: number,
    stride: number,
    co: number
  ): void
  max_pool_grad_2x2(
    x: number,
    dy: number,
    dx: number,
    n: number,
    h: number,
    w: number,
    oh: number,
    ow: number,
    c: number
  ): void
  sum_rows(x: number, out: number, acc: number, rows: number, cols: number): void
  add_bias(x: number, bias: number, out: number, rows: number, cols: number): void
  relu_grad(dy: number, x: number, out: number, count: number): void
  adam(
    w: number,
    m: number,
    v: number,
    g: number,
    wOut: number,
    mOut: number,
    vOut: number,
    count: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    c1: number,
    c2: number,
    epsilon: number,
    negLearningRate: number
  ): void
}

// The project's TypeScript lib has no DOM, so the WebAssembly API is typed here, minimally.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: object }
  Memory: abstract new (...args: never[]) => object
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

const instances = new WeakMap<BackendWasm, SimdKernels | null>()
let compiled: object | null | undefined

/**
 * The SIMD kernels bound to this backend's heap, instantiated once per backend; null where the
 * runtime lacks wasm SIMD or the heap can't be reached (callers then keep their portable path).
 */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  const cached = instances.get(backend)
  if (cached !== undefined) return cached
  let kernels: SimdKernels | null = null
  // DIGIT_STUDIO_NO_SIMD=1 measures (or works around) the portable paths.
  if (process.env.DIGIT_STUDIO_NO_SIMD === '1') {
    instances.set(backend, null)
    return null
  }
  try {
    if (compiled === undefined)
      compiled = new Wasm.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'))
    // tfjs-backend-wasm keeps its emscripten module's exports, memory included, on `wasm.asm`.
    const memory = (backend.wasm as unknown as { asm?: { memory?: object } }).asm?.memory
    if (compiled !== null && memory instanceof Wasm.Memory) {
      const instance = new Wasm.Instance(compiled, { env: { memory } })
      kernels = instance.exports as unknown as SimdKernels
    }
  } catch {
    compiled = null
    kernels = null
  }
  instances.set(backend, kernels)
  return kernels
}
