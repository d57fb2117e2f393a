/**
 * The host side of the engine protocol, shared by Electron main, the CLI and the tests.
 * It knows nothing of how the process was started: a transport (utilityProcess or
 * child_process) is handed in, so the same client logic is tested without Electron.
 */
import { EngineError, deserializeError } from '#shared/errors'
import type {
  EngineEvent,
  EngineMethod,
  EngineToHostMessage,
  ParamsOf,
  RequestMessage,
  ResultOf
} from '#shared/engine-protocol'

/** How the engine process ended, in words a status bar can show. */
export interface EngineExit {
  code: number | null
  signal: string | null
  /** e.g. "engine exited with code 3: BACKEND_FAILED: ..." or "engine killed by SIGKILL". */
  reason: string
  /** True when we asked it to stop. */
  expected: boolean
}

/** A started engine process, whatever started it. */
export interface EngineTransport {
  readonly pid: number | undefined
  postMessage(msg: RequestMessage): void
  onMessage(cb: (msg: EngineToHostMessage) => void): void
  /** Called once when the process is gone; `stderrTail` helps say why. */
  onExit(cb: (code: number | null, signal: string | null, stderrTail: string) => void): void
  /** TensorFlow's own stderr chatter, kept off the terminal (engine-stderr.ts). */
  onLog?(cb: (level: 'info' | 'warn', message: string) => void): void
  kill(signal?: NodeJS.Signals): void
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void }

/** Milliseconds a polite stop waits before the process is killed. */
const STOP_GRACE_MS = 2000

export class EngineClient {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly eventListeners = new Set<(e: EngineEvent) => void>()
  private readonly exitListeners = new Set<(e: EngineExit) => void>()
  private exitInfo: EngineExit | null = null
  private stopping = false
  private readonly readyPromise: Promise<void>

  constructor(private readonly transport: EngineTransport) {
    let markReady!: () => void
    let failReady!: (e: Error) => void
    this.readyPromise = new Promise((res, rej) => {
      markReady = res
      failReady = rej
    })
    // A rejection nobody awaits yet must not crash the host.
    this.readyPromise.catch(() => undefined)
    transport.onMessage((msg) => {
      if (msg.kind === 'ready') markReady()
      else if (msg.kind === 'event') for (const l of this.eventListeners) l(msg.event)
      else if (msg.kind === 'reply') {
        const p = this.pending.get(msg.id)
        if (!p) return
        this.pending.delete(msg.id)
        if (msg.ok) p.resolve(msg.result)
        else p.reject(deserializeError(msg.error))
      }
    })
    // Routed stderr lines reach listeners as the engine's own log events.
    transport.onLog?.((level, message) => {
      for (const l of this.eventListeners) l({ type: 'engine:log', level, message })
    })
    transport.onExit((code, signal, stderrTail) => {
      const detail = stderrTail.trim().split('\n').filter(Boolean).pop()
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`
      const exit: EngineExit = {
        code,
        signal,
        expected: this.stopping,
        reason: `engine ${how}${detail ? `: ${detail}` : ''}`
      }
      this.exitInfo = exit
      const err = new EngineError('ENGINE_CRASHED', exit.reason)
      failReady(err)
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
      for (const l of this.exitListeners) l(exit)
    })
  }

  get pid(): number | undefined {
    return this.transport.pid
  }

  get exited(): EngineExit | null {
    return this.exitInfo
  }

  /** Resolves when the engine has chosen its backend and takes requests. */
  ready(): Promise<void> {
    return this.readyPromise
  }

  /** Sends one request and resolves with its result, or rejects with an EngineError. */
  request<M extends EngineMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.exitInfo)
      return Promise.reject(new EngineError('ENGINE_CRASHED', this.exitInfo.reason))
    const id = this.nextId++
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.transport.postMessage({ kind: 'request', id, method, params })
    })
  }

  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(cb: (e: EngineEvent) => void): () => void {
    this.eventListeners.add(cb)
    return () => this.eventListeners.delete(cb)
  }

  /** Subscribes to the process ending; returns the unsubscribe function. */
  onExit(cb: (e: EngineExit) => void): () => void {
    this.exitListeners.add(cb)
    return () => this.exitListeners.delete(cb)
  }

  /** Polite stop (SIGTERM), then SIGKILL after a grace period; resolves when the process is gone. */
  async dispose(): Promise<void> {
    if (this.exitInfo) return
    this.stopping = true
    const gone = new Promise<void>((res) => this.onExit(() => res()))
    this.transport.kill('SIGTERM')
    const timer = setTimeout(() => this.transport.kill('SIGKILL'), STOP_GRACE_MS)
    await gone
    clearTimeout(timer)
  }
}
