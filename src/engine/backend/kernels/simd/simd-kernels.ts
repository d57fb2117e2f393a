import v8 from 'node:v8'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-wasm'

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
  conv_filter_grad(
    x: number,
    dy: number,
    out: number,
    n: number,
    h: number,
    w: number,
    ci: number,
    oh: number,
    ow: number,
    co: number,
    kh: number,
    kw: number,
    padTop: number,
    padLeft: number,
    rowsPerBlock: number
  ): void
  conv2d_s1(
    x: number,
    w: number,
    out: number,
    n: number,
    hp: number,
    wp: number,
    ci: number,
    oh: number,
    ow: number,
    co: number,
    kh: number,
    kw: number
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
  col_moments(p: number, x: number, s: number, acc: number, rows: number, cols: number): void
  col_affine(p: number, x: number, coef: number, out: number, rows: number, cols: number): void
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
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: object }
  Memory: abstract new (...args: never[]) => object
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** The two builds of kernels.wat (scripts/build-simd.ts). */
export type SimdVariant = 'relaxed' | 'plain'

const instances = new WeakMap<BackendWasm, SimdKernels | null>()
const modules: Partial<Record<SimdVariant, object | null>> = {}
let chosen: SimdVariant | null = null

/**
 * Node 20's V8 has relaxed SIMD behind a flag (on by default from V8 11.4: Electron, Node 22).
 * Wasm features are read when a module is validated, so turning the flag on before compiling our
 * own module is enough; tfjs's modules use no relaxed instructions and don't change. Tried only
 * where the relaxed build fails to validate; an unknown flag is ignored.
 */
function enableRelaxedSimd(): void {
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd')
}

function compiledModule(variant: SimdVariant): object | null {
  const cached = modules[variant]
  if (cached !== undefined) return cached
  const bytes = Buffer.from(
    variant === 'relaxed' ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64,
    'base64'
  )
  if (variant === 'relaxed' && !Wasm.validate(bytes)) enableRelaxedSimd()
  const module = Wasm.validate(bytes) ? new Wasm.Module(bytes) : null
  modules[variant] = module
  return module
}

/**
 * One build of the kernels bound to this backend's heap (a fresh instance: tests compare the
 * builds); null where the runtime rejects that build or the heap can't be reached.
 */
export function instantiateSimdKernels(
  backend: BackendWasm,
  variant: SimdVariant
): SimdKernels | null {
  const module = compiledModule(variant)
  // tfjs-backend-wasm keeps its emscripten module's exports, memory included, on `wasm.asm`.
  const memory = (backend.wasm as unknown as { asm?: { memory?: object } }).asm?.memory
  if (module === null || !(memory instanceof Wasm.Memory)) return null
  return new Wasm.Instance(module, { env: { memory } }).exports as unknown as SimdKernels
}

/** Which build of the SIMD kernels this process runs, once they are in use (for reports). */
export function simdKernelsVariant(): SimdVariant | null {
  return chosen
}

/**
 * The SIMD kernels bound to this backend's heap, instantiated once per backend: the relaxed-SIMD
 * build (fused multiply-adds in the filter gradient: one rounding instead of two, so results move
 * in the last bits only) where the runtime accepts it, else plain SIMD; null where the runtime
 * lacks wasm SIMD or the heap can't be reached (callers then keep their portable path).
 * DIGIT_STUDIO_NO_RELAXED_SIMD=1 keeps the plain build, for comparisons.
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
  const order: SimdVariant[] =
    process.env.DIGIT_STUDIO_NO_RELAXED_SIMD === '1' ? ['plain'] : ['relaxed', 'plain']
  for (const variant of order) {
    try {
      kernels = instantiateSimdKernels(backend, variant)
    } catch {
      kernels = null
    }
    if (kernels !== null) {
      chosen = variant
      break
    }
  }
  instances.set(backend, kernels)
  return kernels
}
