import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { threadEntry } from '../../thread-entry'
import { batchGradients } from './batch-gradients'
import type { StepRequest, WorkerReply } from './protocol'

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

/**
 * Synchronous data-parallel training on two cores for the wasm fallback. One wasm instance runs on
 * one core, and multi-threaded wasm measured ~20x slower in Node, so the second core gets its own
 * worker thread with its own tfjs + wasm engine and a copy of the model. Each step sends it the
 * current weights and part of the batch (half at first, then balanced by measured speed); the
 * calling thread computes the rest meanwhile; the gradients are averaged (weighted by sample
 * count) and applied once by the model's optimizer.
 * That is the same update as one batch on one core, except that batch normalization normalises
 * each half with its own statistics (as unsynchronised multi-GPU training does) and only the
 * calling thread's half updates the moving averages.
 */
export class DataParallelTrainer {
  private pending: ((reply: WorkerReply) => void) | null = null
  /** Fraction of each batch sent to the worker; starts even, then follows measured speeds. */
  private remoteShare = 0.5
  /** This thread's last measured gradient time per sample (0 until measured: split at first). */
  private localMsPerSample = 0
  private failure: Error | null = null

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly worker: Worker
  ) {
    worker.on('message', (reply: WorkerReply) => this.settle(reply))
    worker.on('error', (err) => this.fail(err))
    worker.on('exit', (code) => this.fail(new Error(`gradient worker exited with code ${code}`)))
  }

  /**
   * Starts a gradient worker for `model` (compiled, with its optimizer). Returns null when a second
   * worker would not help: fewer than two cores, or a backend other than wasm (tfjs-node already
   * uses every core). `workerUrl` overrides where the worker's entry is (a bundler may place the
   * built gradient-worker.js elsewhere than beside this module's chunk).
   */
  static async create(
    model: tf.LayersModel,
    options: { workerUrl?: URL } = {}
  ): Promise<DataParallelTrainer | null> {
    if (tf.getBackend() !== 'wasm' || availableParallelism() < 2) return null
    const worker = new Worker(options.workerUrl ?? threadEntry('gradient-worker', import.meta.url))
    const trainer = new DataParallelTrainer(model, worker)
    const reply = await trainer.request({
      type: 'init',
      modelTopology: model.toJSON(null, false) as object
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
  async step(xs: tf.Tensor4D, ys: tf.Tensor2D): Promise<ParallelStepResult> {
    if (this.failure) throw this.failure
    const n = xs.shape[0]
    const varList = this.model.trainableWeights.map((w) => w.read() as tf.Variable)
    // Small batches, and models so small that a whole batch takes less than the cost of a round
    // trip to the worker (the `fast` preset: ~15 ms), train on this thread alone.
    if (n < MIN_SPLIT_BATCH || this.localMsPerSample * n < SPLIT_WORTH_MS) {
      const started = performance.now()
      const local = batchGradients(this.model, xs, ys)
      this.localMsPerSample = (performance.now() - started) / n
      this.apply(varList, local.grads)
      return { loss: local.loss, accuracy: local.accuracy }
    }
    const remoteCount = Math.min(n - 1, Math.max(1, Math.round(n * this.remoteShare)))
    const localCount = n - remoteCount
    const [xsLocal, xsRemote] = tf.split(xs, [localCount, remoteCount])
    const [ysLocal, ysRemote] = tf.split(ys, [localCount, remoteCount])
    const request: StepRequest = {
      type: 'step',
      weights: varList.map((v) => v.dataSync() as Float32Array),
      xs: xsRemote.dataSync() as Float32Array,
      xsShape: xsRemote.shape as [number, number, number, number],
      ys: ysRemote.dataSync() as Float32Array,
      ysShape: ysRemote.shape as [number, number]
    }
    tf.dispose([xsRemote, ysRemote])
    // Post first, then compute the local half: the worker runs while this thread is busy.
    const remotePromise = this.request(request, [
      ...request.weights.map((w) => w.buffer),
      request.xs.buffer,
      request.ys.buffer
    ] as ArrayBuffer[])
    let local: ReturnType<typeof batchGradients>
    const localStarted = performance.now()
    try {
      local = batchGradients(this.model, xsLocal as tf.Tensor4D, ysLocal as tf.Tensor2D)
    } finally {
      tf.dispose([xsLocal, ysLocal])
    }
    const localMs = performance.now() - localStarted
    const remote = await remotePromise.catch((err: unknown) => {
      tf.dispose(local.grads)
      throw err
    })
    if (remote.type !== 'step') {
      tf.dispose(local.grads)
      throw new Error(
        `gradient worker: ${remote.type === 'error' ? remote.message : 'unexpected reply'}`
      )
    }
    this.localMsPerSample = localMs / localCount
    this.balance(localMs / localCount, remote.computeMs / remoteCount)
    const wLocal = localCount / n
    const wRemote = remoteCount / n
    const grads = tf.tidy(() =>
      local.grads.map((g, i) =>
        tf.add(tf.mul(g, wLocal), tf.mul(tf.tensor(remote.grads[i], g.shape), wRemote))
      )
    )
    tf.dispose(local.grads)
    this.apply(varList, grads)
    return {
      loss: local.loss * wLocal + remote.loss * wRemote,
      accuracy: local.accuracy * wLocal + remote.accuracy * wRemote
    }
  }

  /**
   * Moves the split toward equal finishing times: a core shared with the UI or another process
   * gets fewer samples. Smoothed, and kept between a quarter and three quarters of the batch.
   */
  private balance(localMsPerSample: number, remoteMsPerSample: number): void {
    if (!(localMsPerSample > 0 && remoteMsPerSample > 0)) return
    const ideal = localMsPerSample / (localMsPerSample + remoteMsPerSample)
    const next = 0.8 * this.remoteShare + 0.2 * ideal
    this.remoteShare = Math.min(0.75, Math.max(0.25, next))
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

  private request(message: object, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.pending) return Promise.reject(new Error('gradient worker: a step is already running'))
    return new Promise((resolve) => {
      this.pending = resolve
      this.worker.postMessage(message, transfer)
    })
  }

  private settle(reply: WorkerReply): void {
    const pending = this.pending
    this.pending = null
    pending?.(reply)
  }

  private fail(err: Error): void {
    this.failure = err
    this.settle({ type: 'error', message: err.message })
  }
}
