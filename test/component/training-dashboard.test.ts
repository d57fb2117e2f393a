// The app state's wiring: one set of states per app, a finished run refreshes the gallery, runs
// and current model, and a (re)started engine refills what the first requests missed.
import { describe, expect, it } from 'vitest'
import { createAppState } from '../../src/renderer/src/lib/state/app-state'
import { createFakeApi, makePredictions } from './training-fake-api'

describe('createAppState', () => {
  const fake = createFakeApi(makePredictions(30))
  const app = createAppState(fake.api)

  it('subscribes nothing until connected, then each concern once; disconnect removes them all', () => {
    expect(fake.listeners('training:batch')).toBe(0)
    const disconnect = app.connect()
    expect(fake.listeners('training:batch')).toBe(1)
    // Runs (list) and the current model each refresh on training:done, like the gallery, My
    // digits (the fine-tune's before/after) and the training state itself: five listeners, one
    // owner each.
    expect(fake.listeners('training:done')).toBe(5)
    disconnect()
    expect(fake.listeners('training:batch')).toBe(0)
    expect(fake.listeners('training:done')).toBe(0)
    app.connect()
  })

  it('refreshes the gallery, the runs and the current model when a run finishes', async () => {
    const { gallery } = app
    expect(gallery.total).toBeNull()
    const runsBefore = fake.calls['runs:list'].mock.calls.length
    const currentBefore = fake.calls['model:current'].mock.calls.length
    fake.emit({
      type: 'training:done',
      runId: 'x',
      testLoss: 0.1,
      testAccuracy: 0.9,
      testCount: 30,
      confusion: [],
      perClassAccuracy: [],
      totalSeconds: 1,
      samplesPerSecond: 1,
      backend: 'wasm',
      modelDir: '/m'
    })
    await expect.poll(() => gallery.total).toBe(30)
    expect(fake.calls['runs:list'].mock.calls.length).toBe(runsBefore + 1)
    expect(fake.calls['model:current'].mock.calls.length).toBe(currentBefore + 1)
  })

  it('reloads dataset, summary and backend when the engine becomes ready', async () => {
    const { dataset, config } = app
    fake.emit({ type: 'engine:state', state: 'ready' })
    await expect.poll(() => dataset.info?.train).toBe(60000)
    await expect.poll(() => config.summary?.totalParams).toBe(1610)
    await expect.poll(() => config.engineInfo?.backend).toBe('wasm')
  })
})
