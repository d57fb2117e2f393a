/**
 * The one place engine tests learn which backend they run on, and the shared way to start an
 * engine and train on it. `DIGIT_STUDIO_BACKEND` picks the backend (CI's second pass sets
 * `native`, `npm run test:native` too); unset, the engine chooses as it does for a user (`auto`:
 * native where tfjs-node loads, else the wasm fallback). Only tests about one backend pin it.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { EngineClient } from '#host/engine-client'
import { forkEngine } from '#host/engine-fork'
import type { EngineEvent } from '#shared/engine-protocol'
import type { BackendKind } from '#shared/protocol/info'
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '#shared/protocol/training'
import type { DoneEvent } from '#shared/protocol/training-events'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export type TestBackend = 'auto' | BackendKind

/** The backend the tests ask for: `DIGIT_STUDIO_BACKEND`, default `auto`. */
export function testBackend(): TestBackend {
  const raw = (process.env.DIGIT_STUDIO_BACKEND ?? '').trim().toLowerCase()
  if (raw === 'native' || raw === 'wasm' || raw === 'cpu') return raw
  return 'auto'
}

/** The env an engine under test gets for its backend. */
export function engineBackendEnv(): { DIGIT_STUDIO_BACKEND: TestBackend } {
  return { DIGIT_STUDIO_BACKEND: testBackend() }
}

let nativeProbe: { loads: boolean; reason: string } | undefined

/**
 * Whether tfjs-node loads in a fresh Node process from this checkout (after `npm run native`, or
 * where tfjs-node's own install worked), and if not, why. Probed once per test file (~1 s).
 */
export function nativeStatus(): { loads: boolean; reason: string } {
  if (!nativeProbe) {
    const probe = spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' }
    })
    const firstError = probe.stderr
      .split('\n')
      .find((l) => /Error|Cannot find/.test(l))
      ?.trim()
    nativeProbe =
      probe.status === 0
        ? { loads: true, reason: 'tfjs-node loads' }
        : {
            loads: false,
            reason: `tfjs-node does not load here (${firstError ?? `exit ${probe.status}`}); \`npm run native\` builds it on Linux x64`
          }
  }
  return nativeProbe
}

/** The backend kind an engine started with `engineBackendEnv()` reports. */
export function expectedBackendKind(): BackendKind {
  const asked = testBackend()
  if (asked !== 'auto') return asked
  return nativeStatus().loads ? 'native' : 'wasm'
}

/** Forks a real engine on the test backend (plus `env`) and waits until it takes requests. */
export async function startEngine(env: NodeJS.ProcessEnv = {}): Promise<EngineClient> {
  const engine = forkEngine({ env: { ...engineBackendEnv(), ...env } })
  await engine.ready()
  return engine
}

/**
 * Starts a run and resolves with its done event and the epochs it reported; rejects when the
 * run stops or fails, with the event that ended it.
 */
export async function trainToDone(
  engine: EngineClient,
  config: Partial<TrainConfig>
): Promise<{ done: DoneEvent; epochs: number[] }> {
  const epochs: number[] = []
  let off = (): void => undefined
  const ended = new Promise<DoneEvent>((resolve, reject) => {
    off = engine.onEvent((e: EngineEvent) => {
      if (e.type === 'training:epoch') epochs.push(e.epoch)
      else if (e.type === 'training:done') resolve(e)
      else if (e.type === 'training:error' || e.type === 'training:stopped')
        reject(new Error(`run ended with ${e.type}: ${JSON.stringify(e)}`))
    })
  })
  try {
    await engine.request('training:start', { ...DEFAULT_TRAIN_CONFIG, ...config })
    return { done: await ended, epochs }
  } finally {
    off()
  }
}

/**
 * What a resumed run shares with an uninterrupted one (RELIABILITY D5). On wasm (one thread) the
 * weights are bit-identical. TensorFlow's native kernels (oneDNN, a thread pool) sum in an order
 * that varies from run to run, so on native the weights agree within `nativeTolerance` (max abs
 * difference per weight) instead; the configuration restored from the checkpoint is identical on
 * both, which the callers check themselves.
 */
export function compareWeights(
  resumed: Buffer,
  straight: Buffer,
  nativeTolerance = 1e-3
): { bitIdentical: boolean; maxAbsDiff: number; withinTolerance: boolean } {
  const a = new Float32Array(resumed.buffer, resumed.byteOffset, resumed.byteLength / 4)
  const b = new Float32Array(straight.buffer, straight.byteOffset, straight.byteLength / 4)
  let maxAbsDiff = a.length === b.length ? 0 : Infinity
  for (let i = 0; i < Math.min(a.length, b.length); i++)
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i] - b[i]))
  const bitIdentical = resumed.equals(straight)
  const withinTolerance =
    expectedBackendKind() === 'native' ? maxAbsDiff <= nativeTolerance : bitIdentical
  return { bitIdentical, maxAbsDiff, withinTolerance }
}
