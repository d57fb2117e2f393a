import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { threadEntry } from '../../thread-entry'
import { batchGradients } from './batch-gradients'
import { ChunkClaims, chunkBounds } from './chunk-claims'
import { claimedGradients } from './claimed-gradients'
import { seedDropoutMasks } from '../seeded-dropout'
import type { StepRequest, WorkerReply } from './protocol'
import { clockDelta, readThreadClock, tracing, type ThreadClock } from './thread-clock'

/** Batches smaller than this train on the calling thread alone: splitting would cost more. */
const MIN_SPLIT_BATCH = 16
/**
 * A batch whose gradients take less than this on one thread isn't split: the round trip (weights
 * out, gradients back, averaging) costs a few milliseconds. Measured: the `fast` preset (15 ms a
 * batch) ran 8,400 samples/s on one thread and 7,200 split; `seed` (120 ms) 1,000 and 1,750.
 */
const SPLIT_WORTH_MS = 25

interface ParallelStepResult {
  loss: number
  accuracy: number
}

type StepReply = Extract<WorkerReply, { type: 'step' }>

/**
 * Synchronous data-parallel training on two cores for the wasm fallback. One wasm instance runs on
 * one core, and multi-threaded wasm measured ~20x slower in Node, so the second core gets its own
 * worker thread with its own tfjs + wasm engine and a copy of the model. Each step sends it the
 * current weights and the whole batch, cut into a few chunks (chunk-claims.ts); both threads claim
 * chunks until none is left, so a thread the OS delays computes less instead of holding the other
 * up. The size-weighted gradients are summed, divided by the batch size and applied once by the
 * model's optimizer.
 * That is the same update as one batch on one core, except that batch normalization normalises
 * each chunk with its own statistics (as unsynchronised multi-GPU training does) and only the
 * calling thread's chunks update the moving averages.
 */
export class DataParallelTrainer {
  /** Replies awaited, by step (0: init). */
  private readonly pending = new Map<number, (reply: WorkerReply) => void>()
  private readonly claims = ChunkClaims.create()
  private stepId = 0
  /** This thread's last measured gradient time per sample (0 until measured: split at first). */
  private localMsPerSample = 0
  private failure: Error | null = null
  /** Samples of the last step the worker computed (0 when this thread took every chunk). */
  lastStepSamplesOnWorker = 0
  /** DIGIT_STUDIO_TRACE_PARALLEL=1: one JSON line per split step on stderr (see thread-clock.ts). */
  private readonly trace = tracing()

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly worker: Worker,
    private readonly splitWorthMs: number
  ) {
    worker.on('message', (reply: WorkerReply) => this.settle(reply))
    worker.on('error', (err) => this.fail(err))
    worker.on('exit', (code) => this.fail(new Error(`gradient worker exited with code ${code}`)))
  }

  /**
   * Starts a gradient worker for `model` (compiled, with its optimizer). Returns null when a second
   * worker would not help: fewer than two cores, or a backend other than wasm (tfjs-node already
   * uses every core). `workerUrl` overrides where the worker's entry is (a bundler may place the
   * built gradient-worker.js elsewhere than beside this module's chunk); `splitWorthMs` (tests)
   * the one-thread time below which a batch isn't split.
   */
  static async create(
    model: tf.LayersModel,
    options: { workerUrl?: URL; splitWorthMs?: number } = {}
  ): Promise<DataParallelTrainer | null> {
    if (tf.getBackend() !== 'wasm' || availableParallelism() < 2) return null
    // workerData.tfjs: an engine run from source loads tfjs in this thread with source maps off
    // (preload-tfjs.mjs), ~45 MB less heap than tsx's default.
    const worker = new Worker(
      options.workerUrl ?? threadEntry('gradient-worker', import.meta.url),
      {
        workerData: { tfjs: true }
      }
    )
    const trainer = new DataParallelTrainer(model, worker, options.splitWorthMs ?? SPLIT_WORTH_MS)
    const reply = await trainer.request(0, {
      type: 'init',
      modelTopology: model.toJSON(null, false) as object,
      claims: trainer.claims.buffer
    })
    if (reply.type !== 'ready') {
      await worker.terminate()
      throw new Error(
        `gradient worker failed to start: ${reply.type === 'error' ? reply.message : reply.type}`
      )
    }
    return trainer
  }

  /**
   * One optimisation step on `xs`/`ys` across both cores. Doesn't dispose its inputs; leaves no
   * tensors behind.
   */
  async step(xs: tf.Tensor4D, ys: tf.Tensor2D, dropoutSeed?: number): Promise<ParallelStepResult> {
    if (this.failure) throw this.failure
    const n = xs.shape[0]
    const varList = this.model.trainableWeights.map((w) => w.read() as tf.Variable)
    // Small batches, and models so small that a whole batch takes less than the cost of a round
    // trip to the worker (the `fast` preset: ~15 ms), train on this thread alone. The first step
    // (nothing measured yet) is split too, into the smallest chunks: a whole batch on this thread
    // would hold every activation of 128 images at once, and the wasm heap, which never shrinks,
    // would keep that peak for the rest of the run (`accurate`: ~4x a 32-image chunk's).
    const measured = this.localMsPerSample > 0
    if (n < MIN_SPLIT_BATCH || (measured && this.localMsPerSample * n < this.splitWorthMs)) {
      const started = performance.now()
      if (dropoutSeed !== undefined) seedDropoutMasks(this.model, dropoutSeed)
      const local = batchGradients(this.model, xs, ys)
      this.localMsPerSample = (performance.now() - started) / n
      this.lastStepSamplesOnWorker = 0
      this.apply(varList, local.grads)
      return { loss: local.loss, accuracy: local.accuracy }
    }
    const clock0 = this.trace ? readThreadClock() : null
    const stepStarted = performance.now()
    const step = (this.stepId = (this.stepId % 0x7fffff) + 1)
    const bounds = chunkBounds(n, measured ? this.localMsPerSample : Infinity)
    this.claims.open(step)
    const request: StepRequest = {
      type: 'step',
      step,
      weights: varList.map((v) => v.dataSync() as Float32Array),
      xs: xs.dataSync() as Float32Array,
      xsShape: xs.shape,
      ys: ys.dataSync() as Float32Array,
      ysShape: ys.shape,
      bounds,
      dropoutSeed
    }
    const postedAt = performance.timeOrigin + performance.now()
    // Post first, then claim chunks here: the worker claims its own meanwhile.
    const remotePromise = this.request(step, request, [
      ...request.weights.map((w) => w.buffer),
      request.xs.buffer,
      request.ys.buffer
    ] as ArrayBuffer[])
    const localStarted = performance.now()
    const local = claimedGradients(this.model, xs, ys, bounds, this.claims, step, dropoutSeed)
    const localMs = performance.now() - localStarted
    const localClock = clock0 ? clockDelta(clock0, readThreadClock()) : null
    if (local.count > 0) this.localMsPerSample = localMs / local.count
    let remote: StepReply | null = null
    if (local.count < n) {
      // The worker holds the other chunks: wait for them.
      const reply = await remotePromise.catch((err: unknown) => {
        tf.dispose(local.gradSums ?? [])
        throw err
      })
      if (reply.type !== 'step') {
        tf.dispose(local.gradSums ?? [])
        throw new Error(
          `gradient worker: ${reply.type === 'error' ? reply.message : 'unexpected reply'}`
        )
      }
      remote = reply
    } else {
      // This thread took every chunk (the worker was late): don't wait for its empty reply; an
      // error in it still fails the next step (settle).
      this.pending.delete(step)
    }
    this.lastStepSamplesOnWorker = remote?.count ?? 0
    const replyAt = performance.timeOrigin + performance.now()
    const grads = tf.tidy(() =>
      (local.gradSums ?? remote!.grads.map(() => null)).map((g, i) => {
        const remoteSum = remote && remote.count > 0 ? remote.grads[i] : null
        const shape = varList[i].shape
        const sum =
          g && remoteSum
            ? tf.add(g, tf.tensor(remoteSum, shape))
            : (g ?? tf.tensor(remoteSum!, shape))
        return tf.div(sum, n)
      })
    )
    tf.dispose(local.gradSums ?? [])
    this.apply(varList, grads)
    if (localClock)
      this.writeTrace(
        step,
        n,
        bounds,
        local,
        localMs,
        localClock,
        remote,
        postedAt,
        replyAt,
        stepStarted,
        localStarted
      )
    return {
      loss: (local.lossSum + (remote?.lossSum ?? 0)) / n,
      accuracy: (local.accuracySum + (remote?.accuracySum ?? 0)) / n
    }
  }

  /** One JSON line per step on stderr: where each thread's time went (thread-clock.ts). */
  private writeTrace(
    step: number,
    n: number,
    bounds: number[],
    local: { count: number; chunks: number },
    localMs: number,
    localClock: ThreadClock,
    remote: StepReply | null,
    postedAt: number,
    replyAt: number,
    stepStarted: number,
    localStarted: number
  ): void {
    const r = remote?.trace
    process.stderr.write(
      `parallel-trace ${JSON.stringify({
        step,
        n,
        chunks: bounds.length - 1,
        local: { chunks: local.chunks, count: local.count, ms: round(localMs) },
        localClock: roundClock(localClock),
        remote: r
          ? {
              chunks: remote.chunks,
              count: remote.count,
              queuedMs: round(r.receivedAt - postedAt),
              uploadMs: round(r.uploadMs),
              gradientsMs: round(r.gradientsMs),
              readbackMs: round(r.readbackMs),
              replyTransitMs: round(replyAt - r.repliedAt)
            }
          : 'not awaited',
        remoteClock: r ? roundClock(r.clock) : null,
        // From this thread's last chunk to the worker's reply (0-ish when it didn't wait).
        waitMs: round(replyAt - performance.timeOrigin - (localStarted + localMs)),
        stepMs: round(performance.now() - stepStarted)
      })}\n`
    )
  }

  /** Stops the worker thread. The model is the caller's and stays usable. */
  async dispose(): Promise<void> {
    this.worker.removeAllListeners('exit')
    await this.worker.terminate()
  }

  private apply(varList: tf.Variable[], grads: tf.Tensor[]): void {
    const named: tf.NamedTensorMap = {}
    varList.forEach((v, i) => (named[v.name] = grads[i]))
    this.model.optimizer.applyGradients(named)
    tf.dispose(grads)
  }

  private request(
    step: number,
    message: object,
    transfer: ArrayBuffer[] = []
  ): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve) => {
      this.pending.set(step, resolve)
      this.worker.postMessage(message, transfer)
    })
  }

  private settle(reply: WorkerReply): void {
    const step = reply.type === 'ready' ? 0 : reply.type === 'step' ? reply.step : reply.step
    const waiting = step === undefined ? null : this.pending.get(step)
    if (waiting) {
      this.pending.delete(step!)
      waiting(reply)
    } else if (reply.type === 'error') {
      // An error nobody waits for (a step this thread finished alone) fails the next step.
      this.failure ??= new Error(`gradient worker: ${reply.message}`)
    }
  }

  private fail(err: Error): void {
    this.failure = err
    const waiting = [...this.pending.values()]
    this.pending.clear()
    for (const resolve of waiting) resolve({ type: 'error', message: err.message })
  }
}

const round = (x: number): number => Math.round(x * 10) / 10

function roundClock(c: ThreadClock): ThreadClock {
  return {
    cpuMs: round(c.cpuMs),
    runQueueMs: round(c.runQueueMs),
    gcMs: round(c.gcMs),
    minorFaults: c.minorFaults
  }
}
