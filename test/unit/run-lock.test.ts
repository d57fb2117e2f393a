/**
 * RELIABILITY R5: "this run is in progress" holds across processes. Two real engine processes share
 * one data home, as the app and the CLI do: while one trains, the other sees the run as running and
 * can't delete it; a lock left by a dead process doesn't block.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineClient } from '#host/engine-client'
import { forkEngine } from '#host/engine-fork'
import type { EngineEvent } from '#shared/engine-protocol'
import { tempDir } from './export-helpers'

const home = tempDir('ds-lock-')
let trainer: EngineClient
let other: EngineClient

const engine = (): EngineClient =>
  forkEngine({
    env: { DIGIT_STUDIO_HOME: home, DIGIT_STUDIO_BACKEND: 'wasm', DIGIT_STUDIO_THREADS: '1' }
  })

beforeAll(async () => {
  trainer = engine()
  other = engine()
  await Promise.all([trainer.ready(), other.ready()])
}, 60_000)
afterAll(async () => {
  await Promise.all([trainer.dispose(), other.dispose()])
  await rm(home, { recursive: true, force: true })
})

/** A pid that certainly belongs to no live process: one that just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!
}

describe('run lock across processes (RELIABILITY R5)', () => {
  it('another engine sees the training run as running and cannot delete it', async () => {
    const firstBatch = new Promise<void>((resolve) => {
      const off = trainer.onEvent((e: EngineEvent) => {
        if (e.type === 'training:batch') {
          off()
          resolve()
        }
      })
    })
    const ended = new Promise<void>((resolve) => {
      const off = trainer.onEvent((e: EngineEvent) => {
        if (e.type === 'training:stopped' || e.type === 'training:done') {
          off()
          resolve()
        }
      })
    })
    const { runId } = await trainer.request('training:start', {
      preset: 'fast',
      epochs: 50,
      batchSize: 16,
      learningRate: 1e-3,
      validationSplit: 0,
      seed: 1,
      augment: false,
      trainLimit: 5000,
      testLimit: 50,
      dataset: { kind: 'embedded' }
    })
    await firstBatch
    // A newer run folder sorts first: the old "newest = active" rule would get this wrong.
    await mkdir(join(home, 'runs', '29991231-235959-ffff'), { recursive: true })
    const { runs } = await other.request('runs:list', {})
    expect(runs.find((r) => r.id === runId)?.status).toBe('running')
    expect(runs.find((r) => r.id === '29991231-235959-ffff')?.status).toBe('incomplete')
    const refused = await other.request('runs:delete', { id: runId }).then(
      () => null,
      (e: { code: string; message: string }) => e
    )
    expect(refused?.code).toBe('BUSY')
    expect(refused?.message).toContain(`training run ${runId}`)
    expect(existsSync(join(home, 'runs', runId))).toBe(true)
    await trainer.request('training:stop', {})
    await ended
    // Stopped: the lock is gone, and the other process may delete the run now.
    await expect(other.request('runs:delete', { id: runId })).resolves.toEqual({ deleted: true })
    expect(existsSync(join(home, 'runs', runId))).toBe(false)
  }, 120_000)

  it('a lock left by a process that died does not block', async () => {
    const id = '20261203-090000-dead'
    const dir = join(home, 'runs', id)
    await mkdir(dir, { recursive: true })
    const stale = { pid: deadPid(), hostname: hostname(), startedAt: '', job: `training run ${id}` }
    writeFileSync(join(dir, 'lock.json'), JSON.stringify(stale))
    const { runs } = await other.request('runs:list', {})
    expect(runs.find((r) => r.id === id)?.status).toBe('incomplete')
    await expect(other.request('runs:delete', { id })).resolves.toEqual({ deleted: true })
  }, 60_000)
})
