/**
 * The engine's side of the decode thread (decode-thread.ts): one long-lived worker thread, started
 * on first use, that decodes one file at a time. Every file has a time budget; a decoder that
 * overruns it (a damaged GIF can make omggif loop forever) is stopped by terminating the thread,
 * the file gets IMAGE_INVALID, and a fresh thread is started for the next file (RELIABILITY I6).
 * A worker thread is fine here (unlike for tfjs-node): the decoders are pure JS and wasm.
 */
import { Worker } from 'node:worker_threads'
import type { Readable } from 'node:stream'
import { EngineError, deserializeError } from '#shared/errors'
import { threadEntry } from '../../thread-entry'
import type { DecodeReply, DecodeRequest } from './decode-protocol'
import type { ImageFormat, RgbaImage } from './types'

/**
 * Time a file may take to decode: a base that covers thread start-up on a busy machine, plus time
 * proportional to its bytes (a 50 MB JPEG decodes in a few seconds) and to its pages (a 300 dpi
 * A4 page is ~9 MP). Whatever the file, the budget is bounded: at most 50 MB and 50 pages.
 */
export function decodeBudgetMs(byteLength: number, pageCount = 1): number {
  return 5000 + Math.ceil(byteLength / 2 ** 20) * 1000 + (pageCount - 1) * 2000
}

/** Where decoder chatter (omggif's "Warning, gif stream ..." and the like) goes: the engine log. */
type DecoderLog = (message: string) => void

class DecodeThread {
  private worker: Worker | null = null
  private waiting: ((reply: DecodeReply) => void) | null = null
  private failWaiting: ((err: Error) => void) | null = null
  /** Files are decoded one at a time: each waits for the one before it. */
  private queue: Promise<unknown> = Promise.resolve()
  log: DecoderLog = () => undefined
  /** Threads started so far; a test reads it to see a hung thread replaced. */
  started = 0

  private ensure(): Worker {
    if (this.worker) return this.worker
    // stdout/stderr are piped to us rather than to the process's: decoders print warnings that
    // belong in the engine log, not in the user's terminal (RELIABILITY I2).
    const worker = new Worker(threadEntry('decode-thread', import.meta.url), {
      stdout: true,
      stderr: true
    })
    this.started++
    const forward = (stream: Readable): void => {
      stream.setEncoding('utf8')
      stream.on('data', (text: string) => {
        for (const line of text.split('\n')) if (line.trim()) this.log(line.trim())
      })
    }
    forward(worker.stdout)
    forward(worker.stderr)
    worker.on('message', (reply: DecodeReply) => {
      if (this.worker !== worker) return
      const settle = this.waiting
      this.waiting = this.failWaiting = null
      settle?.(reply)
    })
    const gone = (err: Error): void => {
      // A thread we terminated after a timeout has nothing waiting on it any more.
      if (this.worker !== worker) return
      this.worker = null
      const fail = this.failWaiting
      this.waiting = this.failWaiting = null
      fail?.(err)
    }
    worker.on('error', (err) => gone(err))
    worker.on('exit', (code) => gone(new Error(`decode thread exited with code ${code}`)))
    // The thread must never keep the engine process alive on its own.
    worker.unref()
    this.worker = worker
    return worker
  }

  /** Sends one request and waits for its reply, or throws when `deadline` passes first. */
  private ask(
    request: DecodeRequest,
    deadline: number,
    name: string,
    budget: number
  ): Promise<DecodeReply> {
    const worker = this.ensure()
    return new Promise<DecodeReply>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.waiting = this.failWaiting = null
          this.worker = null
          void worker.terminate()
          reject(
            new EngineError(
              'IMAGE_INVALID',
              `${name}: took longer than ${Math.round(budget / 1000)} s to decode: damaged file?`
            )
          )
        },
        Math.max(0, deadline - performance.now())
      )
      this.waiting = (reply) => {
        clearTimeout(timer)
        resolve(reply)
      }
      this.failWaiting = (err) => {
        clearTimeout(timer)
        reject(new EngineError('IMAGE_INVALID', `${name}: the decoder failed (${err.message})`))
      }
      worker.postMessage(request)
    })
  }

  /**
   * Decodes `bytes` page by page, calling `onPage` with each before decoding the next; the time
   * spent in `onPage` doesn't count towards the file's budget. Returns the format.
   */
  decodeFile(
    bytes: Uint8Array,
    name: string,
    onPage: (page: RgbaImage, index: number, pageCount: number) => Promise<void>
  ): Promise<ImageFormat> {
    const run = async (): Promise<ImageFormat> => {
      let budget = decodeBudgetMs(bytes.length)
      let deadline = performance.now() + budget
      const opened = await this.ask({ type: 'open', name, bytes }, deadline, name, budget)
      if (opened.type === 'error') throw deserializeError(opened.error)
      if (opened.type !== 'opened') throw new Error('decode thread: unexpected reply to open')
      budget = decodeBudgetMs(bytes.length, opened.pageCount)
      deadline += budget - decodeBudgetMs(bytes.length)
      for (let index = 0; index < opened.pageCount; index++) {
        const reply = await this.ask({ type: 'page', index }, deadline, name, budget)
        if (reply.type === 'error') throw deserializeError(reply.error)
        if (reply.type !== 'page') throw new Error('decode thread: unexpected reply to page')
        const paused = performance.now()
        await onPage(reply.page, index, opened.pageCount)
        deadline += performance.now() - paused
      }
      return opened.format
    }
    const result = this.queue.then(run, run)
    this.queue = result.catch(() => undefined)
    return result
  }
}

/** The engine's one decode thread. */
export const decodeThread = new DecodeThread()
