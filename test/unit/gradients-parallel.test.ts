import { availableParallelism } from 'node:os'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { DataParallelTrainer } from '#engine/training/parallel/data-parallel-trainer'
import { batchGradients } from '#engine/training/parallel/batch-gradients'
import { createStepper } from '#engine/training/parallel/stepper'
import { ChunkClaims, chunkBounds } from '#engine/training/parallel/chunk-claims'
import { claimedGradients } from '#engine/training/parallel/claimed-gradients'

// The two-thread trainer must make the same update as one thread on the whole batch: gradients of
// the chunks each thread claims, weighted by their sizes, average to the gradient of the whole
// batch's mean loss, however the chunks end up shared between the threads.

function smallCnn(): tf.Sequential {
  const model = tf.sequential()
  model.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 8,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 })
    })
  )
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(tf.layers.flatten())
  model.add(
    tf.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 })
    })
  )
  // Plain SGD: the update is exactly -lr * gradient, so weight changes compare gradients.
  model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' })
  return model
}

function batch(n: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const xs = tf.tidy(() => tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D)
  const ys = tf.tidy(
    () =>
      tf.oneHot(
        tf.tensor1d(
          Array.from({ length: n }, (_, i) => (i * 7) % 10),
          'int32'
        ),
        10
      ) as tf.Tensor2D
  )
  return { xs, ys }
}

let trainer: DataParallelTrainer | null = null
let model: tf.Sequential

beforeAll(async () => {
  await selectBackend('wasm')
  model = smallCnn()
  // splitWorthMs 0: split every batch, however small the model, so the two-thread path is what runs.
  if (multiCore) trainer = await DataParallelTrainer.create(model, { splitWorthMs: 0 })
})

afterAll(async () => {
  await trainer?.dispose()
  model?.dispose()
})

// The trainer exists for 2+ cores; on one core create() returns null by design, so there is
// nothing to check and the suite is reported as skipped.
const multiCore = availableParallelism() >= 2

describe.skipIf(!multiCore)('DataParallelTrainer (needs 2+ cores)', () => {
  it('starts a worker on a machine with two cores and the wasm backend', () => {
    expect(trainer).not.toBeNull()
  })

  it('makes the same update as one thread on the whole batch, with the worker taking part', async () => {
    const { xs, ys } = batch(128)
    const before = model.getWeights().map((w) => w.dataSync().slice())
    // Reference: gradients of the whole batch on this thread, the update SGD would make.
    const reference = batchGradients(model, xs, ys)
    const expected = reference.grads.map((g, i) => {
      const grad = g.dataSync()
      return before[i].map((w, j) => w - 0.5 * grad[j])
    })
    tf.dispose(reference.grads)

    // Which chunks the worker gets is up to the OS scheduler: retry from the same weights until
    // it computed some, so the worker's share is what's checked (not only this thread's).
    let result = await (trainer as DataParallelTrainer).step(xs, ys)
    for (let i = 0; i < 10 && (trainer as DataParallelTrainer).lastStepSamplesOnWorker === 0; i++) {
      const restore = before.map((w, k) => tf.tensor(w, model.getWeights()[k].shape))
      model.setWeights(restore)
      tf.dispose(restore)
      result = await (trainer as DataParallelTrainer).step(xs, ys)
    }
    expect((trainer as DataParallelTrainer).lastStepSamplesOnWorker).toBeGreaterThan(0)
    expect(Math.abs(result.loss - reference.loss)).toBeLessThan(1e-5)
    expect(Math.abs(result.accuracy - reference.accuracy)).toBeLessThan(1e-6)
    const after = model.getWeights().map((w) => w.dataSync())
    after.forEach((values, i) => {
      let worst = 0
      let moved = 0
      for (let j = 0; j < values.length; j++) {
        worst = Math.max(worst, Math.abs(values[j] - expected[i][j]))
        moved = Math.max(moved, Math.abs(values[j] - before[i][j]))
      }
      expect(moved).toBeGreaterThan(0)
      expect(worst).toBeLessThan(1e-5)
    })
    tf.dispose([xs, ys])
  })

  /** The fields of a `parallel-trace` line these tests read. */
  interface ParallelTrace {
    n: number
    chunks: number
    local: { count: number }
    remote: { count: number } | string
    localClock: { cpuMs: number }
  }

  /** One step of a fresh traced trainer on `n` images; the `parallel-trace` lines it printed, parsed. */
  async function tracedStep(
    n: number,
    options: Parameters<typeof DataParallelTrainer.create>[1] = {}
  ): Promise<ParallelTrace[]> {
    process.env.DIGIT_STUDIO_TRACE_PARALLEL = '1'
    const traced = await DataParallelTrainer.create(model, options)
    delete process.env.DIGIT_STUDIO_TRACE_PARALLEL
    const lines: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((chunk: string) => {
      if (String(chunk).startsWith('parallel-trace ')) lines.push(String(chunk))
      return true
    }) as typeof process.stderr.write
    const { xs, ys } = batch(n)
    try {
      await traced!.step(xs, ys)
    } finally {
      process.stderr.write = write
      tf.dispose([xs, ys])
      await traced!.dispose()
    }
    return lines.map((l) => JSON.parse(l.slice('parallel-trace '.length)) as ParallelTrace)
  }

  it('traces each split step on stderr with DIGIT_STUDIO_TRACE_PARALLEL=1', async () => {
    const lines = await tracedStep(64, { splitWorthMs: 0 })
    expect(lines).toHaveLength(1)
    const trace = lines[0]!
    expect(trace.n).toBe(64)
    const onWorker = typeof trace.remote === 'object' ? trace.remote.count : 0
    expect(trace.local.count + onWorker).toBe(64)
    // Linux: the thread's own CPU time from schedstat, a real figure, not a zero.
    if (process.platform === 'linux') expect(trace.localClock.cpuMs).toBeGreaterThan(0)
  })

  it('splits the first step into the smallest chunks, not a whole batch on this thread', async () => {
    // Nothing is measured before the first step; a whole batch of `accurate` on one thread would
    // set that thread's wasm heap (which never shrinks) to ~4x what a 32-image chunk needs.
    const lines = await tracedStep(128)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ n: 128, chunks: 4 })
  })

  it('leaves no tensors behind', async () => {
    const { xs, ys } = batch(32)
    await (trainer as DataParallelTrainer).step(xs, ys)
    const count = tf.memory().numTensors
    for (let i = 0; i < 3; i++) await (trainer as DataParallelTrainer).step(xs, ys)
    expect(tf.memory().numTensors).toBe(count)
    tf.dispose([xs, ys])
  })
})

describe('chunks of a batch', () => {
  it('cuts batches into two to four near-equal chunks of ~100 ms or more', () => {
    // seed at ~1 ms an image: halves; accurate at ~8 ms: four; a busy machine: more chunks.
    expect(chunkBounds(128, 1)).toEqual([0, 64, 128])
    expect(chunkBounds(128, 8)).toEqual([0, 32, 64, 96, 128])
    expect(chunkBounds(128, 2.4)).toEqual([0, 43, 85, 128])
    expect(chunkBounds(100, 50)).toEqual([0, 25, 50, 75, 100])
    // Never chunks under 16 images, never fewer than two.
    expect(chunkBounds(40, 50)).toEqual([0, 20, 40])
    expect(chunkBounds(16, 0)).toEqual([0, 8, 16])
  })

  it('hands each chunk of a step out once, and none of a step that is over', () => {
    const claims = ChunkClaims.create()
    const other = new ChunkClaims(claims.buffer) // what the worker wraps
    claims.open(7)
    expect([claims.claim(7, 3), other.claim(7, 3), claims.claim(7, 3)]).toEqual([0, 1, 2])
    expect(other.claim(7, 3)).toBe(-1)
    claims.open(8)
    // A thread still on step 7's message can't take step 8's chunks with step 7's weights.
    expect(other.claim(7, 3)).toBe(-1)
    expect(other.claim(8, 3)).toBe(0)
  })

  it('sums the size-weighted gradients of exactly the chunks this thread claimed', () => {
    const m = smallCnn()
    const { xs, ys } = batch(40)
    const claims = ChunkClaims.create()
    claims.open(1)
    expect(claims.claim(1, 2)).toBe(0) // "the worker" took chunk 0 (samples 0-19)
    const mine = claimedGradients(m, xs, ys, [0, 20, 40], claims, 1)
    expect([mine.count, mine.chunks]).toEqual([20, 1])
    const xsTail = xs.slice([20, 0, 0, 0], [20, -1, -1, -1])
    const ysTail = ys.slice([20, 0], [20, -1])
    const reference = batchGradients(m, xsTail, ysTail)
    expect(mine.lossSum).toBeCloseTo(reference.loss * 20, 4)
    mine.gradSums!.forEach((g, i) => {
      const got = g.dataSync()
      const want = reference.grads[i].dataSync()
      let worst = 0
      for (let j = 0; j < got.length; j++) worst = Math.max(worst, Math.abs(got[j] - want[j] * 20))
      expect(worst).toBeLessThan(1e-4)
    })
    tf.dispose([xs, ys, xsTail, ysTail, ...reference.grads, ...mine.gradSums!])
    m.dispose()
  })
})

describe('the loss both paths optimise', () => {
  it('is not clipped: a true-class probability of 0 gives an infinite loss (NAN_LOSS), not ~16', () => {
    const m = tf.sequential()
    m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }))
    m.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: 'zeros' }))
    m.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' })
    // Softmax of [1000, 0, ...]: class 0 gets 1, every other class underflows to 0.
    const [kernel] = m.getWeights()
    const bias = tf.tensor1d([1000, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    m.setWeights([kernel, bias])
    const { xs, ys } = batch(4) // labels 0, 7, 4, 1: three of four have probability 0
    const out = batchGradients(m, xs, ys)
    expect(out.loss).toBe(Infinity)
    tf.dispose([xs, ys, bias, ...out.grads])
    m.dispose()
  })
})

describe('createStepper', () => {
  it('trains on one thread with DIGIT_STUDIO_THREADS=1 and says so', async () => {
    const logs: string[] = []
    const { stepper, threads } = await createStepper(
      model,
      (_level, message) => logs.push(message),
      { DIGIT_STUDIO_THREADS: '1' }
    )
    expect(threads).toBe(1)
    expect(logs).toEqual(['training on 1 thread (DIGIT_STUDIO_THREADS=1)'])
    await stepper.dispose()
  })

  it.skipIf(!multiCore)('trains on two threads on wasm with 2+ cores', async () => {
    const logs: string[] = []
    const { stepper, threads } = await createStepper(model, (_l, message) => logs.push(message), {})
    expect(threads).toBe(2)
    expect(logs).toEqual(['training on 2 threads'])
    const { xs, ys } = batch(32)
    const r = await stepper.step(xs, ys)
    expect(Number.isFinite(r.loss)).toBe(true)
    tf.dispose([xs, ys])
    await stepper.dispose()
  })
})
