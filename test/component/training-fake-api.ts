/**
 * A fake `window.api` for the dashboard's component tests: every method is a `vi.fn` with a
 * sensible default answer, and `emit` plays engine events to whoever subscribed with `api.on`.
 * (The e2e test drives the same components against the real engine.)
 */
import { vi } from 'vitest'
import type { IpcEvent, RendererApi } from '#shared/ipc-contract'
import type { DatasetInfo, ModelSummary, TrainConfig } from '#shared/protocol/training'
import type { PredictionsPageParams, TestPrediction } from '#shared/protocol/predictions'
import type { EngineState } from '#shared/protocol/app'
import type { EngineInfo } from '#shared/protocol/info'

export interface FakeApi {
  api: RendererApi
  emit(event: IpcEvent): void
  /** Plays main's `engine:state` event, e.g. `engineState('crashed', 'engine killed by SIGKILL')`. */
  engineState(state: EngineState, reason?: string): void
  listeners(type: string): number
  calls: Record<string, ReturnType<typeof vi.fn>>
}

export const SUMMARY: ModelSummary = {
  preset: 'seed',
  layers: [
    { name: 'conv2d_1', className: 'Conv2D', outputShape: [null, 26, 26, 32], params: 320 },
    { name: 'dense_1', className: 'Dense', outputShape: [null, 10], params: 1290 }
  ],
  totalParams: 1610,
  trainableParams: 1610
}

/** The engine's `training:started` for the fake run `run-1` (4 batches an epoch, wasm). */
export function startedEvent(
  config: TrainConfig,
  counts: { trainCount: number; validationCount: number; testCount: number }
): IpcEvent {
  return {
    type: 'training:started',
    runId: 'run-1',
    config,
    summary: SUMMARY,
    ...counts,
    batchesPerEpoch: 4,
    backend: 'wasm'
  }
}

/** A `training:batch` of `run-1`. */
export function batchEvent(epoch: number, batch: number, loss = 1): IpcEvent {
  return {
    type: 'training:batch',
    runId: 'run-1',
    epoch,
    batch,
    batchesPerEpoch: 4,
    loss,
    accuracy: 0.5,
    samplesPerSecond: 800
  }
}

export const INFO: EngineInfo = {
  appVersion: '0.1.0',
  nodeVersion: 'v22',
  tfjsVersion: '4.22.0',
  backend: 'wasm',
  backendName: 'wasm',
  backendReason: 'tfjs-node not installed; using wasm fallback',
  dataset: { name: 'MNIST', source: 'embedded', embedded: true, train: 60000, test: 10000 },
  model: null
}

export function datasetInfo(samplesPerClass = 2): DatasetInfo {
  return {
    name: 'MNIST',
    source: 'embedded',
    embedded: true,
    train: 60000,
    test: 10000,
    samples: Array.from({ length: 10 }, () =>
      Array.from({ length: samplesPerClass }, () => new Uint8Array(784))
    )
  }
}

/** Deterministic predictions: every 7th is wrong (predicted = true + 1), confidence rises with index. */
export function makePredictions(count: number): TestPrediction[] {
  return Array.from({ length: count }, (_, index) => {
    const trueLabel = index % 10
    const predicted = index % 7 === 3 ? (trueLabel + 1) % 10 : trueLabel
    const confidence = 0.5 + ((index * 37) % 50) / 100
    const probabilities = Array.from({ length: 10 }, (_, d) =>
      d === predicted ? confidence : (1 - confidence) / 9
    )
    return { index, image: new Uint8Array(784), trueLabel, predicted, confidence, probabilities }
  })
}

/** Answers `predictions:page` like the engine: filter, sort, then slice. */
export function pageOf(all: TestPrediction[], params: PredictionsPageParams) {
  const f = params.filter ?? { kind: 'all' }
  let items = all.filter((p) => {
    switch (f.kind) {
      case 'all':
        return true
      case 'misclassified':
        return p.predicted !== p.trueLabel
      case 'true':
        return p.trueLabel === f.label
      case 'predicted':
        return p.predicted === f.label
      case 'pair':
        return p.trueLabel === f.trueLabel && p.predicted === f.predicted
    }
  })
  if (params.sort === 'confidence') items = [...items].sort((a, b) => a.confidence - b.confidence)
  return {
    total: items.length,
    offset: params.offset,
    items: items.slice(params.offset, params.offset + params.limit)
  }
}

/** Builds the fake; `predictions` backs `predictions.page` (empty -> NO_MODEL error). */
export function createFakeApi(predictions: TestPrediction[] = []): FakeApi {
  const subs = new Map<string, Set<(e: unknown) => void>>()
  const calls: Record<string, ReturnType<typeof vi.fn>> = {
    'training:start': vi.fn(async () => ({ runId: 'run-1' })),
    'training:stop': vi.fn(async () => ({ stopped: true })),
    'training:pause': vi.fn(async () => ({ paused: true })),
    'training:resume': vi.fn(async () => ({ resumed: true })),
    'dataset:describe': vi.fn(async () => datasetInfo()),
    'model:summary': vi.fn(async () => SUMMARY),
    'engine:info': vi.fn(async () => INFO),
    'architectures:list': vi.fn(async () => ({ architectures: [], dir: '/data/architectures' })),
    'predictions:page': vi.fn(async (params: PredictionsPageParams) => {
      if (!predictions.length)
        throw Object.assign(new Error('NO_MODEL: no trained model yet'), { code: 'NO_MODEL' })
      return pageOf(predictions, params)
    }),
    'app:progress': vi.fn(async () => undefined),
    'app:notify': vi.fn(async () => undefined),
    'dialog:openFolder': vi.fn(async () => ({ path: null as string | null }))
  }
  const area = (name: string) =>
    new Proxy(
      {},
      {
        get: (_t, verb: string) => {
          const key = `${name}:${verb}`
          calls[key] ??= vi.fn(async () => undefined)
          return calls[key]
        }
      }
    )
  const api = new Proxy(
    {},
    {
      get: (_t, prop: string) => {
        if (prop === 'on') {
          return (type: string, cb: (e: unknown) => void) => {
            if (!subs.has(type)) subs.set(type, new Set())
            subs.get(type)!.add(cb)
            return () => subs.get(type)?.delete(cb)
          }
        }
        if (prop === 'pathForFile') return async () => ''
        return area(prop)
      }
    }
  ) as RendererApi
  const emit = (event: IpcEvent): void => subs.get(event.type)?.forEach((cb) => cb(event))
  return {
    api,
    calls,
    emit,
    engineState: (state, reason) =>
      emit({ type: 'engine:state', state, ...(reason === undefined ? {} : { reason }) }),
    listeners: (type) => subs.get(type)?.size ?? 0
  }
}
