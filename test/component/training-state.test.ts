// TrainingState against a fake api: run lifecycle, progress, series, results, taskbar, notification.
import { describe, expect, it } from 'vitest'
import { TrainingState } from '../../src/renderer/src/lib/state/training.svelte'
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '#shared/protocol/training'
import { batchEvent, createFakeApi, startedEvent } from './training-fake-api'

const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, epochs: 2, trainLimit: 512 }
const confusion = Array.from({ length: 10 }, (_, t) =>
  Array.from({ length: 10 }, (_, p) => (t === p ? 9 : 0))
)

function setup() {
  const fake = createFakeApi()
  const state = new TrainingState(fake.api)
  state.connect()
  const started = () =>
    fake.emit(startedEvent(config, { trainCount: 461, validationCount: 51, testCount: 90 }))
  const batchEv = (epoch: number, batch: number, loss = 1) =>
    fake.emit(batchEvent(epoch, batch, loss))
  const epochEv = (epoch: number) =>
    fake.emit({
      type: 'training:epoch',
      runId: 'run-1',
      epoch,
      epochs: 2,
      loss: 0.5,
      accuracy: 0.8,
      valLoss: 0.4,
      valAccuracy: 0.85,
      seconds: 1,
      samplesPerSecond: 900,
      etaSeconds: 1
    })
  const done = () =>
    fake.emit({
      type: 'training:done',
      runId: 'run-1',
      testLoss: 0.3,
      testAccuracy: 0.9,
      testCount: 90,
      confusion,
      perClassAccuracy: Array(10).fill(1),
      totalSeconds: 2,
      samplesPerSecond: 900,
      backend: 'wasm',
      modelDir: '/tmp/model'
    })
  return { fake, state, started, batchEv, epochEv, done }
}

describe('TrainingState', () => {
  it('starts idle with only Train enabled', () => {
    const { state } = setup()
    expect(state.status).toBe('idle')
    expect([state.canStart, state.canPause, state.canResume, state.canStop]).toEqual([
      true,
      false,
      false,
      false
    ])
  })

  it('follows a run from start to done: progress, series, result, taskbar and notification', async () => {
    const { fake, state, started, batchEv, epochEv, done } = setup()
    await state.start(config)
    expect(fake.calls['training:start']).toHaveBeenCalledWith(config)
    expect(state.status).toBe('running')
    expect([state.canStart, state.canPause, state.canStop]).toEqual([false, true, true])
    started()
    batchEv(1, 1)
    batchEv(1, 2)
    expect(state.epochFraction).toBe(0.5)
    expect(state.overallFraction).toBe(0.25)
    expect(state.samplesPerSecond).toBe(800)
    batchEv(1, 3)
    batchEv(1, 4)
    epochEv(1)
    expect(state.overallFraction).toBe(0.5)
    expect(state.series.epochLoss).toEqual([{ x: 1, y: 0.5 }])
    expect(state.series.epochValAccuracy).toEqual([{ x: 1, y: 0.85 }])
    for (let b = 1; b <= 4; b++) batchEv(2, b)
    epochEv(2)
    done()
    expect(state.status).toBe('done')
    expect(state.overallFraction).toBe(1)
    expect(state.series.batchLoss).toHaveLength(8)
    expect(state.series.epochLoss).toHaveLength(2)
    expect(state.result?.testAccuracy).toBe(0.9)
    expect(state.completedRuns).toBe(1)
    const fractions = fake.calls['app:progress'].mock.calls.map(
      (c) => (c[0] as { fraction: number }).fraction
    )
    expect(fractions).toContain(0.5)
    expect(fractions.at(-1)).toBe(-1)
    expect(fake.calls['app:notify']).toHaveBeenCalledWith({
      title: 'Training finished',
      body: expect.stringContaining('90.00 %')
    })
    expect(state.canStart).toBe(true)
  })

  it('replaces the series arrays on every event instead of mutating them', async () => {
    const { state, started, batchEv } = setup()
    await state.start(config)
    started()
    batchEv(1, 1)
    const before = state.series.batchLoss
    batchEv(1, 2)
    expect(state.series.batchLoss).not.toBe(before)
    expect(before).toHaveLength(1)
  })

  it('pauses, resumes and stops with the right buttons enabled', async () => {
    const { fake, state, started } = setup()
    await state.start(config)
    started()
    await state.pause()
    expect(state.status).toBe('paused')
    expect([state.canPause, state.canResume, state.canStop]).toEqual([false, true, true])
    await state.resume()
    expect(state.status).toBe('running')
    await state.stop()
    expect(state.status).toBe('stopping')
    expect(state.canStop).toBe(false)
    fake.emit({ type: 'training:stopped', runId: 'run-1', epoch: 1, batch: 2, reason: 'user' })
    expect(state.status).toBe('stopped')
    expect(fake.calls['app:notify']).toHaveBeenCalledWith(
      expect.objectContaining({ title: 'Training stopped' })
    )
  })

  it('ignores events from another run', async () => {
    const { fake, state, started } = setup()
    await state.start(config)
    started()
    fake.emit({
      type: 'training:batch',
      runId: 'other',
      epoch: 1,
      batch: 4,
      batchesPerEpoch: 4,
      loss: 1,
      accuracy: 1,
      samplesPerSecond: 1
    })
    expect(state.series.batchLoss).toHaveLength(0)
  })

  it('shows engine errors and a refused start as an error state', async () => {
    const { fake, state, started } = setup()
    await state.start(config)
    started()
    fake.emit({
      type: 'training:error',
      runId: 'run-1',
      error: { name: 'EngineError', code: 'NAN_LOSS', message: 'loss became NaN at batch 3' }
    })
    expect(state.status).toBe('error')
    expect(state.error).toBe('loss became NaN at batch 3')
    // The engine sends no batch event for the NaN one, so the state marks the gap itself.
    expect(state.series.gaps).toEqual([
      { x: expect.any(Number), metric: 'loss', message: 'loss became NaN at batch 3' }
    ])

    fake.calls['training:start'].mockRejectedValueOnce(new Error('BUSY: a run is already going'))
    await state.start(config)
    expect(state.status).toBe('error')
    expect(state.error).toBe('a run is already going')
  })

  it('ends a busy run when the engine crashes', async () => {
    const { fake, state, started } = setup()
    await state.start(config)
    started()
    fake.emit({ type: 'engine:state', state: 'crashed', reason: 'engine killed by SIGKILL' })
    expect(state.status).toBe('error')
    expect(state.error).toBe('Engine crashed: engine killed by SIGKILL')
  })

  it('unsubscribes on disconnect', () => {
    const { fake, state } = setup()
    expect(fake.listeners('training:batch')).toBe(1)
    state.disconnect()
    expect(fake.listeners('training:batch')).toBe(0)
  })
})
