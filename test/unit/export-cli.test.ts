/**
 * End to end through real processes: the CLI (`bin/digit-studio.mjs export|runs`) and a forked
 * engine. A short real run lands in the runs list; the CLI exports the last model and a run by id;
 * an imported export becomes the engine's current model and continues training from its epoch.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliResult } from '../helpers/cli'
import type { EngineClient } from '#host/engine-client'
import type { EngineEvent } from '#shared/engine-protocol'
import type { TrainConfig } from '#shared/protocol/training'
import type { DoneEvent } from '#shared/protocol/training-events'
import { tempDir } from './export-helpers'
import { compareWeights, expectedBackendKind, startEngine } from '../helpers/engine'

let home: string
let engine: EngineClient
let runId: string

/** The CLI in this file's data home, on one thread (repeatable runs). */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(args, { DIGIT_STUDIO_HOME: home, DIGIT_STUDIO_THREADS: '1', ...env })

/** Starts a run and resolves with its done event (rejects on a training error). */
function train(config: TrainConfig, seen: EngineEvent[] = []): Promise<DoneEvent> {
  return new Promise((resolve, reject) => {
    const off = engine.onEvent((e) => {
      seen.push(e)
      if (e.type === 'training:done') {
        off()
        resolve(e)
      } else if (e.type === 'training:error') {
        off()
        reject(new Error(e.error.message))
      }
    })
    engine.request('training:start', config).catch(reject)
  })
}

const SHORT_RUN: TrainConfig = {
  preset: 'fast',
  epochs: 1,
  batchSize: 64,
  learningRate: 2e-3,
  validationSplit: 0,
  seed: 5,
  augment: false,
  trainLimit: 1024,
  testLimit: 200,
  dataset: { kind: 'embedded' }
}

beforeAll(async () => {
  home = tempDir('ds-cli-')
  // One thread: the two-thread trainer splits batches by measured speed, so its summation order
  // (and the last bits of the weights) vary between runs, and the D5 test below compares weights
  // bit for bit on wasm (within a tolerance on native: see compareWeights).
  engine = await startEngine({ DIGIT_STUDIO_HOME: home, DIGIT_STUDIO_THREADS: '1' })
})
afterAll(async () => {
  await engine?.dispose()
})

describe('export and runs, through the CLI and the engine process', () => {
  it('with no trained model (and no starter model), export says how to get one', async () => {
    const r = await cli(['export', '--format', 'onnx', '--out', join(home, 'none.onnx')], {
      DIGIT_STUDIO_STARTER_MODEL: ''
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /NO_MODEL: no trained model yet \(looked in .*\): train one first, or pass --model DIR/
    )
  })

  it('rejects a bad format and a missing --out', async () => {
    expect((await cli(['export', '--format', 'pt', '--out', 'x'])).stderr).toMatch(
      /--format "pt" is not one of tfjs, onnx, keras/
    )
    expect((await cli(['export', '--format', 'onnx'])).stderr).toMatch(/--out PATH is required/)
  })

  it('a finished run appears in runs:list with accuracy, time and backend', async () => {
    const done = await train(SHORT_RUN)
    runId = done.runId
    const { runs } = await engine.request('runs:list', {})
    expect(runs[0]).toMatchObject({
      id: runId,
      preset: 'fast',
      status: 'done',
      backend: expectedBackendKind(),
      hasModel: true,
      epochsDone: 1
    })
    expect(runs[0].testAccuracy).toBeCloseTo(done.testAccuracy, 6)
    const detail = await engine.request('runs:get', { id: runId })
    expect(detail.epochs).toHaveLength(1)
    expect(detail.epochs[0].loss).toBeGreaterThan(0)
  })

  it('exports the last model by default, and a run by id, from the CLI', async () => {
    const onnx = join(home, 'out', 'last.onnx')
    const r = await cli(['export', '--format', 'onnx', '--out', onnx])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /Exported ONNX model to .*last\.onnx \(\d+\.\d kB; preset fast, test accuracy \d+\.\d\d %\)/
    )
    expect(readFileSync(onnx).length).toBeGreaterThan(10_000)
    const h5 = join(home, 'out', 'run.h5')
    const byRun = await cli(['export', '--run', runId, '--out', h5, '--json'])
    expect(byRun.code).toBe(0)
    expect(JSON.parse(byRun.stdout)).toMatchObject({
      format: 'keras',
      path: h5,
      metadata: { preset: 'fast', runId }
    })
    const list = await cli(['runs'])
    expect(list.stdout).toContain(runId)
    expect(list.stdout).toMatch(
      new RegExp(
        `fast\\s+\\d+\\.\\d\\d %\\s+\\d+\\.\\d s\\s+${expectedBackendKind()}\\s+1/1\\s+done`
      )
    )
  })

  it('an export without optimizer state says so, and imports with a fresh optimizer', async () => {
    const web = join(home, 'out', 'web-current')
    await engine.request('model:export', { format: 'tfjs', out: web })
    const info = await engine.request('model:import', { path: web })
    expect(info).toMatchObject({ source: 'imported', modelDir: web, hasOptimizer: false })
  })

  it('an imported run export becomes the current model and continues training as an uninterrupted run does (D5 via export)', async () => {
    // The run's export carries its checkpoint's optimizer state (Adam moments and step count).
    const web = join(home, 'out', 'web-run')
    await engine.request('model:export', { format: 'tfjs', out: web, runId })
    const changed: EngineEvent[] = []
    const off = engine.onEvent((e) => e.type === 'model:changed' && changed.push(e))
    const info = await engine.request('model:import', { path: web })
    off()
    expect(info).toMatchObject({
      source: 'imported',
      modelDir: web,
      hasOptimizer: true,
      metadata: { preset: 'fast', epochsCompleted: 1, runId }
    })
    expect(info.metadata?.testAccuracy).toBeGreaterThan(0)
    expect(changed).toHaveLength(1)
    expect((await engine.request('model:current', {}))?.modelDir).toBe(web)
    // Gallery: the imported model's predictions on the MNIST test set.
    expect((await engine.request('predictions:page', { offset: 0, limit: 3 })).total).toBe(10_000)
    // Continue training to epoch 2 from the import, and compare with 2 epochs in one go.
    const seen: EngineEvent[] = []
    const resumed = await train({ ...SHORT_RUN, epochs: 2, resumeFrom: info.modelDir }, seen)
    const epochs = seen
      .filter((e) => e.type === 'training:epoch')
      .map((e) => (e as { epoch: number }).epoch)
    expect(epochs).toEqual([2])
    const straight = await train({ ...SHORT_RUN, epochs: 2 })
    const weights = (id: string): Buffer =>
      readFileSync(join(home, 'runs', id, 'model', 'weights.bin'))
    const same = compareWeights(weights(resumed.runId), weights(straight.runId))
    expect(same.withinTolerance).toBe(true)
    if (same.bitIdentical) expect(resumed.testAccuracy).toBe(straight.testAccuracy)
    else expect(Math.abs(resumed.testAccuracy - straight.testAccuracy)).toBeLessThan(0.02)
    expect(existsSync(join(home, 'runs', resumed.runId, 'result.json'))).toBe(true)
  })
})
