import * as tf from '@tensorflow/tfjs'
import { EngineError } from '#shared/errors'
import type { BackendKind } from '#shared/protocol/info'
import { registerFallbackKernels } from './gradients'
import { registerNativeKernels } from './native-kernels'
import { isSourceCheckout, nativeHelp } from './native-help'
import { wasmBinariesDir } from '../store/paths'

/** The backend the engine runs on, and why: shown in the UI status bar, CLI header and bench. */
export interface BackendChoice {
  kind: BackendKind
  /** tfjs backend name: 'tensorflow' (tfjs-node), 'wasm' or 'cpu'. */
  name: string
  reason: string
  /** The TensorFlow C library's version (native only), e.g. "2.21.0". */
  tensorflowVersion?: string
  /** On a fallback: what native TensorFlow needs here (native-help.ts). */
  nativeHelp?: string
}

type BackendRequest = 'auto' | BackendKind

const NATIVE_PACKAGE = '@tensorflow/tfjs-node'

/** Reads DIGIT_STUDIO_BACKEND (`native`, `wasm`, `cpu`, `auto`); anything else is a clear error. */
export function requestedBackend(env: NodeJS.ProcessEnv = process.env): BackendRequest {
  const raw = (env.DIGIT_STUDIO_BACKEND ?? 'auto').trim().toLowerCase()
  if (raw === '' || raw === 'auto') return 'auto'
  if (raw === 'native' || raw === 'wasm' || raw === 'cpu') return raw
  throw new EngineError(
    'BAD_REQUEST',
    `DIGIT_STUDIO_BACKEND="${env.DIGIT_STUDIO_BACKEND}" is not one of auto, native, wasm, cpu`
  )
}

/**
 * Tries to load tfjs-node. It is an optionalDependency: npm drops it when libtensorflow could not be
 * downloaded (no internet, Apple Silicon, proxies), so "not installed" is an expected outcome.
 * Returns null on success, or the reason it can't be used.
 */
async function loadNative(): Promise<string | null> {
  try {
    // A variable specifier: the package may be absent, so neither tsc nor the bundler resolves it.
    await import(/* @vite-ignore */ NATIVE_PACKAGE)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    if (/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(message)) {
      return 'tfjs-node not installed (libtensorflow could not be downloaded at install time)'
    }
    return `tfjs-node failed to load: ${message.split('\n')[0]}`
  }
  if (!(await tf.setBackend('tensorflow'))) return 'tfjs-node loaded but its backend did not start'
  // After setBackend: the MaxPoolGrad kernel probes TensorFlow's oneDNN ops on the live backend.
  registerNativeKernels()
  return null
}

/** The TensorFlow C library tfjs-node's binding runs on (its `TF_Version()`). */
function tensorflowVersion(): string | undefined {
  const backend = tf.backend() as unknown as { binding?: { TF_Version?: string } }
  return backend.binding?.TF_Version
}

const here = (): { platform: NodeJS.Platform; arch: string; sourceCheckout: boolean } => ({
  platform: process.platform,
  arch: process.arch,
  sourceCheckout: isSourceCheckout()
})

async function startWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm')
  wasm.setWasmPaths(wasmBinariesDir())
  // Multi-threaded wasm measured ~20x slower in Node here; the single-threaded SIMD build is used.
  wasm.setThreadsCount(1)
  registerFallbackKernels()
  if (!(await tf.setBackend('wasm'))) {
    throw new EngineError('BACKEND_FAILED', 'the wasm backend did not start')
  }
}

async function startCpu(): Promise<void> {
  // The @tensorflow/tfjs union package already registers the pure-JS cpu backend.
  if (!(await tf.setBackend('cpu')))
    throw new EngineError('BACKEND_FAILED', 'the cpu backend did not start')
}

/**
 * Picks the engine's backend once per process: tfjs-node when it loads, otherwise the wasm
 * fallback with the project's own gradient kernels. A forced backend that can't start is an error,
 * not a silent downgrade, so a benchmark never measures something other than what it names.
 */
export async function selectBackend(
  request: BackendRequest = requestedBackend()
): Promise<BackendChoice> {
  if (request === 'native' || request === 'auto') {
    const failure = await loadNative()
    if (failure === null) {
      return {
        kind: 'native',
        name: 'tensorflow',
        tensorflowVersion: tensorflowVersion(),
        reason:
          request === 'native'
            ? 'forced by DIGIT_STUDIO_BACKEND=native'
            : 'tfjs-node loaded (libtensorflow)'
      }
    }
    if (request === 'native') throw new EngineError('BACKEND_FAILED', failure)
    await startWasm()
    return {
      kind: 'wasm',
      name: 'wasm',
      reason: `${failure}; using the wasm fallback`,
      nativeHelp: nativeHelp(here())
    }
  }
  if (request === 'wasm') {
    await startWasm()
    return {
      kind: 'wasm',
      name: 'wasm',
      reason: 'forced by DIGIT_STUDIO_BACKEND=wasm'
    }
  }
  await startCpu()
  return {
    kind: 'cpu',
    name: 'cpu',
    reason: 'forced by DIGIT_STUDIO_BACKEND=cpu (slow; for checks)'
  }
}
