// The app-wide dashboard wiring: one set of states, a finished run refreshes the gallery, and a
// (re)started engine refills what the first requests missed.
import { afterAll, describe, expect, it } from 'vitest'
import { setApi } from '../../src/renderer/src/lib/api'
import { getDashboard } from '../../src/renderer/src/lib/state/dashboard'
import { createFakeApi, makePredictions } from './training-fake-api'

describe('getDashboard', () => {
  const fake = createFakeApi(makePredictions(30))
  setApi(fake.api)
  afterAll(() => setApi(null))

  it('creates the states once and subscribes the training state to engine events', () => {
    const a = getDashboard()
    expect(getDashboard()).toBe(a)
    expect(fake.listeners('training:batch')).toBe(1)
  })

  it('refreshes the gallery when a run finishes', async () => {
    const { gallery } = getDashboard()
    expect(gallery.total).toBeNull()
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
  })

  it('reloads dataset, summary and backend when the engine becomes ready', async () => {
    const { dataset, config } = getDashboard()
    fake.emit({ type: 'engine:state', state: 'ready' })
    await expect.poll(() => dataset.info?.train).toBe(60000)
    await expect.poll(() => config.summary?.totalParams).toBe(1610)
    await expect.poll(() => config.engineInfo?.backend).toBe('wasm')
  })
})
