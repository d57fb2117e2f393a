/**
 * Run history over run folders as training writes them: list (newest first, forgiving of killed
 * runs), per-epoch series with non-finite values kept as gaps, delete, and ids that can't escape
 * the runs folder.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '#engine/dispatch'
import { exportModel } from '#engine/export/index'
import type { EngineContext } from '#engine/handlers/types'
import { createModel } from '#engine/training/models'
import { prepareForTraining } from '#engine/training/optimizer'
import { deleteRun, getRun, listRuns, modelDirOfRun, runDir } from '#engine/store/runs'
import { analyseLayers } from '#shared/model-spec/analyse'
import { PRESET_SPECS } from '#shared/model-spec/presets'
import { DEFAULT_TRAIN_CONFIG } from '#shared/protocol/training'
import { saveModel, tempDir, useEngineBackend } from './export-helpers'

const DONE = '20261127-101500-aa11'
const KILLED = '20261127-111500-bb22'
const OLDEST = '20261126-090000-cc33'

let home: string
const json = (path: string, data: unknown): void => writeFileSync(path, JSON.stringify(data))

function epoch(n: number, loss: number | null, acc: number): object {
  return {
    type: 'training:epoch',
    runId: 'x',
    epoch: n,
    epochs: 3,
    loss,
    accuracy: acc,
    valLoss: null,
    valAccuracy: null,
    seconds: 10 + n,
    samplesPerSecond: 100,
    etaSeconds: 0
  }
}

beforeAll(async () => {
  await useEngineBackend()
  home = tempDir('ds-runs-')
  process.env.DIGIT_STUDIO_HOME = home
  const runs = join(home, 'runs')
  // A finished run: config, metrics, result, model.
  mkdirSync(join(runs, DONE), { recursive: true })
  json(join(runs, DONE, 'config.json'), { ...DEFAULT_TRAIN_CONFIG, epochs: 2 })
  json(join(runs, DONE, 'metrics.json'), [epoch(1, 0.5, 0.85), epoch(2, 0.2, 0.95)])
  json(join(runs, DONE, 'result.json'), {
    type: 'training:done',
    testAccuracy: 0.971,
    totalSeconds: 42.5,
    samplesPerSecond: 1000,
    backend: 'wasm',
    epochsCompleted: 2
  })
  const model = createModel('fast', { seed: 1 })
  prepareForTraining(model, 1e-3)
  await saveModel(model, join(runs, DONE, 'model'), 'fast')
  // A run killed in its second epoch: a NaN loss (written as null by JSON) and a checkpoint.
  mkdirSync(join(runs, KILLED), { recursive: true })
  json(join(runs, KILLED, 'config.json'), { ...DEFAULT_TRAIN_CONFIG, preset: 'fast', epochs: 3 })
  json(join(runs, KILLED, 'metrics.json'), [epoch(1, null, 0.1)])
  await saveModel(model, join(runs, KILLED, 'checkpoint'), 'fast', true)
  model.dispose()
  // An old run that only got as far as its config, and things that are not runs.
  mkdirSync(join(runs, OLDEST), { recursive: true })
  json(join(runs, OLDEST, 'config.json'), { ...DEFAULT_TRAIN_CONFIG, preset: 'accurate' })
  mkdirSync(join(runs, '.20261127-120000-dd44.tmp-1-2'))
  writeFileSync(join(runs, 'notes.txt'), 'not a run')
})
afterAll(() => {
  delete process.env.DIGIT_STUDIO_HOME
})

describe('runs', () => {
  it('lists runs newest first with date, preset, accuracy, time, backend and status', async () => {
    const { runs, dir } = await listRuns()
    expect(dir).toBe(join(home, 'runs'))
    expect(runs.map((r) => r.id)).toEqual([KILLED, DONE, OLDEST])
    expect(runs[1]).toEqual({
      id: DONE,
      date: '2026-11-27T10:15:00Z',
      preset: 'seed',
      architecture: null,
      dataset: 'MNIST',
      status: 'done',
      epochsDone: 2,
      epochsPlanned: 2,
      testAccuracy: 0.971,
      totalSeconds: 42.5,
      backend: 'wasm',
      // The seed preset's work per image (config.json has no architecture), for the editor's estimate.
      throughput: {
        samplesPerSecond: 1000,
        mflopsPerImage: analyseLayers(PRESET_SPECS.seed.layers).mflopsPerImage
      },
      hasModel: true
    })
    expect(runs[1].throughput!.mflopsPerImage).toBeGreaterThan(1)
    expect(runs[0]).toMatchObject({
      status: 'incomplete',
      preset: 'fast',
      epochsDone: 1,
      epochsPlanned: 3,
      testAccuracy: null,
      backend: 'wasm',
      throughput: null,
      hasModel: true
    })
    expect(runs[2]).toMatchObject({
      status: 'incomplete',
      preset: 'accurate',
      epochsDone: 0,
      totalSeconds: null,
      backend: null,
      hasModel: false
    })
  })

  it('gives per-epoch metrics for overlaying curves; a non-finite loss stays a gap, not 0', async () => {
    const done = await getRun(DONE)
    expect(done.epochs.map((e) => [e.epoch, e.loss, e.accuracy])).toEqual([
      [1, 0.5, 0.85],
      [2, 0.2, 0.95]
    ])
    expect(done.config).toMatchObject({
      batchSize: DEFAULT_TRAIN_CONFIG.batchSize,
      learningRate: DEFAULT_TRAIN_CONFIG.learningRate
    })
    const killed = await getRun(KILLED)
    expect(killed.epochs[0].loss).toBeNull()
  })

  it('exports an unfinished run from its last checkpoint (a crash costs at most one epoch)', async () => {
    expect(modelDirOfRun(KILLED)).toBe(join(home, 'runs', KILLED, 'checkpoint'))
    const out = join(home, 'killed.onnx')
    const result = await exportModel({ format: 'onnx', out, runId: KILLED })
    expect(result.metadata.preset).toBe('fast')
    expect(() => modelDirOfRun(OLDEST)).toThrow(/has no saved model/)
  })

  it('names the user’s own architecture a run trained (config.json), null for a preset', async () => {
    const id = '20261125-080000-ee55'
    mkdirSync(join(home, 'runs', id), { recursive: true })
    json(join(home, 'runs', id, 'config.json'), {
      ...DEFAULT_TRAIN_CONFIG,
      architecture: { ...PRESET_SPECS.fast, name: 'wide-net' }
    })
    try {
      const { runs } = await listRuns()
      expect(runs.find((r) => r.id === id)).toMatchObject({
        preset: 'seed',
        architecture: 'wide-net'
      })
      expect(runs.find((r) => r.id === DONE)?.architecture).toBeNull()
    } finally {
      await deleteRun(id)
    }
  })

  it('deletes a run, and says when there was nothing to delete', async () => {
    expect(await deleteRun(OLDEST)).toEqual({ deleted: true })
    expect(existsSync(join(home, 'runs', OLDEST))).toBe(false)
    expect(await deleteRun(OLDEST)).toEqual({ deleted: false })
    expect((await listRuns()).runs.map((r) => r.id)).toEqual([KILLED, DONE])
  })

  it('refuses ids that could leave the runs folder, at the protocol and in the module', async () => {
    const ctx = {
      backend: { kind: 'wasm', name: 'wasm', reason: '' },
      emit: () => undefined
    } as EngineContext
    for (const id of ['..', '../..', '../etc', 'a/b', '.hidden', '']) {
      const reply = await dispatch(
        { kind: 'request', id: 1, method: 'runs:delete', params: { id } },
        ctx
      )
      expect(reply.ok, id).toBe(false)
      if (!reply.ok) expect(reply.error.code).toBe('BAD_REQUEST')
    }
    expect(() => runDir('../x')).toThrow(/is not a run id/)
    expect(existsSync(home)).toBe(true)
  })
})
