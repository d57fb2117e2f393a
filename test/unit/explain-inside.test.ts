import { statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineClient } from '#host/engine-client'
import type { EngineEvent } from '#shared/engine-protocol'
import { DEFAULT_TRAIN_CONFIG } from '#shared/protocol/training'
import { startEngine } from '../helpers/engine'

// The Inside view's engine methods through a real engine process on the test backend: per-epoch
// snapshots written while training, listed and read afterwards, and explain:digit over the protocol.

let home: string
let engine: EngineClient
let runId: string
const events: EngineEvent[] = []

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-inside-'))
  engine = await startEngine({ DIGIT_STUDIO_HOME: home })
  const done = new Promise<void>((resolve, reject) =>
    engine.onEvent((e) => {
      events.push(e)
      if (e.type === 'training:done') resolve()
      if (e.type === 'training:error' || e.type === 'training:stopped') reject(new Error(e.type))
    })
  )
  ;({ runId } = await engine.request('training:start', {
    ...DEFAULT_TRAIN_CONFIG,
    preset: 'fast',
    epochs: 2,
    trainLimit: 1024,
    testLimit: 100,
    validationSplit: 0
  }))
  await done
}, 300_000)
afterAll(async () => {
  await engine?.dispose()
  await rm(home, { recursive: true, force: true })
})

describe('inside snapshots while training', () => {
  it('one snapshot per epoch, announced after it is written, small, filters changing', async () => {
    const announced = events.filter((e) => e.type === 'inside:snapshot')
    expect(announced).toEqual([
      { type: 'inside:snapshot', runId, epoch: 1 },
      { type: 'inside:snapshot', runId, epoch: 2 }
    ])
    // Announced after the epoch's own event, before the run's end.
    const types = events.map((e) => e.type)
    expect(types.indexOf('inside:snapshot')).toBeGreaterThan(types.indexOf('training:epoch'))
    expect(types.lastIndexOf('inside:snapshot')).toBeLessThan(types.indexOf('training:done'))
    expect(await engine.request('inside:list', { runId })).toEqual({ epochs: [1, 2] })
    const [first, second] = await Promise.all([
      engine.request('inside:read', { runId, epoch: 1 }),
      engine.request('inside:read', { runId, epoch: 2 })
    ])
    expect(second).toMatchObject({ epoch: 2, testIndex: 0 })
    expect(second.input).toHaveLength(784)
    expect(second.probabilities).toHaveLength(10)
    expect(second.filters).toMatchObject({ height: 3, width: 3, count: 8 })
    expect(second.filters!.data).toHaveLength(72)
    expect(second.layers.map((l) => l.shape)).toEqual([
      [26, 26, 8],
      [11, 11, 16]
    ])
    expect(second.layers[0].data).toHaveLength(26 * 26 * 8)
    expect(second.filters!.data).not.toEqual(first.filters!.data)
    const size = statSync(join(home, 'runs', runId, 'inside', 'epoch-2.json')).size
    expect(size).toBeLessThan(200_000)
  })

  it('a missing epoch or a bad run id is refused with the file or id named', async () => {
    await expect(engine.request('inside:read', { runId, epoch: 7 })).rejects.toThrow(
      /epoch-7\.json: no such snapshot/
    )
    await expect(engine.request('inside:list', { runId: '../etc' })).rejects.toThrow(
      /"\.\.\/etc" is not a run id/
    )
  })
})

describe('explain:digit over the protocol', () => {
  it('explains 28x28 bytes with the model just trained; a wrong size is refused', async () => {
    const { items } = await engine.request('predictions:page', { offset: 0, limit: 1 })
    const e = await engine.request('explain:digit', {
      pixels: new Uint8Array(items[0].image),
      method: 'occlusion'
    })
    expect(e.label).toBe(items[0].predicted)
    expect(e.saliency).toBeInstanceOf(Float32Array)
    expect(e.saliency).toHaveLength(784)
    expect(e.contrast).toHaveLength(784)
    expect(e.layers[0].data).toBeInstanceOf(Float32Array)
    await expect(engine.request('explain:digit', { pixels: new Uint8Array(100) })).rejects.toThrow(
      /pixels must hold 784 bytes/
    )
  })
})
