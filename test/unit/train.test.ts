import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineClient } from '#host/engine-client'
import type { EngineEvent } from '#shared/engine-protocol'
import { EngineError } from '#shared/errors'
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '#shared/protocol/training'
import type { TrainingEvent } from '#shared/protocol/training-events'
import { startEngine } from '../helpers/engine'

// The real engine in a real child process, on the backend the tests ask for (test/helpers/engine.ts):
// the protocol, the training loop and the files are all exercised, nothing is mocked.

let home: string
let engine: EngineClient

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-train-'))
  engine = await startEngine({ DIGIT_STUDIO_HOME: home })
})
afterAll(async () => {
  await engine?.dispose()
  await rm(home, { recursive: true, force: true })
})

type Ended = Extract<
  TrainingEvent,
  { type: 'training:done' | 'training:stopped' | 'training:error' }
>

/** Starts a run and collects its events until it ends; `onEvent` may steer it (stop, pause). */
async function runTraining(
  config: Partial<TrainConfig>,
  onEvent?: (e: EngineEvent) => void
): Promise<{ events: EngineEvent[]; end: Ended; runId: string }> {
  const events: EngineEvent[] = []
  let resolveEnd!: (e: Ended) => void
  const ended = new Promise<Ended>((res) => (resolveEnd = res))
  const off = engine.onEvent((e) => {
    if (!e.type.startsWith('training:')) return
    events.push(e)
    onEvent?.(e)
    if (e.type === 'training:done' || e.type === 'training:stopped' || e.type === 'training:error')
      resolveEnd(e)
  })
  try {
    const { runId } = await engine.request('training:start', { ...DEFAULT_TRAIN_CONFIG, ...config })
    const end = await ended
    return { events, end, runId }
  } finally {
    off()
  }
}

const ofType = <T extends EngineEvent['type']>(
  events: EngineEvent[],
  type: T
): Extract<EngineEvent, { type: T }>[] =>
  events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type)

describe('training through a real engine process', () => {
  it('answers model:summary and dataset:describe, and has no predictions before a run', async () => {
    const summary = await engine.request('model:summary', { preset: 'seed' })
    expect(summary.totalParams).toBe(225034)
    const info = await engine.request('dataset:describe', {
      source: { kind: 'embedded' },
      samplesPerClass: 2
    })
    expect([info.train, info.test]).toEqual([60000, 10000])
    expect(info.samples).toHaveLength(10)
    for (const perClass of info.samples!) {
      expect(perClass).toHaveLength(2)
      expect(perClass[0]).toBeInstanceOf(Uint8Array)
      expect(perClass[0].length).toBe(784)
    }
    const err = await engine
      .request('predictions:page', { offset: 0, limit: 10 })
      .catch((e: EngineError) => e)
    expect((err as EngineError).code).toBe('NO_MODEL')
  })

  it('a short run (5,400 images, 2 epochs) reaches >= 90 % on 1,000 test images, keeps tensors flat and saves its files', async () => {
    let busy: unknown = null
    const { events, end, runId } = await runTraining(
      { preset: 'seed', epochs: 2, batchSize: 64, trainLimit: 6000, testLimit: 1000 },
      (e) => {
        // Only one run at a time: a second start while training is refused. Batch events are
        // throttled (50 ms), so on a fast machine batch 2 may send none: take the first after it.
        if (e.type === 'training:batch' && e.batch >= 2 && e.epoch === 1 && !busy) {
          busy = engine
            .request('training:start', DEFAULT_TRAIN_CONFIG)
            .catch((err: EngineError) => err)
        }
      }
    )
    expect(((await busy) as EngineError).code).toBe('BUSY')
    expect(end.type).toBe('training:done')
    if (end.type !== 'training:done') return
    console.info(
      `short run: test accuracy ${(end.testAccuracy * 100).toFixed(2)} %, ${Math.round(end.samplesPerSecond)} samples/s, ${end.totalSeconds.toFixed(1)} s`
    )
    expect(end.testAccuracy).toBeGreaterThanOrEqual(0.9)
    expect(end.testCount).toBe(1000)
    expect(end.confusion.flat().reduce((a, b) => a + b, 0)).toBe(1000)
    expect(end.perClassAccuracy).toHaveLength(10)

    const started = ofType(events, 'training:started')[0]
    expect([started.trainCount, started.validationCount, started.testCount]).toEqual([
      5400, 600, 1000
    ])
    const epochs = ofType(events, 'training:epoch')
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2])
    expect(epochs[1].valAccuracy).toBeGreaterThan(0.85)
    // RELIABILITY D3: the same number of tensors after every epoch.
    expect(epochs[0].numTensors).toBe(epochs[1].numTensors)
    // Batch events are throttled to ~20/s but every epoch ends with its last batch.
    const batches = ofType(events, 'training:batch')
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(end.totalSeconds * 20) + 4)
    expect(batches.filter((b) => b.batch === b.batchesPerEpoch)).toHaveLength(2)

    // The gallery: pages filtered and sorted, consistent with the confusion matrix.
    const wrong =
      end.confusion.flat().reduce((a, b) => a + b, 0) -
      end.confusion.reduce((a, row, i) => a + row[i], 0)
    const page = await engine.request('predictions:page', {
      offset: 0,
      limit: 5,
      filter: { kind: 'misclassified' },
      sort: 'confidence'
    })
    expect(page.total).toBe(wrong)
    for (const item of page.items) expect(item.predicted).not.toBe(item.trueLabel)
    const confidences = page.items.map((i) => i.confidence)
    expect([...confidences].sort((a, b) => a - b)).toEqual(confidences)
    const sevens = await engine.request('predictions:page', {
      offset: 0,
      limit: 2000,
      filter: { kind: 'true', label: 7 }
    })
    expect(sevens.total).toBe(end.confusion[7].reduce((a, b) => a + b, 0))
    expect(sevens.items[0].image).toBeInstanceOf(Uint8Array)

    // Files: run folder (config, per-epoch metrics, result, checkpoint, model) and the last model.
    const runDir = join(home, 'runs', runId)
    expect(end.runDir).toBe(runDir)
    expect(end.modelDir).toBe(join(home, 'models', 'last'))
    const metrics = JSON.parse(await readFile(join(runDir, 'metrics.json'), 'utf8')) as unknown[]
    expect(metrics).toHaveLength(2)
    expect(JSON.parse(await readFile(join(runDir, 'result.json'), 'utf8')).testAccuracy).toBe(
      end.testAccuracy
    )
    for (const d of [join(runDir, 'checkpoint'), join(runDir, 'model'), end.modelDir])
      expect(existsSync(join(d, 'weights.bin'))).toBe(true)
    const saved = JSON.parse(await readFile(join(end.modelDir, 'model.json'), 'utf8'))
    expect(saved.userDefinedMetadata.digitStudio).toMatchObject({
      preset: 'seed',
      runId,
      epochsCompleted: 2,
      testAccuracy: end.testAccuracy
    })
    // Checkpoints carry the optimizer state (RELIABILITY D5); the final model doesn't need it.
    const checkpoint = JSON.parse(await readFile(join(runDir, 'checkpoint', 'model.json'), 'utf8'))
    expect(
      checkpoint.weightsManifest[0].weights.some((w: { group?: string }) => w.group === 'optimizer')
    ).toBe(true)
    expect(
      saved.weightsManifest[0].weights.some((w: { group?: string }) => w.group === 'optimizer')
    ).toBe(false)
  })

  it('stops within one batch of the request (RELIABILITY D2)', async () => {
    let requestedAt = 0
    let batchAtRequest = 0
    const { events, end } = await runTraining(
      { preset: 'seed', epochs: 1, trainLimit: 20000, testLimit: 100 },
      (e) => {
        if (e.type === 'training:batch' && e.batch >= 3 && !requestedAt) {
          requestedAt = performance.now()
          batchAtRequest = e.batch
          void engine.request('training:stop', {})
        }
      }
    )
    const ms = performance.now() - requestedAt
    expect(end.type).toBe('training:stopped')
    if (end.type !== 'training:stopped') return
    console.info(
      `stop honoured after ${Math.round(ms)} ms, at batch ${end.batch} (request seen after batch ${batchAtRequest})`
    )
    // The request may arrive while the next batch runs: that batch finishes, then the loop stops.
    expect(end.batch).toBeLessThanOrEqual(batchAtRequest + 2)
    expect(ofType(events, 'training:epoch')).toHaveLength(0)
    expect((await engine.request('training:stop', {})).stopped).toBe(false)
  })

  it('pauses and resumes', async () => {
    let pausedAt = 0
    let batchesWhilePaused = 0
    let state: 'running' | 'pausing' | 'paused' | 'resumed' = 'running'
    const { events, end } = await runTraining(
      { preset: 'fast', epochs: 1, trainLimit: 20000, testLimit: 100 },
      (e) => {
        if (e.type === 'training:batch' && state === 'running' && e.batch >= 2) {
          state = 'pausing'
          void engine.request('training:pause', {})
        } else if (e.type === 'training:paused') {
          state = 'paused'
          pausedAt = performance.now()
          setTimeout(() => {
            state = 'resumed'
            void engine.request('training:resume', {})
          }, 400)
        } else if (e.type === 'training:batch' && state === 'paused') {
          // One batch may still finish after the pause request; more would mean it didn't pause.
          batchesWhilePaused++
        } else if (e.type === 'training:batch' && state === 'resumed' && e.batch > 10) {
          void engine.request('training:stop', {})
        }
      }
    )
    expect(pausedAt).toBeGreaterThan(0)
    expect(batchesWhilePaused).toBeLessThanOrEqual(1)
    expect(ofType(events, 'training:resumed')).toHaveLength(1)
    expect(end.type).toBe('training:stopped')
  })

  it('a diverging run (learning rate 10) stops with NAN_LOSS within the first epoch (RELIABILITY D1)', async () => {
    const { events, end } = await runTraining({
      preset: 'fast',
      epochs: 3,
      learningRate: 10,
      trainLimit: 6000,
      testLimit: 100
    })
    expect(end.type).toBe('training:error')
    if (end.type !== 'training:error') return
    expect(end.error.code).toBe('NAN_LOSS')
    expect(end.error.message).toMatch(
      /loss became (NaN|Infinity|-Infinity) at epoch 1, batch \d+: training diverged/
    )
    expect(ofType(events, 'training:epoch')).toHaveLength(0)
    // The run is over: nothing left to stop.
    expect((await engine.request('training:stop', {})).stopped).toBe(false)
  })

  it('refuses a bad config or dataset folder at start, naming the problem', async () => {
    const bad = await engine
      .request('training:start', { ...DEFAULT_TRAIN_CONFIG, epochs: 0 })
      .catch((e: EngineError) => e)
    expect((bad as EngineError).code).toBe('BAD_REQUEST')
    expect((bad as Error).message).toMatch(/epochs/)
    const folder = join(home, 'no-such-dataset')
    const missing = await engine
      .request('training:start', {
        ...DEFAULT_TRAIN_CONFIG,
        dataset: { kind: 'folder', path: folder }
      })
      .catch((e: EngineError) => e)
    expect((missing as EngineError).code).toBe('DATASET_INVALID')
    expect((missing as Error).message).toContain(folder)
  })
})
