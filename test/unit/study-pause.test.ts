// Pause and resume of a study (the Studies view's Pause button): the runner and each training run
// share one PauseGate (engine/training/pause-gate.ts). The gate on its own, then a real study on
// the real engine in a child process: paused after its first trial, it finishes no more than the
// trial in flight until resumed, then runs to the end.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineClient } from '#host/engine-client'
import type { EngineEvent } from '#shared/engine-protocol'
import { PauseGate } from '#engine/training/pause-gate'
import { startEngine } from '../helpers/engine'

describe('PauseGate', () => {
  it('holds a waiting loop from pause() until resume(); each says whether it changed anything', async () => {
    const gate = new PauseGate()
    await gate.wait() // open: resolves at once
    expect(gate.pause()).toBe(true)
    expect(gate.pause()).toBe(false)
    expect(gate.paused).toBe(true)
    let passed = false
    const waiting = gate.wait().then(() => (passed = true))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(passed).toBe(false)
    expect(gate.resume()).toBe(true)
    await waiting
    expect(passed).toBe(true)
    expect(gate.resume()).toBe(false)
    expect(gate.paused).toBe(false)
  })
})

describe('study pause (real engine)', () => {
  let engine: EngineClient
  let home: string
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'ds-study-pause-'))
    engine = await startEngine({ DIGIT_STUDIO_HOME: home })
  })
  afterAll(async () => {
    await engine?.dispose()
    await rm(home, { recursive: true, force: true })
  })

  it('finishes at most the trial in flight while paused, then resumes to the end', async () => {
    /** Long beside a trial of 300 images (well under a second on native). */
    const PAUSE_MS = 3000
    const seen: { type: string; at: number }[] = []
    let state: 'running' | 'pausing' | 'paused' | 'resumed' = 'running'
    let trialsWhilePaused = 0
    let done!: (e: EngineEvent) => void
    const finished = new Promise<EngineEvent>((resolve) => (done = resolve))
    const off = engine.onEvent((e) => {
      if (!e.type.startsWith('study:')) return
      seen.push({ type: e.type, at: performance.now() })
      if (e.type === 'study:trial' && state === 'running') {
        state = 'pausing'
        void engine.request('study:pause', {})
      } else if (e.type === 'study:paused') {
        state = 'paused'
        setTimeout(() => {
          state = 'resumed'
          void engine.request('study:resume', {})
        }, PAUSE_MS)
      } else if (e.type === 'study:trial' && state === 'paused') {
        trialsWhilePaused++
      } else if (e.type === 'study:done' || e.type === 'study:error') {
        done(e)
      }
    })
    try {
      await engine.request('study:start', {
        preset: 'fast',
        strategy: 'grid',
        space: { learningRate: { values: [1e-3, 4e-3] }, batchSize: { values: [32, 64] } },
        trainLimit: 300,
        validationImages: 200,
        studyDir: join(home, 'paused-study')
      })
      const end = await finished
      expect(end).toMatchObject({ type: 'study:done', reason: 'finished', trials: 4 })
      expect(trialsWhilePaused).toBeLessThanOrEqual(1)
      expect(seen.filter((e) => e.type === 'study:paused')).toHaveLength(1)
      expect(seen.filter((e) => e.type === 'study:resumed')).toHaveLength(1)
      // Four trials, each recorded once per rung (grid: one rung).
      expect(seen.filter((e) => e.type === 'study:trial')).toHaveLength(4)
      const paused = seen.find((e) => e.type === 'study:paused')!.at
      expect(seen.at(-1)!.at - paused).toBeGreaterThanOrEqual(PAUSE_MS - 50)
    } finally {
      off()
    }
  })
})
