/**
 * Native and wasm are two ways of computing the same thing (issue 11 item 4). Two real engines,
 * one forced onto each backend: the same seeded run ends within 0.5 points of test accuracy; a
 * model trained on one predicts the same on the other; a checkpoint written on one resumes on
 * the other; a natively trained model's ONNX export gives onnxruntime the engine's answers; and
 * the `accurate` preset with augmentation trains on native (it failed there: no Transform kernel).
 * Runs only where tfjs-node loads (after `npm run native`); elsewhere it says why and skips.
 */
import * as ort from 'onnxruntime-node'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineClient } from '#host/engine-client'
import { forkEngine } from '#host/engine-fork'
import type { TrainConfig } from '#shared/protocol/training'
import type { DoneEvent } from '#shared/protocol/training-events'
import type { TestPrediction } from '#shared/protocol/predictions'
import { nativeStatus, trainToDone } from '../helpers/engine'

const native = nativeStatus()
if (!native.loads) console.info(`backend-equivalence: SKIPPED: ${native.reason}`)

/** The run both backends make: seed preset, 1 epoch, the first 10,000 MNIST training images. */
const SAME_RUN: Partial<TrainConfig> = {
  preset: 'seed',
  epochs: 1,
  seed: 11,
  trainLimit: 10_000,
  validationSplit: 0,
  augment: false
}
const COMPARED = 1000

describe.skipIf(!native.loads)('native and wasm give the same results', () => {
  let home: string
  const engines: Record<'native' | 'wasm', EngineClient> = {} as never
  const runs: Partial<Record<'native' | 'wasm', DoneEvent>> = {}

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'ds-equivalence-'))
    for (const backend of ['native', 'wasm'] as const) {
      engines[backend] = forkEngine({
        env: { DIGIT_STUDIO_BACKEND: backend, DIGIT_STUDIO_HOME: join(home, backend) }
      })
      await engines[backend].ready()
    }
  })
  afterAll(async () => {
    for (const e of Object.values(engines)) await e?.dispose()
    await rm(home, { recursive: true, force: true })
  })

  const firstProbabilities = async (engine: EngineClient): Promise<TestPrediction[]> =>
    (await engine.request('predictions:page', { offset: 0, limit: COMPARED, sort: 'index' })).items

  const maxDiff = (a: TestPrediction[], b: TestPrediction[]): number => {
    expect(a.map((p) => p.index)).toEqual(b.map((p) => p.index))
    let max = 0
    a.forEach((p, i) =>
      p.probabilities.forEach((v, k) => (max = Math.max(max, Math.abs(v - b[i].probabilities[k]))))
    )
    return max
  }

  it('the same seeded run (seed preset, 1 epoch, 10k images) ends within 0.5 points of test accuracy', async () => {
    for (const backend of ['native', 'wasm'] as const)
      runs[backend] = (await trainToDone(engines[backend], SAME_RUN)).done
    const [n, w] = [runs.native!, runs.wasm!]
    console.info(
      `test accuracy: native ${(n.testAccuracy * 100).toFixed(2)} %, wasm ${(w.testAccuracy * 100).toFixed(2)} %`
    )
    expect([n.backend, w.backend]).toEqual(['native', 'wasm'])
    expect(n.testAccuracy).toBeGreaterThan(0.95)
    expect(Math.abs(n.testAccuracy - w.testAccuracy)).toBeLessThanOrEqual(0.005)
  })

  it(`a model trained on one backend predicts the same on the other (max difference < 1e-4 on ${COMPARED} test images)`, async () => {
    // Each training engine still holds its own model's predictions on the test set.
    const own = {
      native: await firstProbabilities(engines.native),
      wasm: await firstProbabilities(engines.wasm)
    }
    for (const [from, to] of [
      ['native', 'wasm'],
      ['wasm', 'native']
    ] as const) {
      await engines[to].request('model:import', { path: runs[from]!.modelDir })
      const diff = maxDiff(own[from], await firstProbabilities(engines[to]))
      console.info(`${from} model on ${to}: max probability difference ${diff.toExponential(2)}`)
      expect(diff).toBeLessThan(1e-4)
    }
  })

  it('a checkpoint written on one backend resumes on the other', async () => {
    for (const [from, to] of [
      ['native', 'wasm'],
      ['wasm', 'native']
    ] as const) {
      const { done, epochs } = await trainToDone(engines[to], {
        ...SAME_RUN,
        trainLimit: 2000,
        testLimit: 500,
        epochs: 2,
        resumeFrom: join(runs[from]!.runDir!, 'checkpoint')
      })
      expect(epochs).toEqual([2])
      expect(done).toMatchObject({ backend: to, epochsCompleted: 2 })
      expect(done.testAccuracy).toBeGreaterThan(0.95)
    }
  })

  it("a natively trained model's ONNX export gives onnxruntime the engine's answers", async () => {
    await engines.native.request('model:import', { path: runs.native!.modelDir })
    const out = join(home, 'native.onnx')
    await engines.native.request('model:export', { format: 'onnx', out })
    const engine = await firstProbabilities(engines.native)
    const session = await ort.InferenceSession.create(out)
    const input = new Float32Array(COMPARED * 784)
    engine.forEach((p, i) => p.image.forEach((v, k) => (input[i * 784 + k] = v / 255)))
    const result = await session.run({
      input: new ort.Tensor('float32', input, [COMPARED, 28, 28, 1])
    })
    const probabilities = result.probabilities.data as Float32Array
    const onnx = engine.map((p, i) => ({
      ...p,
      probabilities: Array.from(probabilities.subarray(i * 10, i * 10 + 10))
    }))
    expect(maxDiff(engine, onnx)).toBeLessThan(1e-4)
  })

  it('the accurate preset with augmentation trains on native', async () => {
    const { done } = await trainToDone(engines.native, {
      preset: 'accurate',
      epochs: 1,
      augment: true,
      trainLimit: 512,
      testLimit: 200,
      validationSplit: 0
    })
    expect(done).toMatchObject({ backend: 'native', epochsCompleted: 1, testCount: 200 })
    expect(Number.isFinite(done.testLoss)).toBe(true)
  })
})
